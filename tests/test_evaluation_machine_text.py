"""Tests of the machine-text evaluation harness."""

from __future__ import annotations

import json

import pytest

from claimgraph.errors import EvaluationError
from claimgraph.evaluation.machine_text import (
    HEADLINE,
    MgtRecord,
    auroc,
    evaluate,
    load_records,
    score_predictions,
)


@pytest.mark.parametrize(
    ("labels", "scores", "expected"),
    [
        ([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], 1.0),
        ([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1], 0.0),
        ([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], 0.5),
        ([0, 1, 1, 0], [0.1, 0.4, 0.35, 0.8], 0.5),
        ([1, 1], [0.2, 0.3], 0.5),
    ],
)
def test_evaluation_machine_text_auroc(labels, scores, expected):
    assert auroc(labels, scores) == pytest.approx(expected)


def _record(i: int, label: str, gen: str) -> MgtRecord:
    return MgtRecord(
        id=str(i), text="x", label=label, generator=gen, pair_generator=gen, group=str(i)
    )


def test_evaluation_machine_text_scores_per_class_and_generator():
    records = [
        _record(0, "human", "gpt-4"),
        _record(1, "machine", "gpt-4"),
        _record(2, "human", "davinci"),
        _record(3, "machine", "davinci"),
    ]
    metrics = score_predictions(records, [0.1, 0.9, 0.7, 0.6])
    assert metrics[HEADLINE] == pytest.approx(0.75)
    assert metrics["auc_gpt-4"] == 1.0
    assert metrics["auc_davinci"] == 0.0
    assert metrics["accuracy"] == 0.75
    assert metrics["machine_r"] == 1.0 and metrics["human_r"] == 0.5


def test_evaluation_machine_text_malformed_data(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "text": "t", "label": "robot"}\n')
    with pytest.raises(EvaluationError):
        load_records(path)


def test_evaluation_machine_text_end_to_end_writes_predictions(tmp_path):
    data = tmp_path / "tiny.jsonl"
    rows = [
        {
            "id": "h",
            "text": "Police in Leeds arrested a man, 34, on Tuesday.",
            "label": "human",
            "generator": "human",
            "pair_generator": "gpt-4",
            "group": "g1",
        },
        {
            "id": "m",
            "text": "Furthermore, it is crucial to ensure various measures.",
            "label": "machine",
            "generator": "gpt-4",
            "pair_generator": "gpt-4",
            "group": "g1",
        },
    ]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "pred.jsonl"
    report = evaluate(data, predictions=out)
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [w["id"] for w in written] == ["h", "m"]
    assert set(written[0]) == {"id", "label", "score"}
    assert report.render().splitlines()[-1].startswith(f"{HEADLINE}=")


def test_evaluation_machine_text_heldout_auroc_floor(shared_dir):
    path = shared_dir / "data" / "credibility" / "xsum_mgt_dev.jsonl"
    if not path.is_file():
        pytest.skip("credibility data not available")
    report = evaluate(path, fold="heldout")
    assert report.n_documents == 100
    assert report.metrics[HEADLINE] >= 0.90
