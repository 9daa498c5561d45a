"""The event scorer on tiny hand-made gold and prediction files."""

from __future__ import annotations

import json

import pytest

from claimgraph.errors import EvaluationError
from claimgraph.evaluation.events import (
    event_class,
    events_from_analysis,
    load_records,
    score,
)
from claimgraph.model import Article, ArticleAnalysis, Span, SpeechAct, SpeechActClass

GOLD = [
    {
        "id": "a",
        "origin": "x",
        "events": [
            {
                "source": "USA",
                "source_text": "United States",
                "target": "PRK",
                "target_text": "North Korea",
                "coarse": "APPEAL_REQUEST",
            }
        ],
    },
    {
        "id": "b",
        "origin": "x",
        "events": [
            {
                "source": "Kenya's leading opposition party",
                "source_text": "Kenya's leading opposition party",
                "target": "government",
                "target_text": "government",
                "coarse": "ACCUSE_CRITICIZE",
            }
        ],
    },
    {"id": "c", "origin": "y", "events": []},
]


def test_evaluation_events_perfect_prediction_scores_one():
    metrics = score(GOLD, GOLD)
    assert metrics["event_macro_f1"] == 1.0
    assert metrics["source_exact"] == metrics["target_lenient"] == 1.0


def test_evaluation_events_scores_per_sentence_and_class():
    pred = [
        {"id": "a", "events": [{"source": "USAGOV", "target": "North Korea", "code": "100"}]},
        {
            "id": "b",
            "events": [
                {"source": "opposition party", "target": "the government", "coarse": "THREATEN"}
            ],
        },
        {"id": "c", "events": [{"source": "x", "target": "y", "plover": "PROTEST"}]},
    ]
    metrics = score(GOLD, pred)
    assert metrics["APPEAL_REQUEST_f1"] == 1.0
    assert metrics["ACCUSE_CRITICIZE_r"] == 0.0
    assert metrics["THREATEN_p"] == 0.0 and metrics["PROTEST_p"] == 0.0
    # macro over the verbal classes with gold support: APPEAL 1.0, ACCUSE 0.0
    assert metrics["event_macro_f1"] == pytest.approx(0.5)
    assert metrics["verbal_micro_p"] == pytest.approx(1 / 3)
    # actors are only compared where the class matches: USAGOV ~ USA (lenient), text exact
    assert metrics["source_pairs"] == 1
    assert metrics["source_exact"] == 0.0 and metrics["source_lenient"] == 1.0
    assert metrics["target_exact"] == 1.0
    assert metrics["event_macro_f1_x"] == pytest.approx(0.5)


def test_evaluation_events_lenient_text_containment():
    pred = [
        {
            "id": "b",
            "events": [
                {"source": "opposition party", "target": "government", "coarse": "ACCUSE_CRITICIZE"}
            ],
        }
    ]
    metrics = score(GOLD[1:2], pred)
    assert metrics["source_exact"] == 0.0 and metrics["source_lenient"] == 1.0
    assert metrics["target_exact"] == 1.0


def test_evaluation_events_class_precedence():
    assert event_class({"coarse": "ASSERT", "code": "112"}) == "ASSERT"
    assert event_class({"code": "0352"}) == "INTEND"
    assert event_class({"plover": "DEMAND"}) == "APPEAL_REQUEST"
    assert event_class({"plover": "ASSAULT"}) == "OTHER"
    assert event_class({}) is None


def test_evaluation_events_load_records_rejects_bad_lines(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(json.dumps(r) for r in GOLD) + "\n", encoding="utf-8")
    assert [r["id"] for r in load_records(good)] == ["a", "b", "c"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "events": []}\nnot json\n', encoding="utf-8")
    with pytest.raises(EvaluationError, match="line 2"):
        load_records(bad)
    with pytest.raises(EvaluationError):
        load_records(tmp_path / "missing.jsonl")


def test_evaluation_events_export_skips_negated_and_embedding_reports():
    text = "The minister said Russia did not deny the report."
    analysis = ArticleAnalysis(
        article=Article(id="a1", text=text),
        speech_acts=[
            SpeechAct(
                id="s1",
                act=SpeechActClass.ASSERT,
                cameo="010",
                trigger=Span.of(text, 13, 17),
                source_span=Span.of(text, 4, 12),
            ),
            SpeechAct(
                id="s2",
                act=SpeechActClass.REJECT_DENY,
                cameo="016",
                trigger=Span.of(text, 33, 37),
                source_span=Span.of(text, 18, 24),
                negated=True,
                attributed_by_span=Span.of(text, 4, 12),
            ),
        ],
    )
    events = events_from_analysis(analysis)
    assert events == [
        {
            "source": "minister",
            "source_text": "minister",
            "target": "",
            "target_text": "",
            "coarse": "ASSERT",
            "code": "010",
        }
    ]
