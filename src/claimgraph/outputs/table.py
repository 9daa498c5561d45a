"""Terminal rendering with rich."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..model import ArticleAnalysis
from .views import all_views, article_facts


def print_analysis(analysis: ArticleAnalysis, console: Console) -> None:
    """Print one analysis as readable tables."""
    facts = dict(article_facts(analysis))
    heading = facts.pop("title", None) or facts.get("source") or analysis.article.id
    console.rule(f"[bold]{heading}")
    console.print("  ".join(f"[dim]{k}:[/dim] {v}" for k, v in facts.items()))
    for view in all_views(analysis):
        table = Table(title=view.title, title_justify="left", show_lines=False, expand=True)
        for column in view.header:
            wide = column in {"content", "claim", "explanation"}
            table.add_column(column, overflow="fold", ratio=3 if wide else None)
        for row in view.rows:
            table.add_row(*row)
        if not view.rows:
            table.caption = "none found"
        console.print(table)
