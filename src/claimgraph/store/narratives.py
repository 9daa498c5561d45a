"""The narrative tables: what :mod:`claimgraph.narratives.build` reads and writes.

Propositions keep the sum of their members' unit vectors (float32 bytes), so adding
claims never reads the corpus again; each claim keeps its vector, stance, speaker
entity and event signals; ``narrative_articles`` records which articles the narratives
have read.  Every function takes an open connection; :class:`~claimgraph.store.SqlStore`
wraps them in transactions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select, update

from claimgraph.store import schema as t

#: Members of one proposition read back when comparing a new claim with it.
MAX_MEMBERS = 200
#: Claims sharing one event signal read back for conflicting values.
MAX_SIGNAL_CLAIMS = 200


def pending_articles(connection: Connection, *, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` stored articles the narratives have not read, oldest first."""
    done = select(t.narrative_articles.c.article_id)
    query = (
        select(
            t.articles.c.id,
            t.articles.c.published,
            t.articles.c.site,
            t.articles.c.analysis,
        )
        .where(t.articles.c.id.not_in(done))
        .order_by(t.articles.c.published, t.articles.c.id)
        .limit(limit)
    )
    return [dict(row) for row in connection.execute(query).mappings()]


def count_pending(connection: Connection) -> int:
    """How many stored articles the narratives have not read."""
    done = select(t.narrative_articles.c.article_id)
    query = select(func.count()).select_from(t.articles).where(t.articles.c.id.not_in(done))
    return int(connection.execute(query).scalar() or 0)


def actor_entities(
    connection: Connection, article_ids: Sequence[str]
) -> dict[tuple[str, str], tuple[str, str]]:
    """``(article_id, actor_id) -> (entity_id, entity name)`` for linked actors."""
    if not article_ids:
        return {}
    query = (
        select(t.actors.c.article_id, t.actors.c.actor_id, t.entities.c.id, t.entities.c.name)
        .join(t.entities, t.entities.c.id == t.actors.c.entity_id)
        .where(t.actors.c.article_id.in_(list(article_ids)))
    )
    return {(a, actor): (eid, name) for a, actor, eid, name in connection.execute(query)}


def propositions(connection: Connection) -> list[dict[str, Any]]:
    """Every proposition with its vector sum, by id."""
    query = select(t.propositions).order_by(t.propositions.c.id)
    return [dict(row) for row in connection.execute(query).mappings()]


def claims(
    connection: Connection,
    *,
    claim_ids: Iterable[str] | None = None,
    proposition_ids: Iterable[int] | None = None,
    signal: str | None = None,
    limit: int | None = None,
    per_proposition: int | None = None,
) -> list[dict[str, Any]]:
    """Stored claims by id, by proposition, or sharing an event ``signal`` (newest first
    for the last two, at most ``limit``; at most ``per_proposition`` of each proposition,
    the newest)."""
    if per_proposition is not None:
        c = t.narrative_claims.c
        rank = (
            func.row_number()
            .over(partition_by=c.proposition_id, order_by=(c.published.desc(), c.claim_id))
            .label("rank")
        )
        inner = select(t.narrative_claims, rank)
        if proposition_ids is not None:
            inner = inner.where(c.proposition_id.in_(list(proposition_ids)))
        ranked = inner.subquery()
        query_ranked = select(*(ranked.c[col.name] for col in t.narrative_claims.c)).where(
            ranked.c.rank <= per_proposition
        )
        return [dict(row) for row in connection.execute(query_ranked).mappings()]
    query = select(t.narrative_claims)
    if claim_ids is not None:
        query = query.where(t.narrative_claims.c.claim_id.in_(list(claim_ids)))
    if proposition_ids is not None:
        query = query.where(t.narrative_claims.c.proposition_id.in_(list(proposition_ids)))
    if signal is not None:
        query = query.where(
            t.narrative_claims.c.claim_id.in_(
                select(t.claim_signals.c.claim_id).where(t.claim_signals.c.signal == signal)
            )
        )
    if claim_ids is None:
        query = query.order_by(t.narrative_claims.c.published.desc(), t.narrative_claims.c.claim_id)
    if limit is not None:
        query = query.limit(limit)
    return [dict(row) for row in connection.execute(query).mappings()]


def save(
    connection: Connection,
    *,
    propositions: Sequence[dict[str, Any]],
    claims: Sequence[dict[str, Any]],
    contradictions: Sequence[dict[str, Any]],
    article_ids: Sequence[str],
) -> None:
    """Write one batch: propositions replaced by id, new claims and their signals, new
    contradictions, and the articles marked as read."""
    if propositions:
        ids = [p["id"] for p in propositions]
        existing = set(
            connection.execute(
                select(t.propositions.c.id).where(t.propositions.c.id.in_(ids))
            ).scalars()
        )
        changed = [p for p in propositions if p["id"] in existing]
        if changed:  # updated in place: stored claims refer to them
            columns = [c for c in changed[0] if c != "id"]
            connection.execute(
                update(t.propositions)
                .where(t.propositions.c.id == bindparam("pid"))
                .values({c: bindparam(c) for c in columns}),
                [{"pid": p["id"], **{c: p[c] for c in columns}} for p in changed],
            )
        new = [p for p in propositions if p["id"] not in existing]
        if new:
            connection.execute(insert(t.propositions), new)
    if claims:
        connection.execute(
            insert(t.narrative_claims),
            [{k: v for k, v in c.items() if k != "vector_array"} for c in claims],
        )
        signal_rows = [
            {"claim_id": c["claim_id"], "signal": s, "article_id": c["article_id"]}
            for c in claims
            for s in dict.fromkeys(c["signals"])
        ]
        if signal_rows:
            connection.execute(insert(t.claim_signals), signal_rows)
    if contradictions:
        ids = [c["id"] for c in contradictions]
        connection.execute(delete(t.contradictions).where(t.contradictions.c.id.in_(ids)))
        connection.execute(insert(t.contradictions), list(contradictions))
    if article_ids:
        now = dt.datetime.now(dt.UTC)
        connection.execute(
            insert(t.narrative_articles),
            [{"article_id": a, "built_at": now} for a in dict.fromkeys(article_ids)],
        )


