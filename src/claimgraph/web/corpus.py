"""What the app's pages and API list and show: pages of articles, entities, search
results, propositions and contradictions, and the detail of each (``NotFoundError`` for
an unknown id).  Both the HTML pages and the JSON API call these."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from claimgraph.errors import InputError, NotFoundError
from claimgraph.model import ArticleAnalysis

if TYPE_CHECKING:
    from claimgraph.store.sql import SqlStore

#: Largest page number honoured (deeper pages are asked for with a search instead).
MAX_PAGE = 10_000


def paged(items: list[Any], total: int, page: int, per_page: int) -> dict[str, Any]:
    pages = max(1, -(-total // per_page))
    return {"items": items, "total": total, "page": page, "per_page": per_page, "pages": pages}


def check_page(page: int, per_page: int) -> tuple[int, int]:
    if page < 1 or page > MAX_PAGE:
        raise InputError(f"page must be between 1 and {MAX_PAGE:,} (got {page})")
    if per_page < 1 or per_page > 100:
        raise InputError(f"per_page must be between 1 and 100 (got {per_page})")
    return (page - 1) * per_page, per_page


def articles(store: SqlStore, q: str | None, page: int, per_page: int) -> dict[str, Any]:
    """Stored articles (newest first), or those matching ``q`` by full-text search."""
    from claimgraph.store.browse import article_page

    offset, limit = check_page(page, per_page)
    if q and q.strip():
        hits = store.search(q, limit=offset + limit + 1)
        ids = list(dict.fromkeys(hit["article_id"] for hit in hits))
        snippets: dict[str, str] = {}
        for hit in hits:
            snippets.setdefault(hit["article_id"], hit["text"])
        rows, _ = article_page(store, ids=ids[offset : offset + limit], limit=limit)
        for row in rows:
            row["hit"] = snippets.get(row["id"], "")
        total = len(ids)
    else:
        rows, total = article_page(store, offset=offset, limit=limit)
    return paged(rows, total, page, per_page)


def article(store: SqlStore, article_id: str) -> ArticleAnalysis:
    from claimgraph.store.browse import get_analysis

    found = get_analysis(store, article_id)
    if found is None:
        raise NotFoundError("no stored article has this id", input=article_id)
    return found


def article_json(store: SqlStore, article_id: str) -> str:
    """The stored analysis of ``article_id`` as JSON text (the data model's shape)."""
    from claimgraph.store.browse import get_analysis_data

    data = get_analysis_data(store, article_id)
    if data is None:
        raise NotFoundError("no stored article has this id", input=article_id)
    return json.dumps(data, ensure_ascii=False)


def outlet_ranks(store: SqlStore, article_id: str) -> dict[str, dict[str, Any]]:
    """The article's credibility signals placed among its outlet's stored articles."""
    from claimgraph.store.browse import outlet_ranks as ranks

    found = ranks(store, article_id)
    if found is None:
        raise NotFoundError("no stored article has this id", input=article_id)
    return found


def entities(store: SqlStore, q: str | None, page: int, per_page: int) -> dict[str, Any]:
    from claimgraph.store.browse import entity_page

    offset, limit = check_page(page, per_page)
    rows, total = entity_page(store, q.strip() if q else None, offset=offset, limit=limit)
    return paged(rows, total, page, per_page)


def entity(store: SqlStore, entity_id: str) -> dict[str, Any]:
    from claimgraph.store.browse import get_entity
    from claimgraph.store.report import entity_report

    found = get_entity(store, entity_id)
    if found is None:
        raise NotFoundError("no entity has this id", input=entity_id)
    return entity_report(store, found)


def search(store: SqlStore, q: str, limit: int = 50) -> list[dict[str, Any]]:
    if not q.strip():
        return []
    return store.search(q, limit=max(1, min(limit, 200)))


def propositions(
    narratives: dict[str, Any] | None, q: str | None, page: int, per_page: int
) -> dict[str, Any]:
    offset, limit = check_page(page, per_page)
    found = list((narratives or {}).get("propositions", []))
    if q and q.strip():
        words = q.lower().split()
        found = [
            p
            for p in found
            if all(
                w in (p.get("label") or "").lower()
                or any(w in (c.get("text") or "").lower() for c in p.get("claims", []))
                for w in words
            )
        ]
    return paged(found[offset : offset + limit], len(found), page, per_page)


def proposition(narratives: dict[str, Any] | None, proposition_id: str) -> dict[str, Any]:
    for found in (narratives or {}).get("propositions", []):
        if found["id"] == proposition_id:
            return dict(found)
    raise NotFoundError("no proposition has this id", input=proposition_id)


def contradictions(narratives: dict[str, Any] | None, page: int, per_page: int) -> dict[str, Any]:
    offset, limit = check_page(page, per_page)
    found = list((narratives or {}).get("contradictions", []))
    return paged(found[offset : offset + limit], len(found), page, per_page)


__all__ = [
    "article",
    "article_json",
    "articles",
    "contradictions",
    "entities",
    "entity",
    "paged",
    "proposition",
    "propositions",
    "search",
]
