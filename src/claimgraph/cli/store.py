"""The corpus commands: ``ingest`` analyses into a store, ``search``, ``entities`` and
``export`` read it.  Each opens the store (``--db``, default ``claimgraph.db``) and calls
one library function."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from claimgraph.cli.common import (
    DEFAULT_DB,
    config_options,
    exit_code_for,
    input_format_option,
    make_config,
    workers_option,
)

_DB_HELP = (
    f"The store: a SQLite file (default {DEFAULT_DB} here) or a database URL such as "
    "postgresql+psycopg://user@host/db (with the postgres extra)."
)


F = TypeVar("F", bound=Callable[..., Any])


def _db_option(command: F) -> F:
    return click.option("--db", default=DEFAULT_DB, show_default=True, help=_DB_HELP)(command)


@click.command()
@click.argument("inputs", nargs=-1)
@_db_option
@click.option(
    "--from-parquet",
    "from_parquet",
    metavar="DIR",
    help="Load the Parquet tables of a Spark run (claimgraph spark analyze --out DIR) "
    "instead of analysing INPUTS.",
)
@input_format_option
@click.option(
    "--reanalyze",
    is_flag=True,
    help="Analyse again the stored articles whose analysis came from another claimgraph "
    "version or other weights (others are skipped as always).",
)
@config_options
@click.option(
    "--allow-private-urls", is_flag=True, default=None, help="Also fetch private-network URLs."
)
@workers_option
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
def ingest(
    inputs: tuple[str, ...],
    db: str,
    from_parquet: str | None,
    input_format: str,
    reanalyze: bool,
    config_path: str | None,
    model: str | None,
    no_cue_encoder: bool,
    allow_private_urls: bool | None,
    workers: int | str,
    no_progress: bool,
) -> None:
    """Analyse articles into a store: files, directories, URLs, JSONL, feeds, WARC, or -.

    Articles already stored (the same normalised text) are skipped, so a run can be
    repeated or resumed after an interruption; each article is committed on its own.
    Bad inputs are recorded in the store's failures table and reported on stderr.

    \b
    Examples:
      claimgraph ingest examples/*.html
      claimgraph ingest crawl.warc.gz feed.xml --db corpus.db
      claimgraph ingest corpus.jsonl --db postgresql+psycopg://localhost/claims
      claimgraph ingest --from-parquet spark-out/ --db corpus.db
    """
    if bool(inputs) == bool(from_parquet):
        raise click.UsageError("give INPUTS to analyse, or --from-parquet DIR (not both)")
    if from_parquet:
        _ingest_parquet(from_parquet, db, reanalyze=reanalyze, no_progress=no_progress)
        return
    from claimgraph.cli.analyze import progress
    from claimgraph.ingest import IngestStats, count_documents, load_inputs
    from claimgraph.pipeline import Pipeline, weights_hash
    from claimgraph.store import open_store
    from claimgraph.store.ingest import IngestCounts
    from claimgraph.store.ingest import ingest as ingest_into
    from claimgraph.workers import WorkerAnalyser

    config = make_config(
        config_path,
        model,
        no_cue_encoder,
        **{"ingest.allow_private_urls": allow_private_urls},
    )
    stats = IngestStats()
    digest = weights_hash(config)
    counts = IngestCounts()
    with open_store(db) as store:
        run_id = store.start_run(
            command="ingest " + " ".join(inputs), config_hash=config.digest(), weights_hash=digest
        )
        items = load_inputs(
            inputs,
            config=config.ingest,
            stdin=sys.stdin.buffer,
            input_format=input_format,
            stats=stats,
        )
        total = None if no_progress else count_documents(inputs, input_format=input_format)
        events = ingest_into(
            store,
            items,
            analyser=lambda: WorkerAnalyser(Pipeline(config), workers),
            weights_hash=digest,
            run_id=run_id,
            reanalyze=reanalyze,
        )
        for event in progress(events, total=total, disable=no_progress):
            counts.add(event)
            if event.failure is not None:
                message = " ".join(event.failure.message.split())
                click.echo(
                    f"claimgraph: error: [{event.failure.code}] {event.failure.input}: {message}",
                    err=True,
                )
        store.finish_run(run_id, counts.as_dict())
    summary = (
        f"claimgraph: {counts.stored:,} stored, {counts.skipped:,} already stored, "
        f"{counts.failed:,} failed"
    )
    skipped = stats.summary()
    click.echo(summary + (f"; {skipped}" if skipped else "") + f" ({db})", err=True)
    sys.exit(exit_code_for(counts.stored + counts.skipped, counts.failed))


def _ingest_parquet(directory: str, db: str, *, reanalyze: bool, no_progress: bool) -> None:
    """``ingest --from-parquet``: store the analyses of a Spark run."""
    from claimgraph.cli.analyze import progress
    from claimgraph.store import open_store
    from claimgraph.store.ingest import IngestCounts, ingest_analyses
    from claimgraph.store.parquet import read_manifest, read_spark_output

    manifest = read_manifest(directory)
    counts = IngestCounts()
    with open_store(db) as store:
        run_id = store.start_run(
            command=f"ingest --from-parquet {directory}",
            config_hash=str(manifest.get("config_hash", "")),
            weights_hash=str(manifest.get("weights_hash", "")),
        )
        events = ingest_analyses(
            store, read_spark_output(directory), run_id=run_id, reanalyze=reanalyze
        )
        for event in progress(events, total=None, disable=no_progress):
            counts.add(event)
            if event.failure is not None:
                message = " ".join(event.failure.message.split())
                click.echo(
                    f"claimgraph: error: [{event.failure.code}] {event.failure.input}: {message}",
                    err=True,
                )
        store.finish_run(run_id, counts.as_dict())
    click.echo(
        f"claimgraph: {counts.stored:,} stored, {counts.skipped:,} already stored, "
        f"{counts.failed:,} failed ({db})",
        err=True,
    )
    sys.exit(exit_code_for(counts.stored + counts.skipped, counts.failed))


@click.command()
@click.argument("query")
@_db_option
@click.option("--limit", default=20, show_default=True, help="Results of each kind at most.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def search(query: str, db: str, limit: int, as_json: bool) -> None:
    """Find stored articles and statements that contain all words of QUERY.

    \b
    Example:
      claimgraph search "attack Belarus" --db corpus.db
    """
    from claimgraph.outputs.escape import escape_console
    from claimgraph.store import open_store

    with open_store(db, create=False) as store:
        results = store.search(query, limit=limit)
    if as_json:
        click.echo(json.dumps(results, indent=1, ensure_ascii=False))
        return
    if not results:
        click.echo("no matches", err=True)
        return
    from rich.console import Console

    console = Console()
    for result in results:
        kind = "article  " if result["kind"] == "article" else "statement"
        who = escape_console(result["title"])
        console.print(f"[bold]{kind}[/bold] {result['article_id']}  {who}")
        console.print(f"    {escape_console(result['text'])}")


@click.command()
@_db_option
@click.option("--name", help="Only entities whose name or alias contains this.")
@click.option("--limit", default=20, show_default=True, help="Entities at most.")
@click.option("--json", "as_json", is_flag=True, help="Print the entities as JSON.")
def entities(db: str, name: str | None, limit: int, as_json: bool) -> None:
    """Entities across the stored articles: aliases, articles, what each said and the
    speech acts aimed at it.

    \b
    Example:
      claimgraph entities --name Putin
    """
    from claimgraph.store import open_store
    from claimgraph.store.report import entity_report

    with open_store(db, create=False) as store:
        reports = [entity_report(store, entity) for entity in store.entities(name, limit=limit)]
    if as_json:
        click.echo(json.dumps(reports, indent=1, ensure_ascii=False, sort_keys=True))
        return
    if not reports:
        click.echo("no entities" + (f" matching {name!r}" if name else ""), err=True)
        return
    from claimgraph.store.report import print_entity_reports

    print_entity_reports(reports)


@click.command()
@_db_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet", "graphml", "jsonld"]),
    required=True,
    help="jsonl: analyses; csv/parquet: a directory of tables; graphml: the speech-act "
    "graph of entities (Gephi); jsonld: statements as schema.org Claims.",
)
@click.option("-o", "--output", required=True, type=click.Path(), help="File (or directory).")
def export(db: str, fmt: str, output: str) -> None:
    """Export the store for other tools.

    \b
    Examples:
      claimgraph export -f graphml -o claims.graphml
      claimgraph export -f parquet -o tables/
    """
    from claimgraph.outputs.exports import export as write
    from claimgraph.store import open_store

    with open_store(db, create=False) as store:
        n = write(store, fmt, Path(output))
    unit = "rows" if fmt in ("csv", "parquet") else "items"
    click.echo(f"claimgraph: wrote {n:,} {unit} to {output}", err=True)


__all__ = ["entities", "export", "ingest", "search"]
