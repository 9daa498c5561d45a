"""Tests of the attribution scorer on small hand-made gold/prediction documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimgraph.errors import EvaluationError
from claimgraph.evaluation.attribution import (
    HEADLINE,
    AttributionDoc,
    doc_to_json,
    iter_docs,
    parse_doc,
    score,
    tokens_of,
)

TEXT = (
    'The senator said the bill would fail. "It is dead," she added, "and buried." '
    "Critics fear a shutdown."
)


def _span(sub: str, occurrence: int = 0) -> dict[str, object]:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(sub, start + 1)
    return {"start": start, "end": start + len(sub), "text": sub}


def _doc(records: list[dict[str, object]], doc_id: str = "d1") -> AttributionDoc:
    return parse_doc({"id": doc_id, "text": TEXT, "attributions": records})


def _said() -> dict[str, object]:
    return {
        "source": _span("The senator"),
        "cue": _span("said"),
        "content": _span("the bill would fail"),
        "kind": "indirect",
    }


def _added(fragmented: bool = True) -> dict[str, object]:
    first, second = _span('"It is dead,"'), _span('"and buried."')
    content: dict[str, object] = {
        "start": first["start"],
        "end": second["end"],
        "text": TEXT[first["start"] : second["end"]],  # type: ignore[index]
    }
    if fragmented:
        content["fragments"] = [first, second]
    return {"source": _span("she"), "cue": _span("added"), "content": content, "kind": "direct"}


def _fear() -> dict[str, object]:
    return {
        "source": _span("Critics"),
        "cue": _span("fear"),
        "content": _span("a shutdown"),
        "kind": "indirect",
    }


def test_evaluation_attribution_perfect_prediction_scores_one() -> None:
    gold = _doc([_said(), _added(), _fear()])
    metrics = score([gold], [gold])
    assert metrics[HEADLINE] == pytest.approx(1.0)
    for row in ("content", "source", "cue", "content+source", "content+source+cue"):
        assert metrics[f"{row}_f1_exact"] == pytest.approx(1.0)


def test_evaluation_attribution_missing_attribution_lowers_recall_only() -> None:
    gold = _doc([_said(), _added(), _fear()])
    pred = _doc([_said(), _added()])
    metrics = score([gold], [pred])
    assert metrics["content+source_p_overlap"] == pytest.approx(1.0)
    assert metrics["content+source_r_overlap"] == pytest.approx(2 / 3)


def test_evaluation_attribution_partial_content_gets_soft_credit() -> None:
    gold = _doc([_said()])
    short = dict(_said(), content=_span("the bill"))
    metrics = score([gold], [_doc([short])])
    assert metrics["content_f1_exact"] == 0.0
    assert metrics["content_p_overlap"] == pytest.approx(1.0)
    assert metrics["content_r_overlap"] == pytest.approx(2 / 4)


def test_evaluation_attribution_wrong_source_zeroes_joint_row() -> None:
    gold = _doc([_fear()])
    pred = _doc([dict(_fear(), source=None)])
    metrics = score([gold], [pred])
    assert metrics["content_f1_overlap"] == pytest.approx(1.0)
    assert metrics[HEADLINE] == 0.0


def test_evaluation_attribution_no_source_on_both_sides_agrees() -> None:
    record = dict(_fear(), source=None)
    metrics = score([_doc([record])], [_doc([record])])
    assert metrics[HEADLINE] == pytest.approx(1.0)


def test_evaluation_attribution_merges_records_with_identical_cue() -> None:
    first, second = _added()["content"]["fragments"]  # type: ignore[index]
    gold = _doc([_added()])
    split = [
        {"source": _span("she"), "cue": _span("added"), "content": first, "kind": "direct"},
        {"source": None, "cue": _span("added"), "content": second, "kind": "direct"},
    ]
    metrics = score([gold], [_doc(split)])
    assert metrics["n_pred"] == 1
    assert metrics[HEADLINE] == pytest.approx(1.0)


def test_evaluation_attribution_fragments_exclude_the_gap() -> None:
    fragmented = _doc([_added(fragmented=True)]).attributions[0].content
    envelope = _doc([_added(fragmented=False)]).attributions[0].content
    words = {TEXT[s:e] for s, e in tokens_of(fragmented)}
    assert words == {"It", "is", "dead", "and", "buried"}
    assert len(tokens_of(envelope)) == len(words) + 2  # "she added" in the envelope
    metrics = score([_doc([_added(fragmented=True)])], [_doc([_added(fragmented=False)])])
    assert metrics["content_p_overlap"] == pytest.approx(5 / 7)
    assert metrics["content_r_overlap"] == pytest.approx(1.0)


def test_evaluation_attribution_no_shared_token_means_no_alignment() -> None:
    gold = _doc([_said()])
    pred = _doc([dict(_said(), content=_span("a shutdown"))])
    metrics = score([gold], [pred])
    assert metrics["content_f1_overlap"] == 0.0
    assert metrics["n_pred"] == 1


def test_evaluation_attribution_roundtrip_json(tmp_path: Path) -> None:
    doc = _doc([_said(), _added()])
    path = tmp_path / "pred.jsonl"
    payload = dict(doc_to_json(doc), text=TEXT)
    path.write_text(json.dumps(payload) + "\n", encoding="utf-8")
    (loaded,) = list(iter_docs(path))
    assert score([doc], [loaded])[HEADLINE] == pytest.approx(1.0)
    assert loaded.attributions[1].content.fragments is not None


def test_evaluation_attribution_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"id": "a", "text": TEXT, "attributions": []})
    path.write_text(good + "\n{not json\n", encoding="utf-8")
    with pytest.raises(EvaluationError) as info:
        list(iter_docs(path))
    assert "line 2" in str(info.value)
    assert str(path) in str(info.value)


def test_evaluation_attribution_span_mismatch_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    record = {
        "source": None,
        "cue": {"start": 0, "end": 3, "text": "Thx"},
        "content": _span("a shutdown"),
        "kind": "indirect",
    }
    path.write_text(json.dumps({"id": "a", "text": TEXT, "attributions": [record]}) + "\n")
    with pytest.raises(EvaluationError, match="line 1"):
        list(iter_docs(path))
