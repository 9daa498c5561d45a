"""Markdown report of one or more analyses."""

from __future__ import annotations

from claimgraph.model import ArticleAnalysis, Failure
from claimgraph.outputs.views import all_views, article_facts


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(items: list[ArticleAnalysis | Failure]) -> str:
    """A Markdown document: per article its facts and tables; failures listed last."""
    out: list[str] = []
    for item in items:
        if isinstance(item, Failure):
            continue
        facts = dict(article_facts(item))
        out.append(f"## {facts.get('title') or facts.get('source') or item.article.id}\n")
        for key, value in article_facts(item):
            if key != "title":
                out.append(f"- **{key}**: {_cell(value)}")
        out.append("")
        for view in all_views(item):
            out.append(f"### {view.title}\n")
            if not view.rows:
                out.append("_none found_\n")
                continue
            out.append("| " + " | ".join(view.header) + " |")
            out.append("|" + "---|" * len(view.header))
            for row in view.rows:
                out.append("| " + " | ".join(_cell(c) for c in row) + " |")
            out.append("")
    failures = [i for i in items if isinstance(i, Failure)]
    if failures:
        out.append("## Failures\n")
        for failure in failures:
            out.append(f"- `{failure.input}`: [{failure.code}] {failure.message}")
        out.append("")
    return "\n".join(out)
