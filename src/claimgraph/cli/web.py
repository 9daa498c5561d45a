"""``claimgraph report`` (one offline HTML file) and ``claimgraph serve`` (the web app)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from claimgraph.cli.common import DEFAULT_DB, config_options, input_format_option, make_config
from claimgraph.errors import ConfigError, InputError

_NARRATIVES_HELP = (
    'A JSON file of the narrative layer: {"propositions": [...], "contradictions": [...]}; '
    "its propositions, stances and contradictions are added to the corpus view."
)


def _update_narratives(store: Any) -> None:
    """Read the articles stored since the narratives were last built."""
    from claimgraph.narratives.build import update

    if store.count_pending_narratives():
        update(store)


def _found_narratives(store: Any, topic: str | None) -> dict[str, Any] | None:
    """The store's narratives as the report and the app show them; ``None`` if none."""
    from claimgraph.narratives.query import narratives

    found = narratives(store, topic=topic, min_claims=2, limit=50)
    return found if found["propositions"] or found["contradictions"] else None


def _store_narratives(store: Any, topic: str | None) -> dict[str, Any] | None:
    """The store's own narratives (read up to date first), or ``None`` when it has none."""
    from claimgraph.web.narrative_data import check_narratives

    _update_narratives(store)
    found = _found_narratives(store, topic)
    return check_narratives(found) if found is not None else None


def _live_narratives(db: str) -> Any:
    """A callable giving the store's narratives as they are now (read only)."""

    def read() -> dict[str, Any] | None:
        from claimgraph.store import open_store

        with open_store(db, create=False) as store:
            return _found_narratives(store, None)

    return read


def _read_narratives(path: str | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"cannot read the narratives file: {err}", input=path) from err
    from claimgraph.web.narrative_data import check_narratives

    return check_narratives(data, source=path)


@click.command()
@click.argument("inputs", nargs=-1)
@click.option(
    "--db", help="Report on this store (a SQLite file or a database URL) instead of INPUTs."
)
@click.option("--topic", help="Only the articles that contain all these words (full-text search).")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML file."
)
@click.option(
    "--narratives", "narratives_path", type=click.Path(dir_okay=False), help=_NARRATIVES_HELP
)
@click.option(
    "--max-articles",
    default=100,
    show_default=True,
    help="Articles shown in full (the graph covers all).",
)
@input_format_option
@config_options
@click.option(
    "--allow-private-urls", is_flag=True, default=None, help="Also fetch private-network URLs."
)
def report(
    inputs: tuple[str, ...],
    db: str | None,
    topic: str | None,
    output: str,
    narratives_path: str | None,
    max_articles: int,
    input_format: str,
    config_path: str | None,
    model: str | None,
    no_cue_encoder: bool,
    allow_private_urls: bool | None,
) -> None:
    """Write one self-contained HTML report (opens offline): article views with every
    statement highlighted, and the corpus graph, propositions, contradictions, timeline.

    INPUTs (files, URLs, JSONL, feeds, WARC, -) are analysed first; with --db the stored
    analyses are used.

    \b
    Examples:
      claimgraph report examples/harbor-strike.html -o report.html
      claimgraph report --db corpus.db --topic "harbor strike" -o strike.html
    """
    from claimgraph.outputs.files import atomic_output, check_not_an_input
    from claimgraph.store import open_store
    from claimgraph.web.report import build_report

    if bool(inputs) == bool(db):
        raise click.UsageError("give INPUT files or --db (one of them)")
    check_not_an_input(output, inputs)
    narratives = _read_narratives(narratives_path)
    with tempfile.TemporaryDirectory(prefix="claimgraph-report-") as scratch:
        if inputs:
            db = str(Path(scratch) / "report.db")
            config = make_config(
                config_path,
                model,
                no_cue_encoder,
                **{"ingest.allow_private_urls": allow_private_urls},
            )
            stored, failed = _analyse_into(db, inputs, config, input_format)
            if not stored:
                click.echo(f"claimgraph: nothing to report ({failed} failed)", err=True)
                sys.exit(1)
        assert db is not None
        with open_store(db, create=False) as store:
            if narratives is None:
                narratives = _store_narratives(store, topic)
            page = build_report(
                store, topic=topic, narratives=narratives, max_articles=max_articles
            )
    with atomic_output(output) as stream:
        stream.write(page)
    click.echo(f"claimgraph: wrote {output} ({len(page.encode()):,} bytes)", err=True)


def _analyse_into(
    db: str, inputs: tuple[str, ...], config: Any, input_format: str
) -> tuple[int, int]:
    from claimgraph.ingest import load_inputs
    from claimgraph.pipeline import Pipeline, weights_hash
    from claimgraph.store import open_store
    from claimgraph.store.ingest import IngestCounts, ingest

    counts = IngestCounts()
    with open_store(db) as store:
        items = load_inputs(
            inputs, config=config.ingest, stdin=sys.stdin.buffer, input_format=input_format
        )
        events = ingest(
            store, items, analyser=lambda: Pipeline(config), weights_hash=weights_hash(config)
        )
        for event in events:
            counts.add(event)
            if event.failure is not None:
                message = " ".join(event.failure.message.split())
                click.echo(
                    f"claimgraph: error: [{event.failure.code}] {event.failure.input}: {message}",
                    err=True,
                )
    return counts.stored + counts.skipped, counts.failed


@click.command()
@click.option(
    "--db", default=DEFAULT_DB, show_default=True, help="The store (SQLite file or database URL)."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--token",
    envvar="CLAIMGRAPH_TOKEN",
    help="Token the writing endpoints require (env CLAIMGRAPH_TOKEN); one is made up "
    "and printed when the app listens beyond loopback without one.",
)
@click.option(
    "--narratives", "narratives_path", type=click.Path(dir_okay=False), help=_NARRATIVES_HELP
)
@config_options
def serve(
    db: str,
    host: str,
    port: int,
    token: str | None,
    narratives_path: str | None,
    config_path: str | None,
    model: str | None,
    no_cue_encoder: bool,
) -> None:
    """Serve the web app: analyse pasted text, URLs and HTML files; browse and search the
    store; a JSON API under /api/ (OpenAPI at /docs).

    \b
    Examples:
      claimgraph serve --db corpus.db
      CLAIMGRAPH_TOKEN=secret claimgraph serve --host 0.0.0.0 --port 8080
    """
    import secrets

    try:
        import uvicorn

        from claimgraph.web.app import create_app, is_loopback
    except ModuleNotFoundError as err:
        raise ConfigError(
            f"the web app needs {err.name!r}: install claimgraph[web] (FastAPI, uvicorn)"
        ) from err

    if not is_loopback(host) and not token:
        token = secrets.token_urlsafe(24)
        click.echo(f"claimgraph: writing endpoints need this token: {token}", err=True)
    config = make_config(config_path, model, no_cue_encoder)
    narratives: Any = _read_narratives(narratives_path)
    if narratives is None:
        from claimgraph.store import open_store

        with open_store(db) as store:  # the store's narratives, up to date at start
            _update_narratives(store)
        narratives = _live_narratives(db)
    app = create_app(
        db,
        config=config,
        token=token,
        require_token=not is_loopback(host),
        narratives=narratives,
    )
    uvicorn.run(app, host=host, port=port, log_level="info")


__all__ = ["report", "serve"]
