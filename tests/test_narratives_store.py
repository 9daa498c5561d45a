"""Narratives across stored articles: the example article plus three written for these
tests about the same events from other angles (Ukraine's denial; officials confirming
Islamic State's claim; the FSB's accusation repeated)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimgraph.cli import cli

ROOT = Path(__file__).resolve().parents[1]
ANGLES = sorted(str(p) for p in (ROOT / "examples" / "moscow-attack").glob("*.html"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def narrative_db(tmp_path_factory, example_html) -> Path:
    db = tmp_path_factory.mktemp("narratives") / "corpus.db"
    result = CliRunner().invoke(
        cli, ["ingest", str(example_html), *ANGLES, "--db", str(db), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    return db


def _all_narratives(db: Path) -> list[str]:
    """`claimgraph narratives` arguments for every proposition of ``db``, as JSON."""
    return ["narratives", "--db", str(db), "--format", "json", "--no-progress",
            "--min-claims", "1", "--limit", "100"]  # fmt: skip


@pytest.fixture(scope="module")
def narratives_json(narrative_db: Path) -> dict:
    result = CliRunner().invoke(
        cli,
        _all_narratives(narrative_db),
    )
    assert result.exit_code == 0, result.output
    assert "read 4 new articles" in result.stderr
    return json.loads(result.stdout)


def _speakers(proposition: dict, stance: str) -> set[str]:
    return {
        c["speaker"]["name"]
        for c in proposition["claims"]
        if c["stance"] == stance and c["speaker"] is not None
    }


def _mentions(proposition: dict, *words: str) -> bool:
    text = " ".join([proposition["label"], *(c["text"] for c in proposition["claims"])]).lower()
    return all(w in text for w in words)


def test_ukrainian_involvement_is_supported_by_russian_officials_and_denied_by_ukraine(
    narratives_json,
):
    candidates = [p for p in narratives_json["propositions"] if _mentions(p, "ukrain", "involve")]
    assert candidates, [p["label"] for p in narratives_json["propositions"]]
    supporters = set().union(*(_speakers(p, "supports") for p in candidates))
    deniers = set().union(*(_speakers(p, "denies") for p in candidates))
    assert any("Bortnikov" in s or "Putin" in s for s in supporters), candidates
    assert any("Ukrain" in s or "Podolyak" in s for s in deniers), candidates


def test_islamic_state_responsibility_is_supported_by_officials(narratives_json):
    def claims_responsibility(claim: dict) -> bool:
        text = claim["text"].lower()
        return "responsib" in text and (
            "islamic state" in text
            or (claim["speaker"] or {}).get("name", "").startswith("Islamic State")
        )

    candidates = [
        p for p in narratives_json["propositions"] if any(map(claims_responsibility, p["claims"]))
    ]
    assert candidates, [p["label"] for p in narratives_json["propositions"]]
    backers = {
        c["speaker"]["name"]
        for p in candidates
        for c in p["claims"]
        if claims_responsibility(c) and c["stance"] == "supports" and c["speaker"]
    }
    assert any("Islamic State" in s for s in backers), candidates
    assert any("officials" in s for s in backers), candidates


def test_escape_route_accounts_contradict(narratives_json):
    found = [
        c
        for c in narratives_json["contradictions"]
        if c["about"] == "place"
        and {"Putin", "Lukashenko"}
        <= {
            w
            for side in (c["a"], c["b"])
            if side["speaker"]
            for w in side["speaker"]["name"].split()
        }
    ]
    assert found, narratives_json["contradictions"]
    for c in found:
        for side in (c["a"], c["b"]):
            assert side["span"]["text"] == side["text"]


def test_json_shape(narratives_json):
    proposition = narratives_json["propositions"][0]
    assert {"id", "label", "first_seen", "last_seen", "claims"} <= set(proposition)
    claim = proposition["claims"][0]
    assert {"article_id", "statement_id", "speaker", "text", "span", "stance"} <= set(claim)
    assert claim["stance"] in {"supports", "denies", "reports", "unrelated"}
    for contradiction in narratives_json["contradictions"]:
        assert contradiction["kind"] in {"explicit", "conflicting_values", "self_contradiction"}
        assert 0 <= contradiction["score"] <= 1


def test_narratives_is_incremental_and_filters(narrative_db: Path, narratives_json):
    again = CliRunner().invoke(
        cli,
        _all_narratives(narrative_db),
    )
    assert again.exit_code == 0
    assert "new articles" not in again.stderr  # nothing to read twice
    assert json.loads(again.stdout) == narratives_json
    nothing = CliRunner().invoke(
        cli, ["narratives", "--db", str(narrative_db), "--topic", "zzzz-no-such-topic"]
    )
    assert nothing.exit_code == 0
    assert "no propositions match" in nothing.stderr
    by_entity = CliRunner().invoke(
        cli,
        ["narratives", "--db", str(narrative_db), "--entity", "Ukraine", "-f", "markdown"],
    )
    assert by_entity.exit_code == 0, by_entity.output
    assert by_entity.stdout.startswith("# Narratives")


def test_building_in_many_batches_keeps_every_claim(narrative_db: Path, narratives_json, tmp_path):
    import shutil

    from claimgraph.narratives.build import update
    from claimgraph.store import open_store

    copy = tmp_path / "batches.db"
    shutil.copy(narrative_db, copy)
    with open_store(str(copy)) as store:
        claims_before = len(store.narrative_claims())
        for table in (
            "contradictions",
            "claim_signals",
            "narrative_claims",
            "propositions",
            "narrative_articles",
        ):
            store.engine.dispose()
            with store.engine.begin() as connection:
                connection.exec_driver_sql(f"DELETE FROM {table}")
        stats = update(store, batch_articles=1)  # one article per transaction
        assert stats.articles == 4 and store.count_pending_narratives() == 0
        assert len(store.narrative_claims()) == claims_before == stats.claims
        sizes = {p["id"]: p["size"] for p in store.propositions()}
        members: dict[int, int] = {}
        for claim in store.narrative_claims():
            members[claim["proposition_id"]] = members.get(claim["proposition_id"], 0) + 1
        assert members == sizes


def test_graphml_has_propositions_and_stance_edges(narrative_db: Path, narratives_json, tmp_path):
    import networkx as nx

    out = tmp_path / "graph.graphml"
    result = CliRunner().invoke(
        cli, ["export", "--db", str(narrative_db), "-f", "graphml", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    graph = nx.read_graphml(out)
    propositions = [n for n, d in graph.nodes(data=True) if d.get("kind") == "proposition"]
    assert propositions
    acts = {d["act"] for _, _, d in graph.edges(data=True)}
    assert {"STANCE_SUPPORTS", "STANCE_DENIES"} <= acts


def test_a_store_of_the_previous_schema_is_upgraded(tmp_path):
    from alembic import command
    from alembic.config import Config as AlembicConfig
    from sqlalchemy import create_engine, inspect

    from claimgraph.store import open_store
    from claimgraph.store.connect import _MIGRATIONS

    db = tmp_path / "old.db"
    open_store(str(db)).close()
    config = AlembicConfig()
    config.set_main_option("script_location", str(_MIGRATIONS))
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    assert "propositions" not in inspect(engine).get_table_names()
    engine.dispose()
    result = CliRunner().invoke(cli, ["narratives", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "no propositions match" in result.stderr


def test_empty_and_missing_stores_give_a_clear_message(tmp_path):
    missing = CliRunner().invoke(cli, ["narratives", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code != 0
    assert "Traceback" not in missing.output
    empty_db = tmp_path / "empty.db"
    from claimgraph.store import open_store

    open_store(str(empty_db)).close()
    empty = CliRunner().invoke(cli, ["narratives", "--db", str(empty_db)])
    assert empty.exit_code == 0
    assert "no propositions match" in empty.stderr
