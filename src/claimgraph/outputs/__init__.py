"""Renderers: turn analyses into JSON, JSONL, Markdown or a terminal table."""

from __future__ import annotations

from .json import analysis_schema, to_json, to_jsonl_line
from .markdown import to_markdown

FORMATS = ("table", "json", "jsonl", "markdown")

__all__ = ["FORMATS", "analysis_schema", "to_json", "to_jsonl_line", "to_markdown"]
