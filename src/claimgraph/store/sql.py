"""The store on SQLAlchemy Core: SQLite (the default, a file, no server) or PostgreSQL
through the same code.

Each article's rows are written in one transaction, so a store interrupted at any moment
(even by ``kill -9``) holds whole articles only, and the same command run again finishes
the job.  Opening a store checks that it is one: an empty database is given the schema,
an older claimgraph schema is migrated, anything else is refused without a write.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from claimgraph import __version__
from claimgraph.errors import StorageError
from claimgraph.model import (
    ArticleAnalysis,
    Entity,
    EntityLink,
    Failure,
)
from claimgraph.store import schema as t
from claimgraph.store.connect import check_schema, engine_for, storage_error, use_wal
from claimgraph.store.entities import fold_name
from claimgraph.store.linking import entity_from_row, link_actors
from claimgraph.store.narratives import NarrativeTables

logger = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _published(value: str | None) -> dt.datetime | None:
    """``Article.published`` (``YYYY-MM-DD`` or ISO 8601) as a timestamp, if it is one."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def text_hash(text_: str) -> str:
    """The hash that identifies an article's (normalised) text in the store."""
    return hashlib.sha256(text_.encode("utf-8", "surrogatepass")).hexdigest()


def canonical_url(url: str | None) -> str | None:
    """``url`` without fragment, default port, ``www.`` and trailing slash, lower-cased
    scheme and host: the form under which two links to one page compare equal."""
    if not url:
        return None
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().removeprefix("www.")
        port = parts.port
    except ValueError:
        return url.strip()
    if port and (parts.scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), host, path, parts.query, ""))


