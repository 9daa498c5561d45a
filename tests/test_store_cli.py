"""The corpus commands end to end: ingest (idempotent, resumable after kill -9, safe
beside a second ingest), search, entities and every export format."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimgraph.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(str(p) for p in (ROOT / "examples").glob("*.html"))

pytestmark = pytest.mark.slow


def _corpus(path: Path, n: int) -> Path:
    lines = [
        json.dumps(
            {
                "id": f"r{i}",
                "text": f"Story {i}: the mayor of Calloway said on Monday that the harbour "
                f"would reopen in {i + 2} weeks. Union leaders rejected the plan, officials said.",
            }
        )
        for i in range(n)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def example_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("store") / "corpus.db"
    result = CliRunner().invoke(cli, ["ingest", *EXAMPLES, "--db", str(db), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert f"{len(EXAMPLES)} stored, 0 already stored, 0 failed" in result.stderr
    return db


def test_store_cli_ingest_is_idempotent(example_db: Path) -> None:
    result = CliRunner().invoke(cli, ["ingest", *EXAMPLES, "--db", str(example_db)])
    assert result.exit_code == 0
    assert f"0 stored, {len(EXAMPLES)} already stored, 0 failed" in result.stderr


def test_store_cli_entities_show_aliases_statements_and_acts(example_db: Path) -> None:
    result = CliRunner().invoke(
        cli, ["entities", "--name", "Okafor", "--db", str(example_db), "--json"]
    )
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)
    assert report["entity"]["name"] == "Renata Okafor"
    assert "Okafor" in report["entity"]["aliases"]
    assert any("patient for eighteen months" in s["content"] for s in report["statements"])
    accusations = [a for a in report["speech_acts_made"] if a["act"] == "ACCUSE_CRITICIZE"]
    assert any(a["targets"] == ["Calloway Harbor Authority"] for a in accusations)


def test_store_cli_search(example_db: Path) -> None:
    result = CliRunner().invoke(cli, ["search", "automation", "--db", str(example_db), "--json"])
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert {h["kind"] for h in hits} == {"article", "statement"}


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet", "graphml", "jsonld"])
def test_store_cli_export(example_db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"export.{fmt}"
    result = CliRunner().invoke(
        cli, ["export", "-f", fmt, "-o", str(out), "--db", str(example_db)]
    )
    assert result.exit_code == 0, result.output
    if fmt == "jsonl":
        from claimgraph.model import ArticleAnalysis

        rows = [ArticleAnalysis.model_validate_json(line) for line in out.read_text().splitlines()]
        assert len(rows) == len(EXAMPLES)
    elif fmt == "csv":
        assert (out / "statements.csv").read_text().startswith("id,article_id,kind,")
        assert (out / "entities.csv").exists()
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        assert pq.read_table(out / "statements.parquet").num_rows > 10
    elif fmt == "graphml":
        import networkx as nx

        graph = nx.read_graphml(out)
        accusations = [d for _, _, d in graph.edges(data=True) if d["act"] == "ACCUSE_CRITICIZE"]
        assert accusations and all(d["statements"] and d["weight"] >= 1 for d in accusations)
    else:
        document = json.loads(out.read_text())
        claims = document["@graph"]
        assert document["@context"] == "https://schema.org"
        assert all(c["@type"] == "Claim" and c["appearance"]["@id"] for c in claims)
        assert any(c.get("author", {}).get("name") == "Renata Okafor" for c in claims)


def test_store_cli_bad_database_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all " * 10)
    result = CliRunner().invoke(cli, ["search", "harbour", "--db", str(bad)])
    assert result.exit_code == 4
    assert result.stderr.count("\n") == 1 and "not a claimgraph database" in result.stderr


def _count(url: str) -> tuple[int, int]:
    from claimgraph.store import SqlStore

    with SqlStore(url, create=False) as store:
        rows = store.rows("articles")
    return len(rows), len({r["text_sha256"] for r in rows})


def _ingest_process(corpus: Path, db: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "claimgraph.cli", "ingest", str(corpus), "--db", db,
         "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_store_cli_ingest_survives_kill_9(tmp_path: Path, backend: str, request) -> None:
    n = 60
    corpus = _corpus(tmp_path / "corpus.jsonl", n)
    if backend == "sqlite":
        db = str(tmp_path / "kill.db")
    else:
        db = request.getfixturevalue("postgres_url")
    url = db if "://" in db else f"sqlite:///{db}"
    process = _ingest_process(corpus, db)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            stored = _count(url)[0]
        except Exception:  # the schema is not there yet
            continue
        if stored >= 3:
            break
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert 3 <= stored < n, "the kill came too late to test anything"
    again = _ingest_process(corpus, db)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err.decode()
    total, distinct = _count(url)
    assert total == distinct == n  # nothing lost, nothing twice


def test_store_cli_two_ingests_at_once_share_the_work(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus.jsonl", 30)
    db = str(tmp_path / "shared.db")
    first, second = _ingest_process(corpus, db), _ingest_process(corpus, db)
    for process in (first, second):
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
    total, distinct = _count(f"sqlite:///{db}")
    assert total == distinct == 30
