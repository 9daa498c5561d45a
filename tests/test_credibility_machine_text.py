"""Tests of the machine-generated text detector."""

from __future__ import annotations

import numpy as np
import pytest

from claimgraph.credibility.machine_text import (
    LM_FEATURES,
    STYLOMETRIC_FEATURES,
    Detector,
    TreeEnsemble,
    feature_names,
    load_detector,
    normalise_text,
    score_texts,
    stylometric_features,
)
from claimgraph.credibility.ngram_lm import NgramLM, lm_tokens
from claimgraph.errors import ModelError
from claimgraph.training.machine_text import build_ngram_lm, export_trees

HUMAN = (
    'Police in Leeds said a 34-year-old man was arrested on Tuesday. "We are appealing for '
    'witnesses," Det Insp Jane Cole said. The A64 was shut for six hours.'
)
MACHINE = (
    "The incident highlights the crucial importance of community safety. Furthermore, it is "
    "essential to ensure that various measures are in place. Overall, the future remains "
    "uncertain, and ongoing efforts will continue to address these significant concerns."
)


def test_machine_text_normalise_removes_formatting_cues():
    assert normalise_text("“Yes,” she said —\n\nthen left.") == '"Yes," she said - then left.'


def test_machine_text_features_are_finite_and_named():
    row = stylometric_features(HUMAN)
    assert row.shape == (len(STYLOMETRIC_FEATURES),)
    assert np.isfinite(row).all()
    assert np.isfinite(stylometric_features("")).all()


def test_machine_text_features_ignore_paragraph_breaks():
    flat = stylometric_features("One two three. Four five six.")
    broken = stylometric_features("One two three.\n\nFour five six.")
    assert np.array_equal(flat, broken)


def test_machine_text_scores_deterministic_and_ordered():
    first = score_texts([HUMAN, MACHINE])
    assert first == score_texts([HUMAN, MACHINE])
    assert all(0.0 <= s <= 1.0 for s in first)
    assert first[1] > first[0]
    assert score_texts([]) == []


def test_machine_text_packaged_detector_matches_feature_list():
    detector = load_detector()
    assert detector.features == feature_names()


def test_machine_text_rejects_stale_weights():
    data = load_detector().to_json()
    data["features"] = data["features"][:-1]
    with pytest.raises(ModelError):
        Detector.from_json(data)


def test_machine_text_ngram_lm_roundtrip(tmp_path):
    lm = build_ngram_lm(["the cat sat on the mat .", "the cat sat on the hat ."] * 2)
    path = tmp_path / "lm.npz"
    lm.save(path)
    loaded = type(lm).load(path)
    seen = loaded.features("the cat sat on the mat .")
    unseen = loaded.features("purple quantum giraffes negotiate .")
    assert seen.shape == (len(LM_FEATURES),)
    assert np.allclose(seen, lm.features("the cat sat on the mat ."))
    assert seen[0] > unseen[0]  # mean log-probability of seen text is higher


def _brute_force_moments(lm: NgramLM, context: list[str], vocab: list[str]) -> tuple[float, ...]:
    """E[log p] and E[log² p] of the next token by summing over every word, and total p."""
    stats = [lm.token_stats([*context, word]) for word in vocab]
    probs = np.array([np.exp(s.logp[-1]) for s in stats])
    logs = np.log(probs)
    return float((probs * logs).sum()), float((probs * logs**2).sum()), float(probs.sum())


def test_machine_text_ngram_moments_match_the_distribution():
    texts = ["the cat sat on the mat .", "the dog sat on the rug .", "a cat ran ."] * 2
    lm = build_ngram_lm(texts)
    vocab = [*sorted({t for text in texts for t in lm_tokens(text)}), "<unseen-word>"]
    # the unseen-word slot stands for every unseen word: its mass is 0.5 / norm once
    for context in (["the", "cat"], ["sat", "on"], ["purple"], ["zebra", "the"]):
        mean, m2, total = _brute_force_moments(lm, context, vocab)
        stats = lm.token_stats([*context, "x"])
        assert total == pytest.approx(1.0, abs=0.02)  # pruned trigrams lose a little mass
        assert stats.tri_mean[-1] == pytest.approx(mean, rel=0.02)
        assert stats.tri_var[-1] + stats.tri_mean[-1] ** 2 == pytest.approx(m2, rel=0.02)


def test_machine_text_discrepancy_favours_the_models_own_choices():
    lm = build_ngram_lm(["the cat sat on the mat ."] * 5 + ["the dog ran to the park ."] * 5)
    likely = dict(zip(LM_FEATURES, lm.features("the cat sat on the mat ."), strict=True))
    unlikely = dict(zip(LM_FEATURES, lm.features("the mat sat on the cat ."), strict=True))
    assert likely["lm_tri_disc"] > unlikely["lm_tri_disc"]
    assert likely["lm_bi_z_mean"] > unlikely["lm_bi_z_mean"]


def test_machine_text_exported_trees_match_scikit_learn():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 5))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(int)
    model = HistGradientBoostingClassifier(max_iter=30, max_depth=3, random_state=0).fit(x, y)
    trees = export_trees(model)
    assert np.allclose(trees.probability(x), model.predict_proba(x)[:, 1], atol=1e-9)
    again = TreeEnsemble.from_json(trees.to_json())
    assert np.allclose(again.probability(x), trees.probability(x), atol=1e-9)


def test_machine_text_rejects_malformed_trees():
    data = load_detector().to_json()
    assert data["trees"] is not None
    data["trees"]["left"][0] = data["trees"]["left"][0][:-1]
    with pytest.raises(ModelError):
        Detector.from_json(data)
    data = load_detector().to_json()
    data["trees"]["feature"][0][0] = len(data["features"]) + 5
    with pytest.raises(ModelError):
        Detector.from_json(data)
