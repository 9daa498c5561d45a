"""Tests of the attribution second stage (source re-ranking, keep/drop) on real parses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimgraph.attribution.features import (
    doc_features,
    role_window,
    role_xseq,
    tree_paths,
    tree_relations,
)
from claimgraph.attribution.rerank import (
    RERANKER,
    Reranker,
    attribution_features,
    candidate_features,
    candidates,
    load_reranker,
)
from claimgraph.attribution.tagger import RawAttribution
from claimgraph.errors import ModelError

TEXT = "The mayor of the city said on Tuesday that the harbor would reopen next week."


@pytest.fixture(scope="module")
def parsed(nlp):
    feats = doc_features(nlp(TEXT))
    said = feats.lower.index("said")
    that = feats.lower.index("that")
    content = tuple(range(that, feats.lower.index("week") + 1))
    return feats, (said, said + 1), content


def _words(feats, tokens) -> str:
    return " ".join(feats.lower[i] for i in tokens)


def test_candidates_hold_none_proposals_and_phrases_outside_content(parsed) -> None:
    feats, cue, content = parsed
    cands = candidates(feats, cue, content, {"chosen": ()})
    phrases = {_words(feats, c.tokens) for c in cands}
    assert "" in phrases  # no source
    assert {"the mayor", "the mayor of the city"} <= phrases  # chunk and whole subtree
    assert not any(set(c.tokens) & (set(content) | set(range(*cue))) for c in cands)
    none = next(c for c in cands if not c.tokens)
    assert none.origins == {"none"}
    proposed = candidates(feats, cue, content, {"chosen": (0, 1)})
    assert any(c.tokens == (0, 1) and "chosen" in c.origins for c in proposed)


def test_candidate_features_describe_the_relation_to_the_cue(parsed) -> None:
    feats, cue, content = parsed
    relations = tree_relations(feats, cue)
    cands = {_words(feats, c.tokens): c for c in candidates(feats, cue, content, {})}
    subject = candidate_features(feats, cue, content, cands["the mayor of the city"], {}, relations)
    assert subject["rel=ch:nsubj"] == 1.0 and subject["side=L"] == 1.0
    assert subject["max_p"] == 0.0  # no tagger marginals given
    none = candidate_features(feats, cue, content, cands[""], {}, relations)
    assert none["none"] == 1.0 and "rel=ch:nsubj" not in none


def test_tree_paths_keep_the_preposition_and_the_second_relation(nlp) -> None:
    feats = doc_features(nlp("The mayor said in an interview that the harbor would reopen."))
    said = feats.lower.index("said")
    cue = (said, said + 1)
    paths = tree_paths(feats, cue)

    def path(word: str) -> str:
        return paths[feats.lower.index(word)]

    assert said not in paths
    assert path("mayor") == "ch:nsubj>" and path("the") == "ch:nsubj>det"
    # the circumstance keeps its preposition; the reported clause is told apart by relation
    assert path("in") == "ch:prep:in>" and path("interview") == "ch:prep:in>pobj"
    assert path("reopen") == "ch:ccomp>" and path("harbor") == "ch:ccomp>nsubj"
    assert path("that") == "ch:ccomp>mark"
    window = role_window(feats, cue)
    xseq = role_xseq(feats, cue, window)
    harbor = feats.lower.index("harbor")
    assert "r2=ch:ccomp>nsubj" in xseq[harbor - window[0]]
    assert f"rw={tree_relations(feats, cue)[harbor]}|harbor" in xseq[harbor - window[0]]


def _reranker(margin: float = 0.5, keep_bias: float = 2.0) -> Reranker:
    return Reranker(
        source_weights={"rel=ch:nsubj": 2.0, "len=8": 0.5, "none": -1.0},
        source_margin=margin,
        keep_weights={"bias": keep_bias},
        keep_threshold=0.5,
    )


def test_reranker_replaces_a_source_only_when_clearly_better(parsed) -> None:
    feats, cue, content = parsed
    chosen = _reranker().choose(feats, cue, content, (), {}, {})
    assert _words(feats, chosen) == "the mayor of the city"
    # a margin larger than the gap keeps the post-processing's choice
    assert _reranker(margin=10.0).choose(feats, cue, content, (), {}, {}) == ()


def test_reranker_keep_threshold(parsed) -> None:
    feats, cue, content = parsed
    raw = RawAttribution(cue, content, (0, 1), 0.9, 0.8)
    assert _reranker(keep_bias=2.0).keep(feats, raw)
    assert not _reranker(keep_bias=-2.0).keep(feats, raw)
    x = attribution_features(feats, raw, raw.source)
    assert x["src=True"] == 1.0 and x["cw=said"] == 1.0 and x["conf_p"] == pytest.approx(0.72)


def test_reranker_json_roundtrip_and_loading(tmp_path: Path) -> None:
    assert load_reranker(str(tmp_path)) is None  # no second stage: skipped
    good = tmp_path / "good"
    good.mkdir()
    (good / RERANKER).write_text(json.dumps(_reranker().to_json()))
    assert load_reranker(str(good)) == _reranker()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / RERANKER).write_text(json.dumps({"source_weights": {}}))
    with pytest.raises(ModelError, match="malformed"):
        load_reranker(str(bad))


def test_out_of_fold_examples_are_labelled_against_gold(nlp) -> None:
    from claimgraph.attribution.tagger import load_taggers
    from claimgraph.evaluation.attribution import parse_doc
    from claimgraph.training.reranker import document_examples, part_of

    def span(sub: str) -> dict[str, object]:
        start = TEXT.index(sub)
        return {"start": start, "end": start + len(sub), "text": sub}

    record = {"source": span("The mayor of the city"), "cue": span("said"),
              "content": span("that the harbor would reopen next week"), "kind": "indirect"}
    gold = parse_doc({"id": "d", "text": TEXT, "attributions": [record]})
    taggers = load_taggers()
    groups, keeps = document_examples(gold, doc_features(nlp(TEXT), taggers.centroids), taggers)
    assert keeps and keeps[0][1] == 1  # the predicted attribution is right
    rows, best = groups[0]
    assert rows[best].get("rel=ch:nsubj") == 1.0  # the gold source is the subject
    assert part_of("d") == part_of("d") and 0 <= part_of("d") < 4


def test_shipped_weights_include_the_second_stage() -> None:
    from claimgraph.attribution.tagger import MODEL_DIR

    assert load_reranker(str(MODEL_DIR)) is not None
