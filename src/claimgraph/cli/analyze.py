"""``claimgraph analyze``: inputs in, one analysis (or one recorded failure) per document out."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import IO, Any

import click

from claimgraph.cli.common import (
    config_options,
    exit_code_for,
    fail,
    input_format_option,
    make_config,
    workers_option,
)
from claimgraph.errors import ClaimgraphError
from claimgraph.model import Failure
from claimgraph.outputs.writers import FORMATS


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format. Every format is written as the results come (JSON and Markdown "
    "list the failures at the end).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write here instead of stdout.",
)
@input_format_option
@config_options
@click.option(
    "--allow-private-urls",
    is_flag=True,
    default=None,
    help="Also fetch URLs on loopback, private and link-local addresses (your own "
    "network). By default they are refused, so that a URL cannot reach this machine's "
    "own services.",
)
@workers_option
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
def analyze(
    inputs: tuple[str, ...],
    fmt: str,
    output: str | None,
    input_format: str,
    config_path: str | None,
    model: str | None,
    no_cue_encoder: bool,
    allow_private_urls: bool | None,
    workers: int | str,
    no_progress: bool,
) -> None:
    """Analyse articles: files, URLs, JSONL, feeds, WARC, or - for stdin.

    Each INPUT is a path, an http(s) URL or "-". One bad input is reported on stderr
    with its reason and the rest is still analysed. Exit status: 0 when all inputs
    were analysed, 1 when some failed, 126 when more than 99 % failed.

    \b
    Examples:
      claimgraph analyze article.html
      claimgraph analyze corpus.jsonl feed.xml crawl.warc.gz -f jsonl -o out.jsonl
      cat story.txt | claimgraph analyze - -f markdown
    """
    from claimgraph.ingest import IngestStats, count_documents, load_inputs
    from claimgraph.outputs.files import check_not_an_input
    from claimgraph.outputs.writers import open_writer
    from claimgraph.pipeline import Pipeline
    from claimgraph.workers import analyze_in_workers

    stats = IngestStats()
    try:
        if output is not None:
            check_not_an_input(output, inputs)
        config = make_config(
            config_path,
            model,
            no_cue_encoder,
            **{"ingest.allow_private_urls": allow_private_urls},
        )
        pipeline = Pipeline(config)
        articles = load_inputs(
            inputs,
            config=config.ingest,
            stdin=sys.stdin.buffer,
            input_format=input_format,
            stats=stats,
        )
    except ClaimgraphError as err:
        fail(err)
    total = None if no_progress else count_documents(inputs, input_format=input_format)
    n_ok = n_failed = 0
    with _output(output, fmt) as stream:
        writer = open_writer(fmt, stream)
        results = analyze_in_workers(pipeline, articles, workers=workers)
        for item in progress(results, total=total, disable=no_progress):
            if isinstance(item, Failure):
                n_failed += 1
                message = " ".join(item.message.split())  # one line, whatever the cause
                click.echo(f"claimgraph: error: [{item.code}] {item.input}: {message}", err=True)
            else:
                n_ok += 1
            writer.write(item)
        writer.close()
    skipped = stats.summary()
    if (n_failed and n_ok + n_failed > 1) or skipped:
        summary = f"claimgraph: {n_ok:,} analysed, {n_failed:,} failed"
        click.echo(summary + (f"; {skipped}" if skipped else ""), err=True)
    sys.exit(exit_code_for(n_ok, n_failed))


@contextlib.contextmanager
def _output(output: str | None, fmt: str) -> Iterator[IO[str]]:
    """stdout, or the ``-o`` file: JSONL appended line by line as results come, every
    other format written to a temporary file renamed over ``-o`` when the run finishes
    (an interrupted run leaves the old file as it was)."""
    from claimgraph.outputs.files import atomic_output

    if output is None:
        yield sys.stdout
    elif fmt == "jsonl":
        try:
            lines = open(output, "w", encoding="utf-8")
        except OSError as err:
            raise click.ClickException(f"cannot write {output}: {err.strerror}") from err
        with lines:
            yield lines
    else:
        with atomic_output(output) as whole:
            yield whole


def progress(items: Iterator[Any], *, total: int | None, disable: bool) -> Iterator[Any]:
    """A bar counting documents (``total`` when it is known) on stderr."""
    if disable:
        yield from items
        return
    from tqdm import tqdm

    # disable=None turns the bar off when stderr is not a terminal.
    yield from tqdm(items, total=total, unit="doc", disable=None, file=sys.stderr, leave=False)


__all__ = ["analyze", "progress"]
