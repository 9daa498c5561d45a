"""The store: the same contract on SQLite and PostgreSQL, refusals that damage nothing,
and entities across articles."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from claimgraph.errors import StorageError
from claimgraph.model import ArticleAnalysis, Failure
from claimgraph.store import SqlStore

PUTIN_1 = (
    "President Vladimir Putin said on Friday that Ukraine was behind the attack on the "
    "concert hall, the Kremlin said in a statement."
)
PUTIN_2 = (
    "Putin accused Ukraine of opening a window for the attackers to cross the border. "
    "Kyiv denied any role in the attack, officials said."
)


@pytest.fixture(scope="module")
def analyses() -> list[ArticleAnalysis]:
    from claimgraph.pipeline import analyze_text

    return [analyze_text(PUTIN_1), analyze_text(PUTIN_2)]


def _fill(url: str, analyses: list[ArticleAnalysis]) -> SqlStore:
    store = SqlStore(url)
    run = store.start_run(command="test", config_hash="c", weights_hash="w")
    for analysis in analyses:
        assert store.add_analysis(analysis, run_id=run, weights_hash="w")
    store.add_failure(Failure(input="bad.txt", code="CG101", message="empty"), run_id=run)
    store.finish_run(run, {"stored": len(analyses)})
    return store


@pytest.mark.slow
def test_store_keeps_whole_analyses_on_both_backends(store_url, analyses) -> None:
    with _fill(store_url, analyses) as store:
        counts = store.counts()
        assert counts["articles"] == 2 and counts["failures"] == 1
        assert counts["statements"] == sum(len(a.statements) for a in analyses)
        assert list(store.analyses()) == sorted(analyses, key=lambda a: a.article.id)
        runs = store.rows("runs")
        assert runs[0]["counts"] == {"stored": 2} and runs[0]["finished_at"] is not None


@pytest.mark.slow
def test_store_links_the_same_person_across_articles(store_url, analyses) -> None:
    with _fill(store_url, analyses) as store:
        (putin,) = store.entities("Putin")
        assert putin.name == "Vladimir Putin" and putin.aliases == ["Putin", "Vladimir Putin"]
        links = store.links(putin.id)
        assert len({link.article_id for link in links}) == 2
        assert all(link.confidence == 1.0 and "VLADIMIR PUTIN" in link.reason for link in links)
        said = store.rows("statements", speaker_entity_id=putin.id)
        assert len(said) == 2
        made = store.rows("speech_acts", source_entity_id=putin.id)
        assert "ACCUSE_CRITICIZE" in {act["act"] for act in made}


@pytest.mark.slow
def test_store_reanalysis_replaces_without_duplicates(store_url, analyses) -> None:
    with _fill(store_url, analyses) as store:
        before = store.counts()
        assert store.stored_version(PUTIN_1) is not None
        assert store.add_analysis(analyses[0], run_id=None, weights_hash="w2")
        assert store.counts() == before
        assert store.stored_version(PUTIN_1)[2] == "w2"  # type: ignore[index]


@pytest.mark.slow
def test_store_search_finds_articles_and_statements(store_url, analyses) -> None:
    with _fill(store_url, analyses) as store:
        results = store.search("window attackers")
        kinds = {r["kind"] for r in results}
        assert kinds == {"article", "statement"}
        assert all("window" in r["text"].lower() for r in results)
        assert store.search('"; DROP TABLE articles; --') == []  # words only, never syntax
        assert store.search("") == []
        assert store.counts()["articles"] == 2


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_store_refuses_a_file_that_is_not_a_database(tmp_path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 20)
    before = _digest(path)
    with pytest.raises(StorageError, match="not a claimgraph database"):
        SqlStore(f"sqlite:///{path}")
    assert _digest(path) == before


def test_store_refuses_another_programs_database(tmp_path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        connection.execute("INSERT INTO invoices VALUES (1, 9.5)")
    before = _digest(path)
    with pytest.raises(StorageError, match=r"not a claimgraph database \(it has other tables"):
        SqlStore(f"sqlite:///{path}")
    assert _digest(path) == before


def test_store_refuses_a_newer_schema(tmp_path) -> None:
    path = tmp_path / "new.db"
    SqlStore(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StorageError, match="written by a newer claimgraph"):
        SqlStore(f"sqlite:///{path}")


def test_store_read_only_database_is_refused_unchanged(tmp_path, analyses) -> None:
    # opened read-only through SQLite's URI (a read-only file does the same, but root,
    # as CI runs, may write to any file)
    path = tmp_path / "ro.db"
    _fill(f"sqlite:///{path}", analyses[:1]).close()
    for leftover in tmp_path.glob("ro.db-*"):
        leftover.unlink()
    before = _digest(path)
    with SqlStore(f"sqlite:///file:{path}?mode=ro&uri=true") as store:
        with pytest.raises(StorageError, match="read-only"):
            store.add_analysis(analyses[1], run_id=None, weights_hash="w")
        assert store.counts()["articles"] == 1  # reading works
    assert _digest(path) == before


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://nobody@127.0.0.1:1/none", "nosuchdialect://x/y"],
)
def test_store_unreachable_or_unknown_url_is_one_clear_error(url: str) -> None:
    with pytest.raises(StorageError) as info:
        SqlStore(url)
    assert "\n" not in str(info.value)


def test_store_reading_commands_never_create_a_file(tmp_path) -> None:
    from claimgraph.store import open_store

    with pytest.raises(StorageError, match="no claimgraph database here"):
        open_store(str(tmp_path / "missing.db"), create=False)
    assert not (tmp_path / "missing.db").exists()


def test_store_migrations_build_exactly_the_declared_schema(tmp_path) -> None:
    """schema.py (what the code reads and writes) and the migrations (what creates the
    tables) must not drift apart."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from claimgraph.store.schema import metadata

    store = SqlStore(f"sqlite:///{tmp_path / 'fresh.db'}")
    with store.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_name": lambda name, kind, parent: not str(name).endswith(
                ("_search", "_search_config", "_search_content", "_search_data",
                 "_search_docsize", "_search_idx")
            )},
        )  # fmt: skip
        assert compare_metadata(context, metadata) == []
    store.close()


