"""The store on SQLAlchemy Core: SQLite (the default, a file, no server) or PostgreSQL
through the same code.

Each article's rows are written in one transaction, so a store interrupted at any moment
(even by ``kill -9``) holds whole articles only, and the same command run again finishes
the job.  Opening a store checks that it is one: an empty database is given the schema,
an older claimgraph schema is migrated, anything else is refused without a write.
"""

from __future__ import annotations

import contextlib
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
from claimgraph.store.rows import (
    analysis_rows,
    article_row,
    canonical_url,
    failure_row,
    text_hash,
)
from claimgraph.store.rows import now as _now

logger = logging.getLogger(__name__)


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
                self._insert_article(connection, analysis, run_id, weights_hash)
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
                insert(t.failures).values(**failure_row(failure, run_id=run_id))
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
    ) -> None:
        article = analysis.article
        row = article_row(analysis, run_id=run_id, weights_hash=weights_hash)
        connection.execute(insert(t.articles).values(**row))
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
        rows_by_table = analysis_rows(analysis, links)
        statement_rows = rows_by_table["statements"]
        for table in (t.statements, t.speech_acts, t.speech_act_targets, t.evidence, t.credibility):
            rows = rows_by_table[table.name]
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
