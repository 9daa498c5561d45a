"""Regenerate docs/cli.md from the commands' own --help (run: make docs)."""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from claimgraph.cli import cli

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
COMMANDS: list[list[str]] = [
    [], ["analyze"], ["ingest"], ["search"], ["entities"], ["narratives"], ["export"],
    ["report"], ["serve"], ["eval"], ["schema"], ["spark"], ["spark", "analyze"],
    ["spark", "narratives"],
]


def render() -> str:
    """The Markdown reference: every command's --help, verbatim."""
    runner = CliRunner()
    parts = [
        "# Command-line reference\n",
        "Generated from `--help` by `scripts/gen_cli_docs.py` (`make docs`); "
        "a test checks that it is current.\n",
    ]
    for args in COMMANDS:
        result = runner.invoke(cli, [*args, "--help"], terminal_width=100, prog_name="claimgraph")
        title = " ".join(["claimgraph", *args])
        parts.append(f"## `{title}`\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    if "--check" in sys.argv:
        sys.exit(0 if DOC.read_text(encoding="utf-8") == render() else 1)
    DOC.write_text(render(), encoding="utf-8")
