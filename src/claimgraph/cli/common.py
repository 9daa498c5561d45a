"""What every command shares: logging, the config options, one-line errors, exit codes."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from claimgraph.config import Config, load_config
from claimgraph.errors import ClaimgraphError

#: The default store (:data:`claimgraph.store.connect.DEFAULT_DB`, named here so that
#: starting the command line does not import the store and SQLAlchemy: ``analyze``
#: needs neither).
DEFAULT_DB = "claimgraph.db"

F = TypeVar("F", bound=Callable[..., Any])


#: Libraries whose own log lines would repeat, less clearly, a failure claimgraph reports.
QUIET_LIBRARIES = ("warcio", "trafilatura", "htmldate", "courlan", "justext", "charset_normalizer")


def fail(err: ClaimgraphError) -> NoReturn:
    """Report a library error in one line on stderr and exit with its status."""
    click.echo(f"claimgraph: error: {err}", err=True)
    sys.exit(err.exit_code)


def setup_logging(verbose: int) -> None:
    """Log claimgraph's messages to stderr: warnings, ``-v`` info, ``-vv`` debug."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("claimgraph")
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The extraction and archive libraries log what they repair or give up on ("parsed
    # tree length: 0", spaces in a URI); claimgraph reports every input it cannot use in
    # one line of its own, so theirs appear only with -v.
    for name in QUIET_LIBRARIES:
        library = logging.getLogger(name)
        library.handlers[:] = [handler]
        library.propagate = False
        library.setLevel(level if verbose else logging.CRITICAL)


def exit_code_for(n_ok: int, n_failed: int) -> int:
    """0 when everything was analysed, 1 when some inputs failed, 126 when more than
    99 % of them failed (trafilatura's convention: a batch that is almost all failures
    is a failed batch)."""
    total = n_ok + n_failed
    if n_failed == 0:
        return 0
    if total and n_failed / total > 0.99:
        return 126
    return 1


def make_config(
    config_path: str | None,
    model: str | None,
    no_cue_encoder: bool = False,
    **overrides: object,
) -> Config:
    """The config of a ``--config`` file with the ``--model`` and ``--no-cue-encoder``
    options and other ``section.key`` ``overrides`` applied (``None`` leaves a key as the
    file has it)."""
    if model:
        overrides["nlp.model"] = model
    if no_cue_encoder:
        overrides["attribution.cue_encoder"] = False
    return load_config(config_path, **overrides)


def input_format_option(command: F) -> F:
    """The ``--input-format`` option of every command that reads inputs."""
    from claimgraph.ingest import INPUT_FORMATS

    return click.option(
        "--input-format",
        type=click.Choice(INPUT_FORMATS),
        default="auto",
        show_default=True,
        help="How to read the inputs (auto: by scheme, extension and content).",
    )(command)


def _workers_value(ctx: click.Context, param: click.Parameter, value: str) -> int | str:
    if value == "auto":
        return value
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise click.BadParameter(f"{value!r} is neither a positive number nor auto")
    return count


def workers_option(command: F) -> F:
    """The ``--workers`` option of every command that analyses articles."""
    from claimgraph.workers import MAX_AUTO_WORKERS

    return click.option(
        "-j",
        "--workers",
        default="auto",
        show_default=True,
        callback=_workers_value,
        help="Processes analysing side by side: a number, or auto (one per core, at most "
        f"{MAX_AUTO_WORKERS}, and as many as the free memory holds). The models load once "
        "and are shared; each further process adds its working memory (about 0.2-0.4 GB). "
        "1 analyses in this process.",
    )(command)


def config_options(command: F) -> F:
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
        help="TOML config file (paths in it are relative to the file).",
    )(command)


__all__ = [
    "DEFAULT_DB",
    "QUIET_LIBRARIES",
    "config_options",
    "exit_code_for",
    "fail",
    "input_format_option",
    "make_config",
    "setup_logging",
    "workers_option",
]
