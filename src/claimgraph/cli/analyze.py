"""``claimgraph analyze``: inputs in, one analysis (or one recorded failure) per document out."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import IO, Any

import click

from claimgraph.cli.common import config_options, exit_code_for, fail, make_config
from claimgraph.errors import ClaimgraphError
from claimgraph.ingest import INPUT_FORMATS
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
@click.option(
    "--input-format",
    type=click.Choice(INPUT_FORMATS),
    default="auto",
    show_default=True,
    help="How to read the inputs (auto: by scheme, extension and content).",
)
@config_options
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
def analyze(
    inputs: tuple[str, ...],
    fmt: str,
    output: str | None,
    input_format: str,
    config_path: str | None,
    model: str | None,
    no_cue_encoder: bool,
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
    from claimgraph.ingest import count_documents, load_inputs
    from claimgraph.outputs.writers import open_writer
    from claimgraph.pipeline import Pipeline

    try:
        config = make_config(config_path, model, no_cue_encoder)
        pipeline = Pipeline(config)
        articles = load_inputs(
            inputs, config=config.ingest, stdin=sys.stdin.buffer, input_format=input_format
        )
    except ClaimgraphError as err:
        fail(err)
    total = None if no_progress else count_documents(inputs, input_format=input_format)
    n_ok = n_failed = 0
    stream = _open_output(output)
    try:
        writer = open_writer(fmt, stream)
        for item in _progress(pipeline.analyze(articles), total=total, disable=no_progress):
            if isinstance(item, Failure):
                n_failed += 1
                click.echo(
                    f"claimgraph: error: [{item.code}] {item.input}: {item.message}", err=True
                )
            else:
                n_ok += 1
            writer.write(item)
        writer.close()
    except ClaimgraphError as err:
        fail(err)
    finally:
        if stream is not sys.stdout:
            stream.close()
    if n_failed and n_ok + n_failed > 1:
        click.echo(f"claimgraph: {n_ok} analysed, {n_failed} failed", err=True)
    sys.exit(exit_code_for(n_ok, n_failed))


def _open_output(output: str | None) -> IO[str]:
    if output is None:
        return sys.stdout
    try:
        return open(output, "w", encoding="utf-8")
    except OSError as err:
        raise click.ClickException(f"cannot write {output}: {err.strerror}") from err


def _progress(items: Iterator[Any], *, total: int | None, disable: bool) -> Iterator[Any]:
    """A bar counting documents (``total`` when it is known) on stderr."""
    if disable:
        yield from items
        return
    from tqdm import tqdm

    # disable=None turns the bar off when stderr is not a terminal.
    yield from tqdm(items, total=total, unit="doc", disable=None, file=sys.stderr, leave=False)


__all__ = ["analyze"]
