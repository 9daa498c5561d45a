"""Tests of the hedging (event certainty) evaluation harness."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimgraph.errors import EvaluationError
from claimgraph.evaluation.hedging import HEADLINE, evaluate, iter_mentions, score

ROWS = [
    ("e1", "Analysts said the deal could collapse next week .", "collapse", "uncertain"),
    ("e2", "Analysts said the deal could collapse next week .", "said", "certain"),
    ("e3", "The index fell 344 points on Thursday .", "fell", "certain"),
    ("e4", "The company plans to cut 4,000 jobs .", "cut", "uncertain"),
]


def _write(path: Path, rows=ROWS) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i, (rid, text, event, label) in enumerate(rows):
            start = text.index(event)
            out.write(json.dumps({
                "id": rid, "doc": f"doc{i // 2}", "sentence_index": 0, "text": text,
                "event": event, "event_char_start": start, "event_char_end": start + len(event),
                "label": label,
            }) + "\n")
    return path


def test_evaluation_hedging_score_counts_uncertain_class():
    gold = ["uncertain", "certain", "uncertain", "certain"]
    pred = ["uncertain", "uncertain", "certain", "certain"]
    metrics = score(gold, pred)
    assert metrics["uncertain_p"] == 0.5 and metrics["uncertain_r"] == 0.5
    assert metrics[HEADLINE] == 0.5
    assert metrics["accuracy"] == 0.5


def test_evaluation_hedging_end_to_end(tmp_path):
    data = _write(tmp_path / "dev.jsonl")
    preds = tmp_path / "pred.jsonl"
    report = evaluate(data, predictions=preds)
    rows = [json.loads(line) for line in preds.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["e1", "e2", "e3", "e4"]
    assert {r["label"] for r in rows} <= {"certain", "uncertain"}
    assert report.metrics[HEADLINE] == 1.0
    assert report.render().splitlines()[-1].startswith(f"{HEADLINE}=")


def test_evaluation_hedging_folds_keep_articles_whole(tmp_path):
    data = _write(tmp_path / "dev.jsonl")
    train = {m.id for m in iter_mentions(data, fold="train")}
    heldout = {m.id for m in iter_mentions(data, fold="heldout")}
    assert not train & heldout and train | heldout == {"e1", "e2", "e3", "e4"}
    assert ("e1" in train) == ("e2" in train)


def test_evaluation_hedging_malformed_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "short", "event_char_start": 3, "event_char_end": 99}\n')
    with pytest.raises(EvaluationError, match="line 1"):
        list(iter_mentions(bad))


@pytest.mark.slow
def test_evaluation_hedging_dev_floor(shared_dir):
    data = shared_dir / "data" / "hedging" / "meantime_dev.jsonl"
    assert evaluate(data, fold="train").metrics[HEADLINE] >= 0.6


def test_evaluation_hedging_scores_the_reading_analyze_uses(tmp_path, nlp):
    """`eval hedging` predicts with the evidence stage's own certainty reading."""
    from claimgraph.evidence.certainty import read

    data = _write(tmp_path / "dev.jsonl")
    preds = tmp_path / "pred.jsonl"
    report = evaluate(data, predictions=preds)
    rows = {r["id"]: r for r in map(json.loads, preds.read_text().splitlines())}
    for rid, text, event, _ in ROWS:
        start = text.index(event)
        reading = read(nlp(text), start, start + len(event))
        assert rows[rid]["reading"] == reading.label
        assert rows[rid]["hedges"] == [h.text for h in reading.hedges]
        assert rows[rid]["label"] == ("uncertain" if reading.uncertain else "certain")
    assert "hedged_uncertain_f1" in report.metrics
