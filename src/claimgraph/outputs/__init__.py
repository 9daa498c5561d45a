"""Renderers: analyses out as JSON, JSONL, Markdown or a terminal table.

Reads finished :class:`~claimgraph.model.ArticleAnalysis` objects (and recorded
:class:`~claimgraph.model.Failure` objects) and adds nothing to them: every renderer
prints the model's own fields, so every format carries the same character spans.
"""

from __future__ import annotations

from claimgraph.outputs.json import analysis_schema, to_json, to_jsonl_line
from claimgraph.outputs.markdown import to_markdown

FORMATS = ("table", "json", "jsonl", "markdown")

__all__ = ["FORMATS", "analysis_schema", "to_json", "to_jsonl_line", "to_markdown"]
