"""Renderers: analyses out as JSON, JSONL, Markdown or a terminal table.

Reads finished :class:`~claimgraph.model.ArticleAnalysis` objects (and recorded
:class:`~claimgraph.model.Failure` objects) and adds nothing to them: every renderer
prints the model's own fields, so every format carries the same character spans.
:mod:`~claimgraph.outputs.writers` streams each format result by result.
"""

from __future__ import annotations

from claimgraph.outputs.json import analysis_schema, to_json, to_jsonl_line
from claimgraph.outputs.markdown import to_markdown
from claimgraph.outputs.writers import FORMATS, Writer, open_writer

__all__ = [
    "FORMATS",
    "Writer",
    "analysis_schema",
    "open_writer",
    "to_json",
    "to_jsonl_line",
    "to_markdown",
]