def query_propositions(
    connection: Connection,
    *,
    topic: str | None,
    entity_ids: Sequence[str] | None,
    since: dt.datetime | None,
    min_claims: int,
    limit: int,
) -> list[dict[str, Any]]:
    """Propositions matching the filters, the most claimed first."""
    query = select(t.propositions).where(t.propositions.c.size >= min_claims)
    if since is not None:
        query = query.where(
            or_(t.propositions.c.last_seen >= since, t.propositions.c.last_seen.is_(None))
        )
    if topic:
        pattern = f"%{topic.lower()}%"
        query = query.where(
            or_(
                func.lower(t.propositions.c.label).like(pattern),
                t.propositions.c.id.in_(
                    select(t.narrative_claims.c.proposition_id).where(
                        func.lower(t.narrative_claims.c.text).like(pattern)
                    )
                ),
            )
        )
    if entity_ids is not None:
        query = query.where(
            t.propositions.c.id.in_(
                select(t.narrative_claims.c.proposition_id).where(
                    t.narrative_claims.c.speaker_entity_id.in_(list(entity_ids))
                )
            )
        )
    query = query.order_by(t.propositions.c.size.desc(), t.propositions.c.id).limit(limit)
    return [dict(row) for row in connection.execute(query).mappings()]


def query_contradictions(
    connection: Connection,
    *,
    proposition_ids: Sequence[int] | None,
    article_ids: Sequence[str] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Contradictions inside the given propositions or touching the given articles."""
    conditions: list[Any] = []
    if proposition_ids:
        conditions.append(t.contradictions.c.proposition_id.in_(list(proposition_ids)))
    if article_ids:
        conditions.append(
            and_(
                t.contradictions.c.a_article_id.in_(list(article_ids)),
                t.contradictions.c.b_article_id.in_(list(article_ids)),
            )
        )
    if not conditions:
        return []
    query = (
        select(t.contradictions)
        .where(or_(*conditions))
        .order_by(t.contradictions.c.score.desc(), t.contradictions.c.id)
        .limit(limit)
    )
    return [dict(row) for row in connection.execute(query).mappings()]


def entity_names(connection: Connection, entity_ids: Iterable[str]) -> dict[str, str]:
    """Names of the given entities."""
    ids = [e for e in dict.fromkeys(entity_ids) if e]
    if not ids:
        return {}
    query = select(t.entities.c.id, t.entities.c.name).where(t.entities.c.id.in_(ids))
    return {str(k): str(v) for k, v in connection.execute(query)}


def has_tables(connection: Connection) -> bool:
    """Whether the narrative tables exist (stores older than schema 0003 lack them)."""
    from sqlalchemy import inspect

    return "propositions" in set(inspect(connection).get_table_names())


class NarrativeTables:
    """The narrative tables as :class:`~claimgraph.store.SqlStore` methods (each one
    transaction)."""

    def _read(self) -> contextlib.AbstractContextManager[Connection]:
        raise NotImplementedError

    def _write(self) -> contextlib.AbstractContextManager[Connection]:
        raise NotImplementedError

    def has_narrative_tables(self) -> bool:
        """Whether this store has the narrative tables (schema 0003 or later)."""
        with self._read() as connection:
            return has_tables(connection)

    def pending_narrative_articles(self, *, limit: int) -> list[dict[str, Any]]:
        """Stored articles the narratives have not read (:func:`pending_articles`)."""
        with self._read() as connection:
            return pending_articles(connection, limit=limit)

    def count_pending_narratives(self) -> int:
        """How many stored articles the narratives have not read."""
        with self._read() as connection:
            return count_pending(connection)

    def actor_entities(self, article_ids: Sequence[str]) -> dict[tuple[str, str], tuple[str, str]]:
        """Entities of the articles' linked actors (:func:`actor_entities`)."""
        with self._read() as connection:
            return actor_entities(connection, article_ids)

    def propositions(self) -> list[dict[str, Any]]:
        """Every stored proposition (:func:`propositions`)."""
        with self._read() as connection:
            return propositions(connection)

    def narrative_claims(self, **where: Any) -> list[dict[str, Any]]:
        """Stored claims (:func:`claims`)."""
        with self._read() as connection:
            return claims(connection, **where)

    def save_narratives(self, **batch: Any) -> None:
        """Write one narrative batch (:func:`save`) in one transaction."""
        with self._write() as connection:
            save(connection, **batch)

    @contextlib.contextmanager
    def narrative_reader(self) -> Iterator[Connection]:
        """One read transaction for the query functions of this module."""
        with self._read() as connection:
            yield connection


__all__ = [
    "MAX_MEMBERS",
    "MAX_SIGNAL_CLAIMS",
    "NarrativeTables",
    "actor_entities",
    "claims",
    "count_pending",
    "entity_names",
    "has_tables",
    "pending_articles",
    "propositions",
    "query_contradictions",
    "query_propositions",
    "save",
]
