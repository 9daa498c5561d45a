"""The Spark job in local mode (``local[2]``): the Parquet tables hold what the
single-process pipeline gives for the same articles, failures are rows, and
``ingest --from-parquet`` loads the tables into the store.

One Spark session and one run for the module (a handful of articles: the bundled
example page, the canonical shared example, three shared DEV bodies read at test time).
Without Java or pyspark the module is skipped locally, never in CI.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import DATA, EXAMPLE_TXT, ROOT

BODIES = DATA / "stance" / "fnc1_dev_bodies.jsonl"
HARBOR_HTML = ROOT / "examples" / "harbor-strike.html"
#: Written for the tests: Kyiv denies what the example article's Russian officials assert
#: (a contradiction between two articles).
KYIV_HTML = ROOT / "examples" / "moscow-attack" / "kyiv-denies.html"


def _require_spark() -> None:
    missing = []
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        missing.append("Java 17 (apt-get install openjdk-17-jre-headless)")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing.append("pyspark (pip install -e '.[spark]')")
    if missing:
        message = "the Spark tests need " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def spark():
    _require_spark()
    if not BODIES.is_file() or not EXAMPLE_TXT.is_file():
        pytest.skip(f"shared data not found at {DATA.parent}")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from claimgraph.spark.session import spark_session

    session = spark_session(
        "local[2]",
        app_name="claimgraph tests",
        conf={
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "2",
            "spark.default.parallelism": "2",
            "spark.driver.memory": "1g",
        },
    )
    yield session
    session.stop()


def _bodies(n: int) -> list[dict[str, Any]]:
    """The first ``n`` DEV bodies of 1,000-3,000 characters (short enough to be quick)."""
    found = []
    with BODIES.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if 1000 <= len(record["text"]) <= 3000:
                found.append({"id": record["body_id"], "text": record["text"]})
            if len(found) == n:
                break
    return found


def _warc(path: Path) -> None:
    """The bundled example page, then a second record cut short (a corrupt record)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for i, page in enumerate([HARBOR_HTML.read_bytes(), HARBOR_HTML.read_bytes()]):
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.0"
        )
        writer.write_record(
            writer.create_warc_record(
                f"https://example.org/harbor-strike/{i}",
                "response",
                payload=io.BytesIO(page),
                http_headers=headers,
            )
        )
    data = buffer.getvalue()
    second = data.index(b"WARC/1", 10)
    path.write_bytes(data[: second + (len(data) - second) // 2])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Any]:
    """Inputs of each kind: JSONL (with an empty text), WARC (with a cut record),
    Parquet, and a path that does not exist."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path_factory.mktemp("spark_corpus")
    from claimgraph.config import IngestConfig
    from claimgraph.ingest.html import article_from_html

    bodies = _bodies(3)
    kyiv = article_from_html(KYIV_HTML.read_bytes(), config=IngestConfig())
    records = [
        {"id": "lukashenko", "text": EXAMPLE_TXT.read_text(encoding="utf-8")},
        {"id": "kyiv", "text": kyiv.text},
        bodies[0],
        {"id": "empty", "text": ""},
    ]
    jsonl = root / "corpus.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    warc = root / "pages.warc"
    _warc(warc)
    parquet = root / "records.parquet"
    row = {**bodies[2], "url": "https://example.org/dev", "title": "A DEV body"}
    pq.write_table(pa.Table.from_pylist([row]), parquet)
    return {
        "inputs": [str(jsonl), str(warc), str(parquet), str(root / "missing.jsonl")],
        "jsonl": jsonl,
        "warc": warc,
        "parquet_row": row,
    }


@pytest.fixture(scope="module")
def run(spark, corpus, tmp_path_factory) -> tuple[Path, Any]:
    from claimgraph.spark.job import run_analyze

    out = tmp_path_factory.mktemp("spark_out") / "out"
    report = run_analyze(spark, corpus["inputs"], str(out))
    return out, report


@pytest.fixture(scope="module")
def expected(corpus) -> dict[str, Any]:
    """The single-process analyses of the same articles (by article id)."""
    from claimgraph.config import Config
    from claimgraph.ingest import load_inputs
    from claimgraph.ingest.jsonl import article_from_record
    from claimgraph.model import Article, ArticleAnalysis
    from claimgraph.pipeline import Pipeline

    config = Config()
    items = list(load_inputs([str(corpus["jsonl"]), str(corpus["warc"])], config=config.ingest))
    items.append(
        article_from_record(
            dict(corpus["parquet_row"]), where="p", config=config.ingest, source_kind="parquet"
        )
    )
    assert sum(isinstance(i, Article) for i in items) == 5
    results = Pipeline(config).analyze(items)
    return {r.article.id: r for r in results if isinstance(r, ArticleAnalysis)}


def _rows(out: Path, table: str) -> list[dict[str, Any]]:
    import pyarrow.dataset as ds

    return ds.dataset(out / table, format="parquet", partitioning="hive").to_table().to_pylist()


def test_spark_writes_the_store_tables_partitioned_by_date(run) -> None:
    from claimgraph.spark.tables import ANALYSIS_TABLES, columns

    out, report = run
    assert report.rows["articles"] == 5
    assert report.rows["failures"] == 3
    for table in ANALYSIS_TABLES:
        rows = _rows(out, table)
        assert len(rows) == report.rows[table]
        assert set(rows[0]) == set(columns(table)), table
    # the example page has a publication date: its rows sit in that day's partition
    assert any(p.name.startswith("date=20") for p in (out / "articles").iterdir())
    manifest = json.loads((out / "_claimgraph.json").read_text())
    assert manifest["rows"] == report.rows


def test_spark_rows_equal_the_single_process_analysis(run, expected) -> None:
    from claimgraph.model import ArticleAnalysis

    out, _ = run
    articles = _rows(out, "articles")
    assert {a["id"] for a in articles} == set(expected)
    for row in articles:
        assert ArticleAnalysis.model_validate_json(row["analysis"]) == expected[row["id"]]

    statements = {
        (r["article_id"], r["id"], r["cue_start"], r["cue_end"], r["cue"], r["content_start"],
         r["content_end"], r["content"], r["speaker"], r["speaker_actor_id"])
        for r in _rows(out, "statements")
    }  # fmt: skip
    assert statements == {
        (a.article.id, s.id, s.cue.start, s.cue.end, s.cue.text, s.content.start,
         s.content.end, s.content.text, s.speaker.name if s.speaker else None,
         s.speaker.actor_id if s.speaker else None)
        for a in expected.values()
        for s in a.statements
    }  # fmt: skip
    assert len(statements) > 10
    actors = {(r["article_id"], r["actor_id"], r["name"], r["type"]) for r in _rows(out, "actors")}
    assert actors == {
        (a.article.id, actor.id, actor.name, actor.type.value)
        for a in expected.values()
        for actor in a.actors
    }
    acts = {
        (r["article_id"], r["id"], r["act"], r["trigger_start"], r["trigger_end"],
         r["source_actor_id"], tuple(json.loads(r["target_actor_ids"])))
        for r in _rows(out, "speech_acts")
    }  # fmt: skip
    assert acts == {
        (a.article.id, act.id, act.act.value, act.trigger.start, act.trigger.end,
         act.source_actor, tuple(act.target_actors))
        for a in expected.values()
        for act in a.speech_acts
    }  # fmt: skip
    assert acts


def test_spark_failures_are_rows(run) -> None:
    out, _ = run
    failures = _rows(out, "failures")
    by_kind = {
        "empty": [f for f in failures if "'empty'" in f["message"]],
        "cut": [f for f in failures if "truncated WARC record" in f["message"]],
        "missing": [f for f in failures if f["input"].endswith("missing.jsonl")],
    }
    assert all(len(found) == 1 for found in by_kind.values()), failures
    assert by_kind["empty"][0]["code"] == "CG101"
    assert "pages.warc@" in by_kind["cut"][0]["input"]


def test_spark_output_loads_into_the_store(run, expected, store_url) -> None:
    from claimgraph.cli import cli
    from claimgraph.store import open_store

    out, _ = run
    runner = CliRunner()
    result = runner.invoke(cli, ["ingest", "--from-parquet", str(out), "--db", store_url])
    assert result.exit_code == 1, result.output  # some inputs failed
    assert "5 stored, 0 already stored, 3 failed" in result.output
    with open_store(store_url) as store:
        counts = store.counts()
        assert counts["articles"] == 5
        assert counts["failures"] == 3
        assert counts["statements"] == sum(len(a.statements) for a in expected.values())
        assert counts["actors"] == sum(len(a.actors) for a in expected.values())
        assert all(row["entity_id"] for row in store.rows("actors"))  # linked on load
        assert {a.article.id for a in store.analyses()} == set(expected)
    again = runner.invoke(cli, ["ingest", "--from-parquet", str(out), "--db", store_url])
    assert "0 stored, 5 already stored" in again.output


def test_spark_cli_refuses_a_bad_conf_in_one_line() -> None:
    from claimgraph.cli import cli

    result = CliRunner().invoke(
        cli, ["spark", "analyze", "x.jsonl", "--out", "o", "--conf", "no-equals-sign"]
    )
    assert result.exit_code != 0
    assert "KEY=VALUE" in result.output
    assert "Traceback" not in result.output


def test_spark_narratives_link_actors_as_the_store_does(spark, run, tmp_path) -> None:
    from claimgraph.spark.narratives import run_narratives
    from claimgraph.store import open_store
    from claimgraph.store.ingest import ingest_analyses
    from claimgraph.store.parquet import read_spark_output

    out, _ = run
    second = tmp_path / "narratives"
    counts = run_narratives(spark, str(out), str(second))
    links = {(r["article_id"], r["actor_id"]): r["entity_id"] for r in _rows(second, "actor_links")}
    entities = {r["id"]: r for r in _rows(second, "entities")}
    assert counts["entities"] == len(entities) and counts["actor_links"] == len(links)
    assert set(links.values()) == set(entities)
    assert sum(r["linked"] for r in entities.values()) == len(links)

    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        list(ingest_analyses(store, read_spark_output(str(out))))
        stored = {(r["article_id"], r["actor_id"]): r["entity_id"] for r in store.rows("actors")}
    # the same actors, linked into the same entities (no link crosses a block here)
    assert links == stored
    assert len(set(links.values())) < len(links)  # some actors of different articles meet

    # claims grouped into propositions, with stances and contradictions: below one
    # bucket's size the store's own build over the same articles (one batch)
    from claimgraph.narratives.build import update

    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        update(store)
        stored_claims = store.narrative_claims()
        stored_contradictions = list(store.rows("contradictions"))
    claims = _rows(second, "narrative_claims")
    assert counts["narrative_claims"] == len(claims) == len(stored_claims) > 0
    assert {r["bucket"] for r in claims} == {"-"}
    theirs = {r["claim_id"]: r["proposition_id"] for r in claims}
    mine = {r["claim_id"]: r["proposition_id"] for r in stored_claims}
    assert _partition(theirs) == _partition(mine)
    assert len(set(theirs.values())) < len(theirs)
    assert {r["claim_id"]: (r["stance"], round(r["stance_score"], 4)) for r in claims} == {
        r["claim_id"]: (r["stance"], round(r["stance_score"], 4)) for r in stored_claims
    }
    assert {r["claim_id"]: r["speaker_entity_id"] for r in claims} == {
        r["claim_id"]: r["speaker_entity_id"] for r in stored_claims
    }
    propositions = {r["id"]: r for r in _rows(second, "propositions")}
    assert counts["propositions"] == len(propositions) == len(set(theirs.values()))
    assert sum(r["size"] for r in propositions.values()) == len(claims)

    def pairs(rows: list[dict[str, Any]]) -> set[tuple[str, ...]]:
        return {(r["kind"], r["about"], r["a_claim_id"], r["b_claim_id"]) for r in rows}

    found = _rows(second, "contradictions")
    assert counts["contradictions"] == len(found) > 0
    # the store adds the analyses' own (within one article) contradictions beside them
    assert pairs(found) <= pairs(stored_contradictions)
    for row in stored_contradictions:
        if (row["kind"], row["about"], row["a_claim_id"], row["b_claim_id"]) not in pairs(found):
            assert row["a_article_id"] == row["b_article_id"]


def _partition(assignment: dict[str, Any]) -> set[frozenset[str]]:
    groups: dict[Any, set[str]] = {}
    for key, group in assignment.items():
        groups.setdefault(group, set()).add(key)
    return {frozenset(g) for g in groups.values()}


def test_spark_refuses_to_write_over_an_earlier_run(spark, run, corpus) -> None:
    from claimgraph.errors import ConfigError
    from claimgraph.spark.job import run_analyze

    out, _ = run
    with pytest.raises(ConfigError, match="--overwrite"):
        run_analyze(spark, corpus["inputs"], str(out))


def test_spark_a_failed_job_is_one_error_line(spark, tmp_path) -> None:
    from claimgraph.errors import StorageError
    from claimgraph.spark.narratives import run_narratives
    from claimgraph.spark.session import spark_errors

    (tmp_path / "bad" / "articles").mkdir(parents=True)
    (tmp_path / "bad" / "articles" / "part-0.parquet").write_bytes(b"not parquet")
    with pytest.raises(StorageError) as caught, spark_errors():
        run_narratives(spark, str(tmp_path / "bad"), str(tmp_path / "out"))
    message = str(caught.value)
    assert "is not a Parquet file" in message and "\n" not in message
