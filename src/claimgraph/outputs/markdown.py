"""Markdown report of one or more analyses."""

from __future__ import annotations

from claimgraph.model import ArticleAnalysis, Failure
from claimgraph.outputs.escape import escape_markdown
from claimgraph.outputs.views import all_views, article_facts


def _cell(text: str) -> str:
    return escape_markdown(" ".join(text.split()))


def markdown_article(analysis: ArticleAnalysis) -> str:
    """The Markdown section of one analysis: its facts, then one table per view."""
    out: list[str] = []
    facts = dict(article_facts(analysis))
    heading = facts.get("title") or facts.get("source") or analysis.article.id
    out.append(f"## {_cell(heading)}\n")
    for key, value in article_facts(analysis):
        if key != "title":
            out.append(f"- **{key}**: {_cell(value)}")
    out.append("")
    for view in all_views(analysis):
        out.append(f"### {_cell(view.title)}\n")
        if not view.rows:
            out.append("_none found_\n")
            continue
        out.append("| " + " | ".join(_cell(h) for h in view.header) + " |")
        out.append("|" + "---|" * len(view.header))
        for row in view.rows:
            out.append("| " + " | ".join(_cell(c) for c in row) + " |")
        out.append("")
    return "\n".join(out)


def markdown_failures(failures: list[Failure]) -> str:
    """The closing Markdown section listing the inputs that failed (empty without any)."""
    if not failures:
        return ""
    out = ["## Failures\n"]
    out += [
        f"- {_cell(failure.input)}: \\[{failure.code}\\] {_cell(failure.message)}"
        for failure in failures
    ]
    out.append("")
    return "\n".join(out)


def to_markdown(items: list[ArticleAnalysis | Failure]) -> str:
    """A Markdown document: per article its facts and tables; failures listed last."""
    parts = [markdown_article(i) for i in items if isinstance(i, ArticleAnalysis)]
    failures = markdown_failures([i for i in items if isinstance(i, Failure)])
    return "\n".join([*parts, failures] if failures else parts)


__all__ = ["markdown_article", "markdown_failures", "to_markdown"]
