"""Stance: the short-text cue model, the body network, folds by topic and the
evaluation on Emergent and FNC-1."""

from __future__ import annotations

import json

import pytest

from claimgraph.evaluation.stance import fnc_folds, fnc_score, split_fnc
from claimgraph.narratives.stance import CUE_NAMES, cue_features, predict, short_probabilities


def test_fnc_score_weights_related_labels():
    gold = ["unrelated", "agree", "discuss", "disagree"]
    assert fnc_score(gold, gold) == 100.0
    # right about relatedness everywhere, wrong about every related label
    assert fnc_score(gold, ["unrelated", "discuss", "agree", "agree"]) == pytest.approx(
        100 * 1.0 / 3.25
    )
    assert fnc_score(gold, ["agree"] * 4) == pytest.approx(100 * 1.5 / 3.25)


def test_fnc_folds_keep_a_story_together():
    pairs = [
        ("Pope says pets go to heaven", "b1", "agree"),
        ("Pope says pets go to heaven", "b2", "discuss"),
        ("Comet hits the moon", "b2", "unrelated"),
        ("Comet hits the moon", "b3", "agree"),
    ]
    groups = fnc_folds(pairs)
    assert groups["b1"] == groups["b2"] == "b1"  # joined through the related headline
    assert groups["b3"] == "b3"  # an unrelated pairing joins nothing


def test_training_pairs_never_hold_a_heldout_headline(shared_dir):
    from claimgraph.evaluation.stance import load_fnc

    data = shared_dir / "data" / "stance"
    pairs = load_fnc(data / "fnc1_dev.jsonl", data / "fnc1_dev_bodies.jsonl")
    heldout, train = split_fnc(pairs, "heldout"), split_fnc(pairs, "train")
    related_heldout = {p.claim for p in heldout if p.label != "unrelated"}
    assert not related_heldout & {p.claim for p in train}
    assert not {p.text for p in heldout} & {p.text for p in train}


def test_short_texts_read_their_cues():
    claim = "The zoo's oldest elephant has died"
    answers = short_probabilities(
        [claim] * 3,
        [
            "The zoo's oldest elephant has died, keepers confirm",
            "No, the zoo's oldest elephant has not died: the rumour is a hoax",
            "Zoo's oldest elephant may have died, according to unconfirmed reports",
        ],
    )
    best = [max(a, key=lambda k: a[k]) for a in answers]
    assert best == ["supports", "denies", "reports"]
    assert len(cue_features(claim, "anything")) == len(CUE_NAMES)


def test_short_text_words_are_scikit_learns_tf_idf():
    sklearn_text = pytest.importorskip(
        "sklearn.feature_extraction.text", reason="pip install -e '.[train]'"
    )
    from claimgraph.narratives.cues import TERM_PATTERN, Terms

    texts = ["Zoo elephant dies? Keepers deny it", "Elephant elephant dies", "no match here"]
    fitted = sklearn_text.TfidfVectorizer(sublinear_tf=True, token_pattern=TERM_PATTERN)
    expected = fitted.fit_transform(texts[:2]).toarray()
    vocabulary = tuple(sorted(fitted.vocabulary_, key=lambda t: fitted.vocabulary_[t]))
    got = Terms(vocabulary, fitted.idf_.astype("float32")).vectors(texts)
    assert got[:2] == pytest.approx(expected, abs=1e-6)
    assert not got[2].any()  # no known word: a zero row, not a division by zero


@pytest.mark.slow
def test_a_body_goes_through_the_network():
    body = (
        "Keepers at the city zoo said on Monday that Rana, the oldest elephant, had died. "
        "She was 61. Visitors left flowers at the gate. The zoo will close for a day."
    )
    (label, p), (other, _) = predict(
        ["The zoo's oldest elephant has died", "A new bridge opens in the harbour"],
        [body, body],
    )
    assert label in {"supports", "reports"} and 0 < p <= 1
    assert other == "unrelated"


def test_eval_stance_on_emergent(shared_dir, tmp_path):
    from claimgraph.evaluation.stance import evaluate

    out = tmp_path / "pred.jsonl"
    report = evaluate(
        shared_dir / "data" / "stance" / "emergent_dev.jsonl", fold="heldout", predictions=out
    )
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == report.n_documents
    assert {r["label"] for r in rows} <= {"for", "against", "observing"}
    assert report.metrics["stance_macro_f1"] > 0.6  # majority class: 0.21
    assert "note:" not in report.render()  # fitted on the train fold: an honest score


@pytest.mark.slow
def test_eval_stance_on_fnc1_needs_bodies_and_scores(shared_dir, tmp_path):
    from claimgraph.errors import EvaluationError
    from claimgraph.evaluation.stance import evaluate

    data = shared_dir / "data" / "stance"
    with pytest.raises(EvaluationError, match="--bodies"):
        evaluate(data / "fnc1_dev.jsonl", fold="heldout")
    # a small slice of the held-out fold: two stories with all their pairs
    rows = [json.loads(line) for line in (data / "fnc1_dev.jsonl").read_text().splitlines()]
    bodies = {r["body_id"] for r in rows if r["label"] == "agree"}
    chosen = sorted(bodies)[:2]
    subset = tmp_path / "fnc.jsonl"
    subset.write_text("".join(json.dumps(r) + "\n" for r in rows if r["body_id"] in chosen))
    report = evaluate(subset, bodies=data / "fnc1_dev_bodies.jsonl", fold="all")
    assert 0 <= report.metrics["stance_fnc_score"] <= 100
    assert report.metrics["f1_unrelated"] > 0.8
