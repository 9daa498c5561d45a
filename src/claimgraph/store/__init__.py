"""The corpus store: analyses kept, linked across articles, and searchable.

Reads finished :class:`~claimgraph.model.ArticleAnalysis` objects (from
``claimgraph ingest`` or the library) and adds what one article alone cannot give:
cross-article entities (:mod:`~claimgraph.store.entities`), full-text search
(:mod:`~claimgraph.store.search`), runs and recorded failures.  One interface,
:class:`~claimgraph.store.sql.SqlStore` on SQLAlchemy Core: SQLite by default (a file,
WAL mode, no server), PostgreSQL with ``postgresql+psycopg://...``; the schema is created
and migrated by numbered Alembic migrations (``migrations/``).  Stages never write SQL.
"""

from __future__ import annotations

from claimgraph.store.connect import DEFAULT_DB, database_url
from claimgraph.store.sql import SqlStore, canonical_url, text_hash


def open_store(db: str = DEFAULT_DB, *, create: bool = True) -> SqlStore:
    """The store at ``db`` (a path for SQLite, or a database URL).

    Raises :class:`~claimgraph.errors.StorageError` when it cannot be opened, is not a
    claimgraph store, or was written by a newer claimgraph.
    """
    return SqlStore(database_url(db), create=create)


__all__ = ["DEFAULT_DB", "SqlStore", "canonical_url", "database_url", "open_store", "text_hash"]
