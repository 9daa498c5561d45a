"""Tests of the learned claim-hedge model and of choosing between it and the rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimgraph.config import Config
from claimgraph.errors import ModelError
from claimgraph.evidence.certainty import find_hedges, hedge_reader, read
from claimgraph.evidence.hedge_model import (
    ClaimHedgeModel,
    candidate_features,
    candidates,
    learned_hedges,
    load_hedge_model,
)


def _range(text: str, sub: str) -> tuple[int, int]:
    start = text.index(sub)
    return start, start + len(sub)


@pytest.mark.parametrize(
    ("text", "hedge"),
    [
        ("The suspect may have fled across the border.", "may"),
        ("The convoy was reportedly hit by a drone on Monday.", "reportedly"),
        ("The regime appears to be preparing a new offensive.", "appears"),
        ("Officials said the fire was possibly started deliberately.", "possibly"),
    ],
)
def test_learned_hedges_of_a_hedged_sentence(nlp, text, hedge):
    doc = nlp(text)
    found = learned_hedges(doc, 0, len(text), sentence=(0, len(text)))
    assert [s.text for s in found] == [hedge]
    span = found[0]
    assert text[span.start : span.end] == hedge


@pytest.mark.parametrize(
    "text",
    ["The suspect fled across the border on Monday.",
     "The ministry said the convoy was hit by a drone.",
     "The army will hold a parade in the capital next week."],
)
def test_learned_hedges_none_in_a_plain_sentence(nlp, text):
    doc = nlp(text)
    assert learned_hedges(doc, 0, len(text), sentence=(0, len(text))) == []


def test_a_hedge_in_the_reporting_clause_hedges_the_content(nlp):
    text = "The spokesman suggested that the rebels had fired the missile."
    doc = nlp(text)
    content = _range(text, "the rebels had fired the missile")
    cue = _range(text, "suggested")
    assert [s.text for s in learned_hedges(doc, *content, cue=cue)] == ["suggested"]


def test_candidates_are_words_of_the_hedging_vocabulary(nlp):
    text = "The minister may resign, and the cabinet apparently agreed."
    doc = nlp(text)
    words = [c.token.text for c in candidates(doc, 0, len(text))]
    assert words == ["may", "apparently"]
    feats = candidate_features(doc, candidates(doc, 0, len(text))[0], 0, len(text))
    assert feats["w=may"] == 1.0 and feats["loc=claim"] == 1.0 and feats["bias"] == 1.0


def test_a_one_word_event_takes_the_modal_of_its_clause(nlp):
    text = "Investors fear the new tariffs might deepen the recession."
    doc = nlp(text)
    feats = candidate_features(doc, next(c for c in candidates(doc, *_range(text, "recession"))
                                         if c.token.text == "might"),
                               *_range(text, "recession"))
    assert feats["loc=claim"] == 1.0


def test_model_round_trip_and_malformed_model(tmp_path):
    model = ClaimHedgeModel(name="m", weights={"bias": -1.0, "w=may": 3.0}, threshold=0.5)
    again = ClaimHedgeModel.from_json(model.to_json())
    assert again == model
    assert again.probability({"bias": 1.0, "w=may": 1.0}) > 0.8
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "m", "weights": []}), encoding="utf-8")
    with pytest.raises(ModelError):
        load_hedge_model(str(bad))
    with pytest.raises(ModelError):
        load_hedge_model(str(tmp_path / "missing.json"))


def test_the_packaged_model_is_the_default_and_rules_remain_available(nlp):
    packaged = load_hedge_model()
    assert packaged.name.startswith("claimgraph.claim_hedges")
    assert hedge_reader(None) is packaged
    assert hedge_reader(Config()) is packaged
    rules = Config.model_validate({"hedging": {"claim_hedges": "rules"}})
    assert hedge_reader(rules) == "rules"
    text = "The suspect may have fled across the border."
    doc = nlp(text)
    assert [s.text for s in find_hedges(doc, 0, len(text), hedges_by="rules")] == ["may"]
    assert read(doc, 0, len(text), hedges_by="rules").label == "hedged"
    # A model that never fires: no hedges, whatever the rules say.
    silent = ClaimHedgeModel(name="silent", weights={"bias": -30.0}, threshold=0.5)
    assert find_hedges(doc, 0, len(text), hedges_by=silent) == []


def test_config_rejects_an_unknown_hedge_reader():
    with pytest.raises(ValueError):
        Config.model_validate({"hedging": {"claim_hedges": "magic"}})
    with pytest.raises(ValueError):
        Config.model_validate({"hedging": {"claim_hedge_threshold": 1.5}})


def test_a_stricter_threshold_marks_fewer_claims_hedged(nlp):
    strict = hedge_reader(Config.model_validate({"hedging": {"claim_hedge_threshold": 0.99}}))
    assert isinstance(strict, ClaimHedgeModel) and strict.threshold == 0.99
    assert strict.weights is load_hedge_model().weights
    text = "The convoy was reportedly hit by a drone on Monday."
    doc = nlp(text)
    assert find_hedges(doc, 0, len(text), hedges_by=strict) == []
    assert [s.text for s in find_hedges(doc, 0, len(text))] == ["reportedly"]


def test_a_word_does_not_hedge_itself(nlp):
    text = "The device appears to be running a new operating system."
    doc = nlp(text)
    assert learned_hedges(doc, *_range(text, "appears")) == []
    assert [s.text for s in learned_hedges(doc, *_range(text, "running"))] == ["appears"]


def test_the_scanners_syntactic_tests_are_features(nlp):
    from claimgraph.evidence.hedge_model import syntactic_tests

    text = "I do think that the senator will lose the primary."
    doc = nlp(text)
    think = next(t for t in doc if t.text == "think")
    assert syntactic_tests(think, 0, len(text), False).get("h_insisting") == 1.0
    text = "Analysts asked whether the merger could fail."
    doc = nlp(text)
    could = next(t for t in doc if t.text == "could")
    assert syntactic_tests(could, *_range(text, "the merger could fail"), False).get(
        "h_open_clause") == 1.0


def test_analyze_with_a_missing_claim_hedge_model_fails_cleanly(tmp_path):
    from click.testing import CliRunner

    from claimgraph.cli import cli

    config = tmp_path / "cg.toml"
    config.write_text('[hedging]\nclaim_hedge_weights = "missing.json"\n', encoding="utf-8")
    article = tmp_path / "story.txt"
    article.write_text("The minister may resign, officials said on Monday.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["analyze", str(article), "--config", str(config),
                                      "-f", "jsonl", "--no-progress", "--workers", "1"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("claimgraph: error:")]
    assert "claim-hedge model" in line and "missing.json" in line


def test_the_shipped_claim_hedge_model_records_its_training_sets():
    data = json.loads((Path(__file__).resolve().parents[1] / "src" / "claimgraph" / "models"
                       / "hedging" / "claim_hedges.json").read_text(encoding="utf-8"))
    assert data["name"] == load_hedge_model().name
    assert len(data["training"]["sets"]) == 22
    assert data["training"]["n_claims"] == 4400
