"""Terminal rendering with rich."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from claimgraph.model import ArticleAnalysis
from claimgraph.outputs.escape import escape_console
from claimgraph.outputs.views import all_views, article_facts

#: Columns that hold sentences and get most of the width.
WIDE = frozenset({"content", "claim", "explanation", "why"})
#: Short values shown at their natural width.
NARROW = frozenset({"#", "kind", "conf", "type", "code", "mentions", "value", "CAMEO"})


def print_analysis(analysis: ArticleAnalysis, console: Console) -> None:
    """Print one analysis as readable tables."""
    facts = dict(article_facts(analysis))
    heading = facts.pop("title", None) or facts.get("source") or analysis.article.id
    console.rule(f"[bold]{escape_console(heading)}")
    console.print("  ".join(f"[dim]{k}:[/dim] {escape_console(v)}" for k, v in facts.items()))
    for view in all_views(analysis):
        table = Table(
            title=escape_console(view.title), title_justify="left", show_lines=False, expand=True
        )
        for column in view.header:
            if column in WIDE:
                table.add_column(column, overflow="fold", ratio=3)
            elif column in NARROW:
                table.add_column(column, no_wrap=True)
            else:
                table.add_column(column, overflow="fold", ratio=1, min_width=len(column))
        for row in view.rows:
            table.add_row(*(escape_console(cell) for cell in row))
        if not view.rows:
            table.caption = "none found"
        console.print(table)
