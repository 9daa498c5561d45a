"""The ``claimgraph`` command line: a thin layer over the library.

One module per command (:mod:`~claimgraph.cli.analyze`, :mod:`~claimgraph.cli.evaluate`,
:mod:`~claimgraph.cli.schema`), each parsing its options and calling one library
function.  Results go to stdout (or ``-o``), messages and progress to stderr.  Library
errors become one-line messages in one place (:func:`~claimgraph.cli.common.fail`); no
command prints a traceback for bad input.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from claimgraph import __version__
from claimgraph.cli.analyze import analyze
from claimgraph.cli.common import exit_code_for, fail, setup_logging
from claimgraph.cli.evaluate import eval_command
from claimgraph.cli.narratives import narratives
from claimgraph.cli.schema import schema
from claimgraph.cli.spark import spark
from claimgraph.cli.store import entities, export, ingest, search
from claimgraph.cli.web import report, serve
from claimgraph.errors import ClaimgraphError

logger = logging.getLogger("claimgraph.cli")

#: Exit status of an unexpected error (a bug): EX_SOFTWARE of sysexits.h.
EXIT_INTERNAL_ERROR = 70


class _Group(click.Group):
    """The command group, with the last-resort handler: no command ends in a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except ClaimgraphError as err:
            fail(err)
        except Exception as err:
            logger.debug("unexpected error", exc_info=True)
            click.echo(
                f"claimgraph: internal error: {type(err).__name__}: {err} "
                "(run with -vv to see where; please report it)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL_ERROR)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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
      claimgraph ingest examples/*.html && claimgraph entities --name Okafor
      claimgraph narratives --entity Ukraine
      claimgraph report --db claimgraph.db -o report.html
      claimgraph serve --db claimgraph.db
      claimgraph eval attribution dev.jsonl --fold heldout
    """
    setup_logging(verbose)


for _command in (
    analyze, ingest, search, entities, narratives, export, report, serve, eval_command, schema,
    spark,
):
    cli.add_command(_command)


def main() -> None:  # pragma: no cover - console entry point alias
    cli()


__all__ = ["EXIT_INTERNAL_ERROR", "cli", "exit_code_for", "main"]
