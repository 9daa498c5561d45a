"""Full-text search over stored article text and statement content.

SQLite answers from its FTS5 tables, PostgreSQL from ``tsvector`` columns; this module is
the one place that knows which.  The user's words are never passed on as query syntax:
each becomes a quoted term (SQLite) or goes through ``plainto_tsquery`` (PostgreSQL).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, text

_WORD = re.compile(r"\w+", re.UNICODE)


def fts5_query(query: str) -> str | None:
    """The FTS5 query of every word of ``query`` (each quoted: no operator, column or
    syntax of the user's reaches FTS5), or ``None`` when it holds no word."""
    words = _WORD.findall(query)
    return " ".join(f'"{word}"' for word in words) or None


def search(connection: Connection, query: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Articles and statements matching all words of ``query``, best first."""
    if connection.dialect.name == "sqlite":
        match = fts5_query(query)
        if match is None:
            return []
        articles = connection.execute(
            text(
                "SELECT a.id, a.title, snippet(article_search, 2, '[', ']', '…', 12) AS hit "
                "FROM article_search JOIN articles a ON a.id = article_search.article_id "
                "WHERE article_search MATCH :q ORDER BY rank LIMIT :n"
            ),
            {"q": match, "n": limit},
        ).all()
        statements = connection.execute(
            text(
                "SELECT s.id, s.article_id, s.speaker, s.content FROM statement_search "
                "JOIN statements s ON s.id = statement_search.statement_id "
                "WHERE statement_search MATCH :q ORDER BY rank LIMIT :n"
            ),
            {"q": match, "n": limit},
        ).all()
    else:
        articles = connection.execute(
            text(
                "SELECT id, title, ts_headline('english', text, plainto_tsquery('english', :q), "
                "'StartSel=[, StopSel=], MaxWords=24, MinWords=8') AS hit FROM articles "
                "WHERE search @@ plainto_tsquery('english', :q) "
                "ORDER BY ts_rank(search, plainto_tsquery('english', :q)) DESC, id LIMIT :n"
            ),
            {"q": query, "n": limit},
        ).all()
        statements = connection.execute(
            text(
                "SELECT id, article_id, speaker, content FROM statements "
                "WHERE search @@ plainto_tsquery('english', :q) "
                "ORDER BY ts_rank(search, plainto_tsquery('english', :q)) DESC, id LIMIT :n"
            ),
            {"q": query, "n": limit},
        ).all()
    results = [
        {"kind": "article", "article_id": row[0], "statement_id": None, "title": row[1] or "",
         "text": " ".join(str(row[2] or "").split())}
        for row in articles
    ]  # fmt: skip
    results += [
        {"kind": "statement", "article_id": row[1], "statement_id": row[0],
         "title": row[2] or "", "text": row[3]}
        for row in statements
    ]  # fmt: skip
    return results


__all__ = ["fts5_query", "search"]
