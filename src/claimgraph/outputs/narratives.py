"""The narratives as a terminal table or Markdown (``claimgraph narratives``).

Reads the JSON-ready result of :func:`claimgraph.narratives.query.narratives`; every
text from the articles is escaped for the medium it is printed in.
"""

from __future__ import annotations

from typing import Any

import click

from claimgraph.outputs.escape import escape_console, escape_markdown

#: Shown with every list of contradictions (command line, report, web app): most that the
#: narratives find in a corpus are not real (19 of the 103 found in 1,096 DEV articles;
#: docs/quality.md).
CANDIDATES_NOTE = (
    "Candidates to check against the sources: most contradictions found between articles "
    "are claims on one topic that can both be true."
)

_STANCE_MARK = {"supports": "+", "denies": "-", "reports": "~", "unrelated": "?"}


def _who(claim: dict[str, Any]) -> str:
    speaker = claim.get("speaker")
    if speaker:
        return str(speaker["name"] or "?")
    return f"{claim.get('site') or 'the article'} (author)"


def _names(side: list[dict[str, Any]]) -> str:
    return ", ".join(f"{s['name']} ({s['claims']})" for s in side) or "-"


def _dates(p: dict[str, Any]) -> str:
    first, last = (p.get("first_seen") or "")[:10], (p.get("last_seen") or "")[:10]
    if not first:
        return "undated"
    return first if first == last else f"{first} .. {last}"


def print_table(result: dict[str, Any]) -> None:
    """Rich tables: one per proposition, then the contradictions."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for p in result["propositions"]:
        table = Table(
            title=f"[bold]#{p['id']}[/bold] {escape_console(p['label'])}",
            caption=f"{p['size']} claims; {_dates(p)}; "
            f"for: {escape_console(_names(p['supporters']))}; "
            f"against: {escape_console(_names(p['deniers']))}",
            show_lines=False,
            expand=True,
        )
        table.add_column("", width=1)
        table.add_column("who", ratio=1)
        table.add_column("claim", ratio=4)
        table.add_column("article", ratio=1)
        for claim in p["claims"]:
            table.add_row(
                _STANCE_MARK.get(claim["stance"], "?"),
                escape_console(_who(claim)),
                escape_console(claim["text"]),
                escape_console(claim.get("site") or claim["article_id"]),
            )
        console.print(table)
    if result["contradictions"]:
        table = Table(
            title="[bold]Contradictions[/bold]",
            caption=CANDIDATES_NOTE,
            expand=True,
            show_lines=True,
        )
        table.add_column("kind", ratio=1)
        table.add_column("one side", ratio=3)
        table.add_column("the other", ratio=3)
        for c in result["contradictions"]:
            table.add_row(
                f"{c['kind']} ({c['about']}, {c['score']:.2f})",
                escape_console(f"{_who(c['a'])}: {c['a']['text']}"),
                escape_console(f"{_who(c['b'])}: {c['b']['text']}"),
            )
        console.print(table)


def render_markdown(result: dict[str, Any]) -> str:
    """The narratives as Markdown."""
    lines = ["# Narratives", ""]
    for p in result["propositions"]:
        lines += [
            f"## {p['id']}. {escape_markdown(p['label'])}",
            "",
            f"{p['size']} claims; {_dates(p)}",
            "",
            f"- **For:** {escape_markdown(_names(p['supporters']))}",
            f"- **Against:** {escape_markdown(_names(p['deniers']))}",
            "",
            "| stance | who | claim | article |",
            "|---|---|---|---|",
        ]
        for claim in p["claims"]:
            lines.append(
                f"| {claim['stance']} | {escape_markdown(_who(claim))} | "
                f"{escape_markdown(claim['text'])} | "
                f"{escape_markdown(claim.get('site') or claim['article_id'])} |"
            )
        lines.append("")
    if result["contradictions"]:
        lines += ["## Contradictions", "", CANDIDATES_NOTE, ""]
        lines += ["| kind | one side | the other |", "|---|---|---|"]
        for c in result["contradictions"]:
            lines.append(
                f"| {c['kind']} ({c['about']}, {c['score']:.2f}) | "
                f"{escape_markdown(_who(c['a']) + ': ' + c['a']['text'])} | "
                f"{escape_markdown(_who(c['b']) + ': ' + c['b']['text'])} |"
            )
    return "\n".join(lines) + "\n"


def print_markdown(result: dict[str, Any]) -> None:
    """Print :func:`render_markdown`."""
    click.echo(render_markdown(result), nl=False)


__all__ = ["print_markdown", "print_table", "render_markdown"]
