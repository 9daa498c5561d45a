"""Opening a store: the engine for a URL, SQLite's settings, the schema check and the
migrations, and one-line errors for everything that can go wrong there."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from claimgraph.errors import StorageError
from claimgraph.store import schema as t

logger = logging.getLogger(__name__)

#: The database ``--db`` names when it is not given: a SQLite file in the working directory.
DEFAULT_DB = "claimgraph.db"


#: Seconds a SQLite writer waits for another process's transaction before giving up.
SQLITE_BUSY_TIMEOUT_S = 120


_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(spec: str) -> str:
    """The SQLAlchemy URL of ``--db``: a URL as given (``postgresql+psycopg://...``,
    ``sqlite:///...``), a path as a SQLite file."""
    if "://" in spec:
        return spec
    return f"sqlite:///{Path(spec).expanduser()}"


def engine_for(url: str, *, create: bool) -> Engine:
    try:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[1] if "///" in url else ""
            if path and path != ":memory:":
                location = Path(path)
                if not create and not location.exists():
                    raise StorageError(
                        "no claimgraph database here; create one with `claimgraph ingest`",
                        input=path,
                    )
                if location.is_dir():
                    raise StorageError("is a directory, not a database file", input=path)
            engine = create_engine(
                url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, isolation_level=None
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(url, pool_pre_ping=True)
    except StorageError:
        raise
    except ModuleNotFoundError as err:
        raise StorageError(
            f"the database driver {err.name!r} is not installed; for PostgreSQL install "
            "claimgraph[postgres] (psycopg)",
            input=url,
        ) from err
    except (SQLAlchemyError, ValueError) as err:
        raise StorageError(f"cannot open the database: {err}", input=_safe(url)) from err


#: Pages the write-ahead log may hold before SQLite copies them into the database file
#: (64 MiB at 4 KiB pages; SQLite's default is 1,000).  An ingest writes some 120 KB per
#: article, so the default checkpointed (and synced) every few dozen articles, about a
#: tenth of the store's time; the log is folded in and removed when the store closes.
SQLITE_CHECKPOINT_PAGES = 16384


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # nothing here writes to the file: a database that turns out not to be a
        # claimgraph store must be left exactly as it was (see use_wal)
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_CHECKPOINT_PAGES}")
    finally:
        cursor.close()


def use_wal(connection: Connection) -> None:
    """Put a claimgraph SQLite store in WAL mode (readers never block the writer), once its
    schema is known to be claimgraph's; a read-only file keeps its journal mode."""
    if connection.dialect.name != "sqlite":
        return
    try:
        connection.exec_driver_sql("PRAGMA journal_mode = WAL")
    except SQLAlchemyError:
        logger.debug("journal mode left as it is (read-only database?)")


def check_schema(connection: Connection, *, url: str, create: bool) -> None:
    """Refuse a database that is not a claimgraph store or is newer than this code; give
    an empty one the schema (when ``create``); migrate an older one."""
    from alembic.script import ScriptDirectory

    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    known = {rev.revision for rev in _script_directory(ScriptDirectory).walk_revisions()}
    if "alembic_version" in tables:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if revision not in known:
            raise StorageError(
                f"the database was written by a newer claimgraph (schema revision {revision}; "
                f"this one knows up to {t.SCHEMA_REVISION}); upgrade claimgraph to use it",
                input=_safe(url),
            )
        if revision != t.SCHEMA_REVISION:
            _migrate(connection)
        return
    user_tables = {name for name in tables if not name.startswith("sqlite_")}
    if user_tables:
        shown = ", ".join(sorted(user_tables)[:5])
        raise StorageError(
            f"not a claimgraph database (it has other tables: {shown}); choose another --db",
            input=_safe(url),
        )
    if not create:
        raise StorageError(
            "the database is empty; store articles with `claimgraph ingest` first",
            input=_safe(url),
        )
    _migrate(connection)


def _script_directory(cls: Any) -> Any:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return cls.from_config(config)


def _migrate(connection: Connection) -> None:
    """Bring the schema to :data:`~claimgraph.store.schema.SCHEMA_REVISION`."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
    logger.info("database schema at revision %s", t.SCHEMA_REVISION)


def _safe(url: str) -> str:
    """``url`` without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def storage_error(err: SQLAlchemyError, url: str) -> StorageError:
    detail = str(getattr(err, "orig", None) or err).splitlines()[0]
    lowered = detail.lower()
    if "readonly" in lowered or "read-only" in lowered:
        message = "the database is read-only here; nothing was written"
    elif "file is not a database" in lowered or "not a database" in lowered:
        message = "not a claimgraph database (not a SQLite file); choose another --db"
    elif "database is locked" in lowered:
        message = (
            f"another process kept the database locked for over {SQLITE_BUSY_TIMEOUT_S} s; "
            "try again when it has finished"
        )
    else:
        message = f"database error: {detail}"
    return StorageError(message, input=_safe(url))


__all__ = [
    "DEFAULT_DB",
    "SQLITE_BUSY_TIMEOUT_S",
    "check_schema",
    "database_url",
    "engine_for",
    "storage_error",
    "use_wal",
]
