"""Reading the narratives of a store: propositions with who supports and who denies
them, and contradictions side by side (what ``claimgraph narratives`` prints).

:func:`narratives` returns plain JSON-ready data::

    {"propositions": [{"id", "label", "first_seen", "last_seen", "size",
                       "supporters", "deniers", "outlets", "claims": [<claim>]}],
     "contradictions": [{"id", "kind", "about", "score", "a": <claim>, "b": <claim>}]}

where a claim is ``{"claim_id", "article_id", "statement_id", "speaker": {"entity_id",
"name"} | null, "text", "span": {"start", "end", "text"}, "stance", "site",
"published"}``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from claimgraph.errors import StorageError

if TYPE_CHECKING:
    from claimgraph.store import SqlStore

#: Claims listed under each proposition.
MAX_CLAIMS = 50


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.datetime) else None


def claim_json(row: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The JSON form of one stored claim."""
    entity = row.get("speaker_entity_id")
    speaker = None
    if entity or row.get("speaker"):
        speaker = {"entity_id": entity, "name": names.get(entity or "", row.get("speaker"))}
    return {
        "claim_id": row["claim_id"],
        "article_id": row["article_id"],
        "statement_id": row["statement_id"],
        "speaker": speaker,
        "text": row["text"],
        "span": {"start": row["start"], "end": row["end"], "text": row["text"]},
        "stance": row["stance"],
        "site": row.get("site"),
        "published": _iso(row.get("published")),
    }


def _side(claims: list[dict[str, Any]], stance: str) -> list[dict[str, Any]]:
    counts: Counter[tuple[str | None, str]] = Counter()
    for claim in claims:
        speaker = claim["speaker"]
        if claim["stance"] == stance and speaker is not None:
            counts[(speaker["entity_id"], speaker["name"])] += 1
    return [
        {"entity_id": entity_id, "name": name, "claims": n}
        for (entity_id, name), n in counts.most_common()
    ]


def narratives(
    store: SqlStore,
    *,
    topic: str | None = None,
    entity: str | None = None,
    since: dt.datetime | None = None,
    min_claims: int = 2,
    limit: int = 50,
) -> dict[str, Any]:
    """The propositions matching the filters and their contradictions."""
    from claimgraph.store import narratives as sql

    if not store.has_narrative_tables():
        raise StorageError(
            "this store has no narrative tables (an older schema); open it for writing "
            "once (claimgraph narratives without --no-update) to upgrade it"
        )
    entity_ids = None
    if entity:
        entity_ids = [e.id for e in store.entities(entity, limit=200)]
        if not entity_ids:
            return {"propositions": [], "contradictions": []}
    with store.narrative_reader() as connection:
        props = sql.query_propositions(
            connection,
            topic=topic,
            entity_ids=entity_ids,
            since=since,
            min_claims=min_claims,
            limit=limit,
        )
        ids = [p["id"] for p in props]
        claims = sql.claims(connection, proposition_ids=ids) if ids else []
        found = sql.query_contradictions(
            connection,
            proposition_ids=ids,
            article_ids=sorted({c["article_id"] for c in claims}),
            limit=10 * limit,
        )
        sides = {c["a_claim_id"] for c in found} | {c["b_claim_id"] for c in found}
        known = {c["claim_id"] for c in claims}
        extra = sql.claims(connection, claim_ids=sides - known) if sides - known else []
        names = sql.entity_names(
            connection,
            [c["speaker_entity_id"] for c in [*claims, *extra] if c["speaker_entity_id"]],
        )
    by_id = {c["claim_id"]: claim_json(c, names) for c in [*claims, *extra]}
    members: dict[int, list[dict[str, Any]]] = {}
    for row in claims:
        members.setdefault(row["proposition_id"], []).append(by_id[row["claim_id"]])
    out_props = []
    for p in props:
        listed = sorted(
            members.get(p["id"], []),
            key=lambda c: (c["published"] or "", c["article_id"], c["span"]["start"]),
        )
        out_props.append(
            {
                "id": p["id"],
                "label": p["label"],
                "first_seen": _iso(p["first_seen"]),
                "last_seen": _iso(p["last_seen"]),
                "size": p["size"],
                "supporters": _side(listed, "supports"),
                "deniers": _side(listed, "denies"),
                "outlets": dict(Counter(f"{c['site'] or 'unknown'}:{c['stance']}" for c in listed)),
                "claims": listed[:MAX_CLAIMS],
            }
        )
    contradictions = [
        {
            "id": c["id"],
            "kind": c["kind"],
            "about": c["about"],
            "score": c["score"],
            "proposition_id": c["proposition_id"],
            "a": by_id[c["a_claim_id"]],
            "b": by_id[c["b_claim_id"]],
        }
        for c in found
        if c["a_claim_id"] in by_id and c["b_claim_id"] in by_id
    ]
    return {"propositions": out_props, "contradictions": contradictions}


__all__ = ["MAX_CLAIMS", "claim_json", "narratives"]
