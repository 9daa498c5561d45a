"""The ``claimgraph`` command line: a thin layer over the library.

Results go to stdout (or ``-o``), messages and progress to stderr. Library errors
become one-line messages in one place (:func:`_fail`); no command prints a traceback
for bad input.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NoReturn, TypeVar

import click

from claimgraph import __version__
from claimgraph.config import Config, load_config
from claimgraph.errors import ClaimgraphError
from claimgraph.model import ArticleAnalysis, Failure

logger = logging.getLogger("claimgraph")

F = TypeVar("F", bound=Callable[..., Any])

#: Evaluation tasks: CLI name -> module under claimgraph.evaluation.
EVAL_TASKS = {
    "attribution": "attribution",
    "events": "events",
    "hedging": "hedging",
    "machine-text": "machine_text",
}


def _fail(err: ClaimgraphError) -> NoReturn:
    click.echo(f"claimgraph: error: {err}", err=True)
    sys.exit(err.exit_code)


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("claimgraph")
    root.handlers[:] = [handler]
    root.setLevel(level)


def exit_code_for(n_ok: int, n_failed: int) -> int:
    """0 when everything was analysed, 1 when some inputs failed, 126 when (almost) all did."""
    total = n_ok + n_failed
    if n_failed == 0:
        return 0
    if total and n_failed / total > 0.99:
        return 126
    return 1


def _config(config_path: str | None, model: str | None, no_cue_encoder: bool = False) -> Config:
    overrides: dict[str, object] = {}
    if model:
        overrides["nlp.model"] = model
    if no_cue_encoder:
        overrides["attribution.cue_encoder"] = False
    return load_config(config_path, **overrides)


def _config_options(command: F) -> F:
    """The ``--config``, ``--model`` and ``--no-cue-encoder`` options every command that
    loads the pipeline takes."""
    command = click.option(
        "--no-cue-encoder",
        is_flag=True,
        help="Find reporting cues with the CRF alone and named entities with spaCy's ner, "
        "without the transformer encoder (lower recall; slower where a second core is free).",
    )(command)
    command = click.option(
        "--model",
        help='spaCy pipeline: a package name or path, or "md" for the medium English model.',
    )(command)
    return click.option(
        "--config",
        "config_path",
        type=click.Path(exists=True, dir_okay=False),
        help="TOML config file.",
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="claimgraph")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-v, -vv).")
def cli(verbose: int) -> None:
    """Who claims what, about whom, on what evidence: analyse news articles.

    \b
    Examples:
      claimgraph analyze article.html
      claimgraph analyze https://example.org/news/story --format json -o story.json
      cat story.txt | claimgraph analyze - --format markdown
      claimgraph analyze corpus.jsonl --format jsonl -o analyses.jsonl
      claimgraph eval attribution dev.jsonl --fold heldout
    """
    _setup_logging(verbose)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl", "markdown"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write here instead of stdout.",
)
@click.option(
    "--input-format",
    type=click.Choice(["auto", "text", "html", "jsonl", "feed", "warc"]),
    default="auto",
    show_default=True,
    help="How to read the inputs (auto: by scheme, extension and content).",
)
@_config_options
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
    were analysed, 1 when some failed, 126 when all failed.
    """
    from claimgraph.ingest import load_inputs
    from claimgraph.pipeline import Pipeline

    try:
        config = _config(config_path, model, no_cue_encoder)
        pipeline = Pipeline(config)
    except ClaimgraphError as err:
        _fail(err)

    articles = load_inputs(
        inputs, config=config.ingest, stdin=sys.stdin.buffer, input_format=input_format
    )
    results = pipeline.analyze(articles)
    n_ok = n_failed = 0
    collected: list[ArticleAnalysis | Failure] = []
    stream = _open_output(output)
    try:
        for item in _progress(results, total=len(inputs), disable=no_progress):
            if isinstance(item, Failure):
                n_failed += 1
                click.echo(
                    f"claimgraph: error: [{item.code}] {item.input}: {item.message}", err=True
                )
            else:
                n_ok += 1
            if fmt == "jsonl":
                from claimgraph.outputs import to_jsonl_line

                stream.write(to_jsonl_line(item) + "\n")
                stream.flush()
            else:
                collected.append(item)
        _render(fmt, collected, stream)
    except ClaimgraphError as err:
        _fail(err)
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


def _progress(items: Iterator[Any], *, total: int, disable: bool) -> Iterator[Any]:
    if disable:
        yield from items
        return
    from tqdm import tqdm

    # disable=None turns the bar off when stderr is not a terminal.
    yield from tqdm(items, total=total, unit="article", disable=None, file=sys.stderr, leave=False)


def _render(fmt: str, items: list[ArticleAnalysis | Failure], stream: IO[str]) -> None:
    if fmt == "jsonl":
        return
    if fmt == "json":
        from claimgraph.outputs import to_json

        stream.write(to_json(items) + "\n")
    elif fmt == "markdown":
        from claimgraph.outputs import to_markdown

        stream.write(to_markdown(items))
    else:
        from rich.console import Console

        from claimgraph.outputs.table import print_analysis

        console = Console(file=stream)
        if not console.is_terminal:
            console.width = 140  # a file or a pipe: wide enough for readable tables
        for item in items:
            if isinstance(item, ArticleAnalysis):
                print_analysis(item, console)


@cli.command("eval")
@click.argument("task", type=click.Choice(sorted(EVAL_TASKS)))
@click.argument("data", type=click.Path(dir_okay=False))
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False, writable=True),
    help="Write predictions (JSONL) here.",
)
@click.option(
    "--fold",
    type=click.Choice(["all", "train", "heldout"]),
    default="all",
    show_default=True,
    help="Score only this fold of the data (models are fitted on the train fold only).",
)
@_config_options
@click.option(
    "--json", "as_json", is_flag=True, help="Print the metrics as JSON instead of a table."
)
def eval_command(
    task: str,
    data: str,
    predictions: str | None,
    fold: str,
    config_path: str | None,
    model: str | None,
    no_cue_encoder: bool,
    as_json: bool,
) -> None:
    """Score claimgraph on an annotated corpus (TASK: attribution, events, hedging, machine-text).

    Predicts from the text alone, optionally writes the predictions, and prints
    precision/recall/F1 (or AUROC). The last line is the headline metric, e.g.
    ``attribution_f1_overlap=0.7000``.
    """
    if not Path(data).is_file():
        raise click.ClickException(f"no such data file: {data}")
    try:
        config = _config(config_path, model, no_cue_encoder)
        module = importlib.import_module(f"claimgraph.evaluation.{EVAL_TASKS[task]}")
        report = module.evaluate(
            Path(data),
            predictions=Path(predictions) if predictions else None,
            fold=fold,
            config=config,
            progress=True,
        )
    except ClaimgraphError as err:
        _fail(err)
    if as_json:
        click.echo(
            json.dumps({"task": report.task, "metrics": report.metrics}, indent=2, sort_keys=True)
        )
    else:
        click.echo(report.render())


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write here instead of stdout.",
)
def schema(output: str | None) -> None:
    """Print the JSON Schema of one article analysis (the versioned output format)."""
    from claimgraph.outputs import analysis_schema

    text = json.dumps(analysis_schema(), indent=2, sort_keys=True) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def main() -> None:  # pragma: no cover - console entry point alias
    cli()


__all__ = ["cli", "exit_code_for"]