@pytest.mark.slow
def test_store_upgrade_counts_the_links_of_existing_entities(store_url, analyses) -> None:
    """A store written before entities counted their links (schema 0001) is migrated on
    open, and the counts are those of its actors."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    from claimgraph.store.connect import _MIGRATIONS

    with _fill(store_url, analyses) as store:
        counted = {row["id"]: row["linked"] for row in store.rows("entities")}
        with store.engine.begin() as connection:
            config = AlembicConfig()
            config.set_main_option("script_location", str(_MIGRATIONS))
            config.attributes["connection"] = connection
            command.downgrade(config, "0001")
    assert sum(counted.values()) == sum(len(a.actors) for a in analyses)
    with SqlStore(store_url) as store:
        assert {row["id"]: row["linked"] for row in store.rows("entities")} == counted
        (putin,) = store.entities("Putin")
        assert counted[putin.id] == 2


CAPITALS = (
    "Russia said on Monday that the talks had failed. Moscow denied any role in the "
    "cyberattack on the ministry, officials said.",
    "MOSCOW, March 3 — Snow fell across the region on Tuesday, and schools stayed closed "
    "for a second day, the mayor said.",
)


@pytest.mark.slow
def test_store_capital_that_speaks_is_its_government(store_url) -> None:
    from claimgraph.pipeline import analyze_text

    with _fill(store_url, [analyze_text(text) for text in CAPITALS]) as store:
        actors = {(row["name"], row["article_id"]): row for row in store.rows("actors")}
        by_name: dict[str, set[str]] = {}
        for (name, _), row in actors.items():
            by_name.setdefault(name, set()).add(row["entity_id"])
        (russia,) = by_name["Russia"]
        assert by_name["Moscow"] == {russia}  # "Moscow denied": the government
        assert by_name["MOSCOW"] != {russia}  # the dateline: a place
        reasons = {row["link_reason"] for row in actors.values() if row["name"] == "Moscow"}
        assert reasons == {"capital for its government (RUSSIAN FEDERATION)"}


@pytest.mark.slow
def test_store_namesakes_kept_apart_survive_reanalysis(store_url) -> None:
    """A one-word name several entities share starts an entity of its own; analysing the
    article again reuses it instead of failing on its id."""
    from claimgraph.model import Actor, ActorType
    from claimgraph.pipeline import analyze_text

    def with_actor(text: str, type_: ActorType) -> ArticleAnalysis:
        actor = Actor(id="actor_w", name="Washington", type=type_, aliases=["Washington"])
        return analyze_text(text).model_copy(
            update={"actors": [actor], "statements": [], "speech_acts": [], "evidence": []}
        )

    analyses = [
        with_actor("Washington is a city.", ActorType.COUNTRY),
        with_actor("Washington was a general.", ActorType.PERSON),
        with_actor("Washington came up once.", ActorType.UNKNOWN),
        with_actor("Washington came up again.", ActorType.UNKNOWN),
    ]
    with _fill(store_url, analyses) as store:
        entities = store.rows("entities")
        assert len(entities) == 4 and {e["linked"] for e in entities} == {1}
        run = store.start_run(command="test", config_hash="c", weights_hash="w")
        assert store.add_analysis(analyses[-1], run_id=run, weights_hash="w")
        assert sorted(e["linked"] for e in store.rows("entities")) == [1, 1, 1, 1]
        assert len(store.rows("actors")) == 4