class SqlStore(NarrativeTables):
    """A claimgraph store in the database at ``url`` (see :func:`database_url`).

    ``create`` gives an empty database the schema (commands that only read pass
    ``False``, so they never create a file by mistake).  Raises :class:`StorageError`
    when the database cannot be opened, is not a claimgraph store, or was written by a
    newer claimgraph.
    """

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = url
        self.engine = engine_for(url, create=create)
        try:
            with self.engine.connect() as connection:
                # one process at a time: two ingests opening a new database at once
                # must not both create the schema
                if connection.dialect.name == "sqlite" and create:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                elif connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(70013)"))
                check_schema(connection, url=url, create=create)
                connection.commit()
                use_wal(connection)
        except StorageError:
            self.engine.dispose()
            raise
        except SQLAlchemyError as err:
            self.engine.dispose()
            raise storage_error(err, url) from err
        self.dialect = self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions -----------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction; SQLite takes its write lock at the start (BEGIN
        IMMEDIATE), so concurrent writers wait instead of failing half-way."""
        try:
            with self.engine.connect() as connection:
                if self.dialect == "sqlite":
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    connection.begin()
                    # entities are get-or-create across processes: one linker at a time
                    connection.execute(text("SELECT pg_advisory_xact_lock(70014)"))
                yield connection
                connection.commit()
        except StorageError:
            raise
        except SQLAlchemyError as err:
            raise storage_error(err, self.url) from err

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                yield connection
        except SQLAlchemyError as err:
            raise storage_error(err, self.url) from err

    # -- runs ---------------------------------------------------------------------------

    def start_run(self, *, command: str, config_hash: str, weights_hash: str) -> int:
        """Record the start of an ingest run; returns its id."""
        with self._write() as connection:
            result = connection.execute(
                insert(t.runs).values(
                    started_at=_now(),
                    command=command,
                    claimgraph_version=__version__,
                    config_hash=config_hash,
                    weights_hash=weights_hash,
                    counts={},
                )
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def finish_run(self, run_id: int, counts: dict[str, int]) -> None:
        with self._write() as connection:
            connection.execute(
                update(t.runs)
                .where(t.runs.c.id == run_id)
                .values(finished_at=_now(), counts=dict(counts))
            )

    # -- articles -----------------------------------------------------------------------

    def stored_version(self, text_: str) -> tuple[str, str, str] | None:
        """``(article id, claimgraph version, weights hash)`` of the stored analysis of
        this text, or ``None`` when it is not stored."""
        with self._read() as connection:
            row = connection.execute(
                select(
                    t.articles.c.id, t.articles.c.claimgraph_version, t.articles.c.weights_hash
                ).where(t.articles.c.text_sha256 == text_hash(text_))
            ).first()
        return (row[0], row[1], row[2]) if row is not None else None

    def add_analysis(
        self, analysis: ArticleAnalysis, *, run_id: int | None, weights_hash: str
    ) -> bool:
        """Store one analysis (replacing a stored one of the same text) and link its
        actors to entities, in one transaction.  Returns ``False`` when another process
        stored the same text meanwhile (nothing is written then)."""
        article = analysis.article
        digest = text_hash(article.text)
        try:
            with self._write() as connection:
                stored = connection.execute(
                    select(t.articles.c.id).where(t.articles.c.text_sha256 == digest)
                ).scalar()
                if stored is not None:
                    self._delete_article(connection, stored)
                self._insert_article(connection, analysis, run_id, weights_hash, digest)
                links = link_actors(connection, analysis)
                self._insert_rows(connection, analysis, links)
        except StorageError as err:
            if isinstance(err.__cause__, IntegrityError) and self.stored_version(article.text):
                return False
            raise
        return True

    def add_failure(self, failure: Failure, *, run_id: int | None) -> None:
        with self._write() as connection:
            connection.execute(
                insert(t.failures).values(
                    run_id=run_id,
                    input=failure.input,
                    code=failure.code,
                    message=failure.message,
                    stage=failure.stage,
                    article_id=failure.article_id,
                    at=_now(),
                )
            )

    def _delete_article(self, connection: Connection, article_id: str) -> None:
        counts = connection.execute(
            select(t.actors.c.entity_id, func.count())
            .where(t.actors.c.article_id == article_id, t.actors.c.entity_id.is_not(None))
            .group_by(t.actors.c.entity_id)
        ).all()
        if counts:
            connection.execute(
                update(t.entities)
                .where(t.entities.c.id == bindparam("eid"))
                .values(linked=t.entities.c.linked - bindparam("n")),
                [{"eid": entity_id, "n": n} for entity_id, n in counts],
            )
        connection.execute(
            delete(t.contradictions).where(
                or_(
                    t.contradictions.c.a_article_id == article_id,
                    t.contradictions.c.b_article_id == article_id,
                )
            )
        )
        for table in t.ARTICLE_TABLES:
            connection.execute(delete(table).where(table.c.article_id == article_id))
        if self.dialect == "sqlite":
            for name in ("article_search", "statement_search"):
                connection.execute(
                    text(f"DELETE FROM {name} WHERE article_id = :id"), {"id": article_id}
                )
        connection.execute(delete(t.articles).where(t.articles.c.id == article_id))

    def _insert_article(
        self,
        connection: Connection,
        analysis: ArticleAnalysis,
        run_id: int | None,
        weights_hash: str,
        digest: str,
    ) -> None:
        article = analysis.article
        provenance = analysis.provenance
        connection.execute(
            insert(t.articles).values(
                id=article.id,
                text_sha256=digest,
                canonical_url=canonical_url(article.url),
                url=article.url,
                title=article.title,
                byline=article.byline,
                site=article.site,
                published=_published(article.published),
                language=article.language,
                source_kind=article.source_kind,
                source_name=article.source_name,
                raw_sha256=article.raw_sha256,
                text=article.text,
                metadata=[block.model_dump(mode="json") for block in article.metadata_blocks],
                analysis=analysis.model_dump(mode="json"),
                claimgraph_version=provenance.claimgraph_version if provenance else __version__,
                config_hash=provenance.config_hash if provenance else "",
                weights_hash=weights_hash,
                run_id=run_id,
                stored_at=_now(),
            )
        )
        if self.dialect == "sqlite":
            connection.execute(
                text("INSERT INTO article_search (article_id, title, body) VALUES (:a, :t, :b)"),
                {"a": article.id, "t": article.title or "", "b": article.text},
            )

    def _insert_rows(
        self, connection: Connection, analysis: ArticleAnalysis, links: dict[str, str]
    ) -> None:
        """The article's statements, speech acts, evidence and signals, one multi-row
        insert per table."""
        article_id = analysis.article.id
        statement_rows = [
            {
                "id": s.id,
                "article_id": article_id,
                "kind": s.kind.value,
                "cue_start": s.cue.start,
                "cue_end": s.cue.end,
                "cue": s.cue.text,
                "content_start": s.content.start,
                "content_end": s.content.end,
                "content": s.content.text,
                "source": s.source.text if s.source else None,
                "speaker": s.speaker.name if s.speaker else None,
                "speaker_actor_id": s.speaker.actor_id if s.speaker else None,
                "speaker_entity_id": links.get(s.speaker.actor_id or "") if s.speaker else None,
                "confidence": s.confidence,
            }
            for s in analysis.statements
        ]
        act_rows, target_rows = [], []
        for act in analysis.speech_acts:
            targets = sorted({links[a] for a in act.target_actors if a in links})
            act_rows.append(
                {
                    "id": act.id,
                    "article_id": article_id,
                    "act": act.act.value,
                    "cameo": act.cameo,
                    "trigger": act.trigger.text,
                    "trigger_start": act.trigger.start,
                    "trigger_end": act.trigger.end,
                    "source_actor_id": act.source_actor,
                    "source_entity_id": links.get(act.source_actor or ""),
                    "source_text": act.source_span.text if act.source_span else None,
                    "target_actor_ids": list(act.target_actors),
                    "target_entity_ids": targets,
                    "statement_id": act.statement_id,
                    "negated": act.negated,
                    "modality": act.modality,
                    "confidence": act.confidence,
                }
            )
            target_rows += [
                {"speech_act_id": act.id, "entity_id": e, "article_id": article_id}
                for e in targets
            ]
        evidence_rows = [
            {
                "claim_id": item.claim_id,
                "article_id": article_id,
                "statement_id": item.statement_id,
                "claim_start": item.claim.start,
                "claim_end": item.claim.end,
                "claim": item.claim.text,
                "statuses": [status.value for status in item.statuses],
                "denied_by": [links.get(a, a) for a in item.denied_by],
            }
            for item in analysis.evidence
        ]
        signal_rows = [
            {
                "article_id": article_id,
                "name": signal.name,
                "value": signal.value,
                "explanation": signal.explanation,
            }
            for signal in analysis.credibility
        ]
        for table, rows in (
            (t.statements, statement_rows),
            (t.speech_acts, act_rows),
            (t.speech_act_targets, target_rows),
            (t.evidence, evidence_rows),
            (t.credibility, signal_rows),
        ):
            if rows:
                connection.execute(insert(table), rows)
        if self.dialect == "sqlite" and statement_rows:
            connection.execute(
                text(
                    "INSERT INTO statement_search (statement_id, article_id, content) "
                    "VALUES (:id, :article_id, :content)"
                ),
                [{k: r[k] for k in ("id", "article_id", "content")} for r in statement_rows],
            )

    # -- reading ------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        tables = (t.articles, t.statements, t.actors, t.entities, t.speech_acts, t.failures)
        with self._read() as connection:
            return {
                table.name: int(
                    connection.execute(select(func.count()).select_from(table)).scalar() or 0
                )
                for table in tables
            }

    def analyses(self) -> Iterator[ArticleAnalysis]:
        """Every stored analysis, by article id."""
        with self._read() as connection:
            for (data,) in connection.execute(
                select(t.articles.c.analysis).order_by(t.articles.c.id)
            ):
                yield ArticleAnalysis.model_validate(data)

    def entities(self, name: str | None = None, *, limit: int = 50) -> list[Entity]:
        """Entities whose name or alias contains ``name`` (all when ``None``), the most
        linked first."""
        with self._read() as connection:
            query = select(t.entities)
            if name:
                folded = f"%{fold_name(name)}%"
                aliased = select(t.entity_aliases.c.entity_id).where(
                    t.entity_aliases.c.folded.like(folded)
                )
                query = query.where(or_(t.entities.c.id.in_(aliased)))
            rows = connection.execute(
                query.order_by(t.entities.c.linked.desc(), t.entities.c.name).limit(limit)
            ).mappings()
            return [entity_from_row(row) for row in rows]

    def links(self, entity_id: str) -> list[EntityLink]:
        """How each article's actor is linked to ``entity_id``."""
        with self._read() as connection:
            rows = connection.execute(
                select(t.actors)
                .where(t.actors.c.entity_id == entity_id)
                .order_by(t.actors.c.article_id)
            ).mappings()
            return [
                EntityLink(
                    article_id=row["article_id"],
                    actor_id=row["actor_id"],
                    entity_id=entity_id,
                    reason=row["link_reason"] or "",
                    confidence=float(row["link_confidence"] or 0.0),
                )
                for row in rows
            ]

    def rows(self, table: str, **where: Any) -> list[dict[str, Any]]:
        """The rows of one table (optionally filtered by equal columns), as dicts."""
        source = t.metadata.tables.get(table)
        if source is None:
            raise StorageError(f"no table {table!r}; tables: {', '.join(t.metadata.tables)}")
        query = select(source)
        for column, value in where.items():
            query = query.where(source.c[column] == value)
        with self._read() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def search(self, query: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """Articles and statements matching the words of ``query`` (full-text search),
        best first: ``{"kind", "article_id", "statement_id", "title", "text"}``."""
        from claimgraph.store.search import search

        with self._read() as connection:
            return search(connection, query, limit=limit)


__all__ = ["SqlStore", "canonical_url", "text_hash"]
