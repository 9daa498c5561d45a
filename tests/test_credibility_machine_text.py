"""Tests of the machine-generated text detector."""

from __future__ import annotations

import numpy as np
import pytest

from claimgraph.credibility.machine_text import (
    LM_FEATURES,
    STYLOMETRIC_FEATURES,
    Detector,
    feature_names,
    load_detector,
    normalise_text,
    score_texts,
    stylometric_features,
)
from claimgraph.errors import ModelError
from claimgraph.training.machine_text import build_ngram_lm

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
