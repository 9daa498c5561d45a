"""JSON output: deterministic (sorted keys), versioned by ``SCHEMA_VERSION``."""

from __future__ import annotations

import json
from typing import Any

from claimgraph.model import SCHEMA_VERSION, ArticleAnalysis, Failure


def _dump(item: ArticleAnalysis | Failure) -> dict[str, Any]:
    data = item.model_dump(mode="json")
    if isinstance(item, Failure):
        return {"failure": data}
    return data


def to_json(items: list[ArticleAnalysis | Failure], *, indent: int | None = 2) -> str:
    """A JSON document ``{"schema_version", "articles": [...], "failures": [...]}``."""
    payload = {
        "schema_version": SCHEMA_VERSION,
        "articles": [i.model_dump(mode="json") for i in items if isinstance(i, ArticleAnalysis)],
        "failures": [i.model_dump(mode="json") for i in items if isinstance(i, Failure)],
    }
    return json.dumps(payload, indent=indent, sort_keys=True, ensure_ascii=False)


def to_jsonl_line(item: ArticleAnalysis | Failure) -> str:
    """One line of JSONL: an analysis, or ``{"failure": {...}}``."""
    return json.dumps(_dump(item), sort_keys=True, ensure_ascii=False)


def analysis_schema() -> dict[str, Any]:
    """The JSON Schema of one article analysis (the ``articles`` items and JSONL lines)."""
    schema = ArticleAnalysis.model_json_schema(mode="serialization")
    schema["$id"] = f"https://claimgraph.dev/schema/article-analysis-{SCHEMA_VERSION}.json"
    schema["title"] = f"claimgraph ArticleAnalysis {SCHEMA_VERSION}"
    return schema
