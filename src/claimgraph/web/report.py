"""``claimgraph report``: one self-contained HTML file (styles, scripts, Cytoscape.js and
data inlined; a content security policy that allows no network) with the corpus view and
the article views of a store, or of some of its articles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from claimgraph import __version__
from claimgraph.web.article import article_context
from claimgraph.web.graph import entity_timeline, store_graph, timeline
from claimgraph.web.render import render

if TYPE_CHECKING:
    from claimgraph.store.sql import SqlStore

#: Articles shown in full in a report unless told otherwise (the graph covers all).
DEFAULT_MAX_ARTICLES = 100

#: The narrative layer's output for some articles: ``{"propositions", "contradictions"}``.
Narratives = dict[str, Any]


def topic_article_ids(store: SqlStore, topic: str, *, limit: int = 10_000) -> list[str]:
    """The stored articles that mention all words of ``topic`` (full-text search)."""
    hits = store.search(topic, limit=limit)
    return sorted({hit["article_id"] for hit in hits})


def report_article_url(article_id: str, statement_id: str | None = None) -> str:
    """The link to an article (or one of its statements) inside one report file."""
    return f"#statement-{statement_id}" if statement_id else f"#article-{article_id}"


def article_contradictions(narratives: Narratives | None, article_id: str) -> list[dict[str, Any]]:
    """The contradictions whose two claims are both in ``article_id``."""
    return [
        c
        for c in (narratives or {}).get("contradictions", [])
        if c["a"]["article_id"] == article_id and c["b"]["article_id"] == article_id
    ]


def entity_links(store: SqlStore, article_id: str) -> dict[str, str]:
    """Actor id → entity id for one stored article."""
    return {
        row["actor_id"]: row["entity_id"]
        for row in store.rows("actors", article_id=article_id)
        if row["entity_id"]
    }


def build_report(
    store: SqlStore,
    *,
    topic: str | None = None,
    narratives: Narratives | None = None,
    max_articles: int = DEFAULT_MAX_ARTICLES,
) -> str:
    """The report over ``store`` (its articles on ``topic`` when given) as one HTML page.

    ``narratives`` is the narrative layer's ``{"propositions": [...], "contradictions":
    [...]}`` for these articles: propositions become graph nodes with stance edges, and
    are listed with a timeline; contradictions are shown side by side (in the corpus view,
    and in the article view when both claims are in one article).
    """
    from claimgraph.store.browse import article_ids, article_page, get_analysis, outlet_ranks_of
    from claimgraph.web.narrative_data import check_narratives

    if narratives is not None:
        narratives = check_narratives(narratives)
    ids = topic_article_ids(store, topic) if topic else article_ids(store)
    rows, total = article_page(store, ids=ids, limit=max(max_articles, 0))
    ranks = outlet_ranks_of(store, [row["id"] for row in rows])  # each outlet read once
    views = []
    for row in rows:
        analysis = get_analysis(store, row["id"])
        if analysis is None:
            continue
        views.append(
            article_context(
                analysis,
                contradictions=article_contradictions(narratives, row["id"]),
                entity_links=entity_links(store, row["id"]),
                outlet_ranks=ranks.get(row["id"]),
            )
        )
    graph = store_graph(store, narratives, article_ids=ids if topic else None)
    outlets = sorted(
        {c["site"] for e in graph["edges"] for c in e["data"]["claims"] if c.get("site")}
    )
    return render(
        "report.html",
        inline=True,
        topic=topic,
        version=__version__,
        articles=views,
        total_articles=total,
        graph=graph,
        outlets=outlets,
        timeline=timeline(narratives),
        entity_timeline=entity_timeline(graph),
        contradictions=(narratives or {}).get("contradictions", []),
        narratives_given=narratives is not None,
        entity_url=None,
        entity_base="",
        article_base="#article-",
        article_url=report_article_url,
    )


__all__ = ["DEFAULT_MAX_ARTICLES", "article_contradictions", "build_report", "topic_article_ids"]
