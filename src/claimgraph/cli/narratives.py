"""``claimgraph narratives``: propositions across the stored articles, who supports and
who denies each, and where the accounts contradict one another."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from claimgraph.cli.common import DEFAULT_DB


def _since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as err:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from err
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@click.command()
@click.option(
    "--db",
    default=DEFAULT_DB,
    show_default=True,
    help="The store: a SQLite file or a database URL (postgresql+psycopg://...).",
)
@click.option("--topic", help="Only propositions whose label or claims contain this text.")
@click.option("--entity", help="Only propositions with a claim by this entity (name or alias).")
@click.option("--since", help="Only propositions seen on or after this date (YYYY-MM-DD).")
@click.option(
    "--min-claims",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="Only propositions with at least this many claims.",
)
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(min=1),
    help="Propositions at most (the most claimed first).",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "markdown", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--no-update",
    is_flag=True,
    help="Only read: do not first place the articles stored since the last run.",
)
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
def narratives(
    db: str,
    topic: str | None,
    entity: str | None,
    since: str | None,
    min_claims: int,
    limit: int,
    fmt: str,
    no_update: bool,
    no_progress: bool,
) -> None:
    """Propositions across the stored articles: who supports and who denies each, the
    outlets, first and last seen, and the contradictions side by side.

    Articles stored since the last run are first read into the narratives
    (incrementally: old claims are not read again).

    \b
    Examples:
      claimgraph ingest examples/*.html && claimgraph narratives
      claimgraph narratives --entity Ukraine --format markdown
      claimgraph narratives --topic attack --since 2024-03-01 --format json
    """
    from claimgraph.narratives.build import update
    from claimgraph.narratives.query import narratives as query
    from claimgraph.store import open_store

    after = _since(since)
    with open_store(db, create=False) as store:
        if not no_update:
            pending = store.count_pending_narratives()
            if pending:
                from tqdm import tqdm

                with tqdm(
                    total=pending,
                    unit="doc",
                    disable=True if no_progress else None,
                    file=sys.stderr,
                    leave=False,
                ) as bar:
                    stats = update(store, progress=bar.update)
                click.echo(
                    f"claimgraph: read {stats.articles:,} new articles: {stats.claims:,} "
                    f"claims, {stats.new_propositions:,} new propositions, "
                    f"{stats.contradictions:,} contradictions",
                    err=True,
                )
        result = query(
            store, topic=topic, entity=entity, since=after, min_claims=min_claims, limit=limit
        )
    if fmt == "json":
        click.echo(json.dumps(result, indent=1, ensure_ascii=False))
        return
    if not result["propositions"]:
        click.echo(
            "no propositions match"
            + ("" if min_claims == 1 else f" (with {min_claims}+ claims; try --min-claims 1)"),
            err=True,
        )
        return
    from claimgraph.outputs.narratives import print_markdown, print_table

    (print_markdown if fmt == "markdown" else print_table)(result)


__all__ = ["narratives"]
