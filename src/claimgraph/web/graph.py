"""The corpus graph as Cytoscape.js elements: entities (and, given the narrative layer,
propositions) as nodes; accuse, deny, support and appeal edges between entities, and
stance edges from speakers to propositions, each sized by its count and carrying the
claims behind it (article, statement, sentence, outlet, date) so that every edge leads
back to its sentences and the page can filter by entity, outlet and date."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from claimgraph.model import stable_id

if TYPE_CHECKING:
    from claimgraph.store.sql import SqlStore

#: Stances that become edges (``unrelated`` claims are left out of the graph).
STANCE_EDGES = ("supports", "denies", "reports")
#: Claims kept on one edge at most (the count is always the full one).
MAX_CLAIMS_PER_EDGE = 50


def _date(value: str | None) -> str | None:
    return value[:10] if value else None


def build_graph(
    links: list[dict[str, Any]],
    entities: dict[str, dict[str, Any]],
    narratives: dict[str, Any] | None = None,
    *,
    articles: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``{"nodes": [...], "edges": [...]}`` in Cytoscape.js's element format.

    ``links`` are :func:`~claimgraph.store.browse.speech_act_links` rows, ``entities``
    the names of the entities they name, ``narratives`` the narrative layer's
    ``{"propositions": [...], "contradictions": [...]}`` (optional) and ``articles``
    ``{id: {"title", "site", "published"}}`` for the narrative claims' outlets and dates.
    """
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}

    def entity_node(entity_id: str, name: str | None = None) -> str:
        node_id = f"e:{entity_id}"
        if node_id not in nodes:
            info = entities.get(entity_id, {})
            nodes[node_id] = {
                "id": node_id,
                "label": info.get("name") or name or entity_id,
                "kind": "entity",
                "entity_id": entity_id,
                "type": info.get("type"),
                "code": info.get("code"),
                "count": 0,
            }
        return node_id

    def add_edge(source: str, target: str, kind: str, claim: dict[str, Any]) -> None:
        key = (source, target, kind)
        edge = edges.get(key)
        if edge is None:
            edge = edges[key] = {
                "id": stable_id(source, target, kind, prefix="g_"),
                "source": source,
                "target": target,
                "kind": kind,
                "count": 0,
                "claims": [],
            }
        edge["count"] += 1
        if len(edge["claims"]) < MAX_CLAIMS_PER_EDGE:
            edge["claims"].append(claim)
        nodes[source]["count"] += 1
        nodes[target]["count"] += 1

    for link in links:
        source = entity_node(link["source"])
        target = entity_node(link["target"])
        add_edge(
            source,
            target,
            link["kind"],
            {
                "article_id": link["article_id"],
                "statement_id": link["statement_id"],
                "text": link["statement"] or link["trigger"],
                "trigger": link["trigger"],
                "negated": link["negated"],
                "site": link["site"],
                "date": _date(link["published"]),
                "title": link["title"],
            },
        )
    for proposition in (narratives or {}).get("propositions", []):
        node_id = f"p:{proposition['id']}"
        nodes[node_id] = {
            "id": node_id,
            "label": proposition.get("label") or proposition["id"],
            "kind": "proposition",
            "proposition_id": proposition["id"],
            "first_seen": proposition.get("first_seen"),
            "last_seen": proposition.get("last_seen"),
            "count": 0,
        }
        for claim in proposition.get("claims", []):
            speaker = claim.get("speaker")
            if not speaker or claim.get("stance") not in STANCE_EDGES:
                continue
            source = entity_node(speaker["entity_id"], speaker.get("name"))
            article = (articles or {}).get(claim["article_id"], {})
            add_edge(
                source,
                node_id,
                claim["stance"],
                {
                    "article_id": claim["article_id"],
                    "statement_id": claim.get("statement_id"),
                    "text": claim.get("text") or claim.get("span", {}).get("text", ""),
                    "trigger": None,
                    "negated": False,
                    "site": article.get("site"),
                    "date": _date(article.get("published")),
                    "title": article.get("title"),
                },
            )
    return {
        "nodes": [{"data": node} for node in nodes.values()],
        "edges": [{"data": edge} for edge in edges.values()],
    }


def store_graph(
    store: SqlStore,
    narratives: dict[str, Any] | None = None,
    *,
    article_ids: list[str] | None = None,
) -> dict[str, Any]:
    """:func:`build_graph` over the store (only ``article_ids`` when given)."""
    from claimgraph.store.browse import article_page, entity_names, speech_act_links

    links = speech_act_links(store, article_ids=article_ids)
    wanted = {link["source"] for link in links} | {link["target"] for link in links}
    articles: dict[str, dict[str, Any]] = {}
    if narratives:
        claim_articles = {
            claim["article_id"]
            for proposition in narratives.get("propositions", [])
            for claim in proposition.get("claims", [])
        }
        rows, _ = article_page(store, ids=claim_articles, limit=max(len(claim_articles), 1))
        articles = {row["id"]: row for row in rows}
    return build_graph(links, entity_names(store, wanted), narratives, articles=articles)


def timeline(narratives: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The propositions by first seen: ``{"id", "label", "first_seen", "last_seen",
    "supports", "denies", "reports", "claims"}``."""
    rows = []
    for proposition in (narratives or {}).get("propositions", []):
        stances: dict[str, list[str]] = {"supports": [], "denies": [], "reports": []}
        for claim in proposition.get("claims", []):
            speaker = (claim.get("speaker") or {}).get("name")
            if claim.get("stance") in stances and speaker:
                if speaker not in stances[claim["stance"]]:
                    stances[claim["stance"]].append(speaker)
        rows.append(
            {
                "id": proposition["id"],
                "label": proposition.get("label") or proposition["id"],
                "first_seen": proposition.get("first_seen"),
                "last_seen": proposition.get("last_seen"),
                **stances,
                "claims": proposition.get("claims", []),
            }
        )
    return sorted(rows, key=lambda row: (row["first_seen"] or "", row["id"]))


def entity_timeline(graph: dict[str, Any], *, limit: int = 50) -> list[dict[str, Any]]:
    """The graph's entities by the first date of a claim on their edges: ``{"id",
    "label", "first_seen", "last_seen", "count"}`` (the ``limit`` most active)."""
    seen: dict[str, list[str]] = {}
    for edge in graph["edges"]:
        data = edge["data"]
        dates = [c["date"] for c in data["claims"] if c.get("date")]
        for node in (data["source"], data["target"]):
            if node.startswith("e:"):
                seen.setdefault(node, []).extend(dates)
    nodes = {n["data"]["id"]: n["data"] for n in graph["nodes"]}
    rows = [
        {"id": node, "label": nodes[node]["label"], "first_seen": min(dates),
         "last_seen": max(dates), "count": nodes[node]["count"]}
        for node, dates in seen.items()
        if dates
    ]  # fmt: skip
    rows = sorted(rows, key=lambda row: -row["count"])[:limit]
    return sorted(rows, key=lambda row: (row["first_seen"], row["label"]))


__all__ = [
    "MAX_CLAIMS_PER_EDGE",
    "STANCE_EDGES",
    "build_graph",
    "entity_timeline",
    "store_graph",
    "timeline",
]
