"""``claimgraph schema``: the JSON Schema of the output."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command()
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


__all__ = ["schema"]
