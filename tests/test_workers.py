"""Analysis in worker processes: the same results in the same order, nothing lost when a
worker dies, and the ``--workers`` option of ``claimgraph analyze``."""

from __future__ import annotations

import json
import os
import signal

import pytest
from click.testing import CliRunner

from claimgraph.cli import cli as main
from claimgraph.ingest import article_from_text
from claimgraph.model import ArticleAnalysis, Failure
from claimgraph.outputs import to_jsonl_line
from claimgraph.pipeline import load_pipeline
from claimgraph.workers import analyze_in_workers, can_fork, resolve_workers

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not can_fork(), reason="worker processes are forked (Linux only)"),
]

TEXTS = [
    "The mayor said on Monday that the city would repair the old harbour wall before winter.",
    '"We have no money left for the school," the head teacher told parents at a meeting.',
    "Police denied reports that officers had used force against the protesters on Friday.",
    "The company claimed responsibility for the outage, blaming a faulty software update.",
    "Farmers accused the ministry of ignoring the drought, according to a union statement.",
    'The coach insisted that his team "played well enough to win" despite the heavy defeat.',
    "Scientists warned that the glacier could lose half of its ice within twenty years.",
    "The opposition leader criticised the budget, saying it favoured the richest families.",
    "A spokesman for the airline said that all flights would resume by Sunday evening.",
    "Residents told reporters that the river had risen faster than anyone had expected.",
]


def _articles(texts: list[str]) -> list:
    pipeline = load_pipeline()
    return [article_from_text(text, config=pipeline.config.ingest) for text in texts]


def _lines(results) -> list[str]:
    return [to_jsonl_line(result) for result in results]


def test_workers_give_the_results_of_one_process_in_input_order(monkeypatch, tmp_path):
    pipeline = load_pipeline()
    articles = _articles(TEXTS)
    items = [*articles[:3], Failure(input="bad.html", code="CG101", message="empty")]
    items += articles[3:]
    expected = _lines(pipeline.analyze(items))

    seen = tmp_path / "pids"
    seen.mkdir()
    run_doc = pipeline.run_doc

    def recording(doc, article):
        (seen / str(os.getpid())).touch()
        return run_doc(doc, article)

    monkeypatch.setattr(pipeline, "run_doc", recording)
    got = _lines(analyze_in_workers(pipeline, items, workers=2, chunk_size=2))
    assert got == expected
    pids = {int(p.name) for p in seen.iterdir()}
    assert pids - {os.getpid()}  # analysed in the workers (this process only warmed up)


def test_a_worker_that_dies_loses_no_article(monkeypatch):
    pipeline = load_pipeline()
    texts = [*TEXTS[:5], "CRASH: the generator failed during the night, staff said."]
    texts += TEXTS[5:]
    articles = _articles(texts)
    parent = os.getpid()
    run_doc = pipeline.run_doc

    def crashing(doc, article):
        if article.text.startswith("CRASH") and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # what the kernel does to a process out of memory
        return run_doc(doc, article)

    monkeypatch.setattr(pipeline, "run_doc", crashing)
    results = list(analyze_in_workers(pipeline, articles, workers=2, chunk_size=2))
    assert len(results) == len(articles)
    failed = [r for r in results if isinstance(r, Failure)]
    assert [f.article_id for f in failed] == [articles[5].id]
    assert failed[0].code == "CG300" and "died" in failed[0].message
    for article, result in zip(articles, results, strict=True):
        assert result.article_id == article.id if isinstance(result, Failure) else (
            isinstance(result, ArticleAnalysis) and result.article.id == article.id
        )


def test_small_input_and_one_worker_stay_in_this_process(monkeypatch):
    pipeline = load_pipeline()
    articles = _articles(TEXTS[:3])
    monkeypatch.setattr("claimgraph.workers._WorkerPool._start", _no_fork)
    assert len(list(analyze_in_workers(pipeline, articles, workers=2))) == 3
    assert len(list(analyze_in_workers(pipeline, _articles(TEXTS), workers=1))) == 10
    assert resolve_workers("auto") >= 1
    assert resolve_workers(3) == 3
    with pytest.raises(ValueError):
        resolve_workers(-1)
    # auto: one per core, at most 4, and as many as the free memory holds
    monkeypatch.setattr("claimgraph.workers.available_cores", lambda: 8)
    monkeypatch.setattr("claimgraph.workers.available_memory_mb", lambda: 64_000.0)
    assert resolve_workers("auto") == 4
    monkeypatch.setattr("claimgraph.workers.available_memory_mb", lambda: 900.0)
    assert resolve_workers("auto") == 2
    monkeypatch.setattr("claimgraph.workers.available_memory_mb", lambda: 100.0)
    assert resolve_workers("auto") == 1


def _no_fork(self) -> None:
    raise AssertionError("no worker should be started")


def test_analyze_workers_option(tmp_path):
    data = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": f"a{i}", "text": t}) + "\n" for i, t in enumerate(TEXTS)]
    data.write_text("".join(lines))
    runner = CliRunner()
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.jsonl"
        result = runner.invoke(
            main, ["analyze", str(data), "-f", "jsonl", "-o", str(out), "--workers", workers]
        )
        assert result.exit_code == 0, result.output
        outputs.append(out.read_text())
    assert outputs[0] == outputs[1] and len(outputs[0].splitlines()) == len(TEXTS)
    bad = runner.invoke(main, ["analyze", str(data), "--workers", "0"])
    assert bad.exit_code == 2 and "neither a positive number nor auto" in bad.output


def test_workers_die_with_their_parent(tmp_path):
    """``kill -9`` of ``analyze`` leaves no worker waiting for work forever."""
    import subprocess
    import sys
    import time

    data = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": f"a{i}", "text": TEXTS[i % 10]}) + "\n" for i in range(400)]
    data.write_text("".join(lines))
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "claimgraph.cli", "analyze", str(data), "-f", "jsonl"]
    process = subprocess.Popen([*command, "-o", str(out), "-j", "2", "--no-progress"])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out.exists() and out.stat().st_size):
        time.sleep(0.2)
    workers = _children(process.pid)
    assert len(workers) >= 2, "the workers had not started"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError):
                continue
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_ingest_with_workers_stores_every_article(tmp_path, store_url):
    from claimgraph.store import open_store

    data = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": f"a{i}", "text": t}) + "\n" for i, t in enumerate(TEXTS)]
    data.write_text("".join(lines))
    runner = CliRunner()
    args = ["ingest", str(data), "--db", store_url, "-j", "2", "--no-progress"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    with open_store(store_url) as store:  # the store's connection outlived the workers
        rows = store.rows("articles")
        assert sorted(r["source_name"] for r in rows) == sorted(f"a{i}" for i in range(10))
    again = runner.invoke(main, args)
    assert again.exit_code == 0 and "0 stored, 10 already stored" in again.output, again.output
