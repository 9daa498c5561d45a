"""Fit the attribution second stage (:mod:`.rerank`) on out-of-fold predictions.

The taggers' outputs on their own training documents are too good to learn from, so the
training documents are cut into :data:`PARTS` parts; for each part, taggers are fitted on
the other parts and run on it.  Every predicted attribution is aligned with the gold ones
as the scorer aligns them (:mod:`claimgraph.evaluation.attribution`), which labels

* each source candidate with its token overlap with the gold source (the best candidate of
  an aligned attribution is the positive example of the source model), and
* each attribution as right when its content and source overlap the gold ones with a joint
  precision credit of at least :data:`GOOD` (the keep model's label).

Both models are L2 logistic regressions; ``C``, the source margin and the keep threshold
were chosen by cross-validation over these parts of the train fold.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from claimgraph.attribution import content_pieces
from claimgraph.attribution.features import DocFeatures, tree_relations
from claimgraph.attribution.postprocess import postprocess
from claimgraph.attribution.rerank import (
    Candidate,
    Reranker,
    attribution_features,
    candidate_features,
    candidates,
)
from claimgraph.attribution.tagger import RawAttribution, Taggers, predict
from claimgraph.errors import ModelError
from claimgraph.evaluation.attribution import (
    AttributionDoc,
    MergedAttribution,
    align,
    credits,
    merge_by_cue,
    tokens_of,
)
from claimgraph.model import FragmentedSpan, Span
from claimgraph.training.taggers import write_taggers

logger = logging.getLogger(__name__)

PARTS = 4
SOURCE_C = 0.3
SOURCE_MARGIN = 0.5
KEEP_C = 0.1
KEEP_THRESHOLD = 0.25
GOOD = 0.5

Features = dict[str, float]


def part_of(doc_id: str, parts: int = PARTS) -> int:
    """The out-of-fold part of a document (salted SHA-256 of its id)."""
    return hashlib.sha256(("claimgraph-rerank|" + doc_id).encode()).digest()[0] % parts


class _Recorder:
    """Stands in for a :class:`Reranker` in post-processing and records what it is asked."""

    def __init__(self) -> None:
        self.calls: dict[tuple[int, int], tuple[Any, ...]] = {}

    def choose(
        self,
        feats: DocFeatures,
        cue: tuple[int, int],
        content: Sequence[int],
        chosen: tuple[int, ...],
        proposals: dict[str, tuple[int, ...]],
        source_prob: dict[int, float],
    ) -> tuple[int, ...]:
        self.calls[cue] = (tuple(content), tuple(sorted(chosen)), proposals, source_prob)
        return chosen


def _token_set(text: str, feats: DocFeatures, tokens: Sequence[int]) -> frozenset[Any]:
    pieces = content_pieces(feats, tuple(tokens))
    if not pieces:
        return frozenset()
    return tokens_of(FragmentedSpan.from_pieces(text, pieces))


def document_examples(
    gold: AttributionDoc, feats: DocFeatures, taggers: Taggers
) -> tuple[list[tuple[list[Features], int]], list[tuple[Features, int]]]:
    """Source-choice groups (candidate features, index of the best) and keep examples."""
    text = gold.text
    recorder = _Recorder()
    raws = postprocess(feats, predict(taggers, feats), recorder)
    predicted: list[tuple[RawAttribution, MergedAttribution]] = []
    for raw in raws:
        pieces = content_pieces(feats, raw.content)
        if not pieces:
            continue
        cue = Span.of(text, feats.starts[raw.cue[0]], feats.ends[raw.cue[1] - 1])
        content = tokens_of(FragmentedSpan.from_pieces(text, pieces))
        merged = MergedAttribution(cue=tokens_of(cue), content=content, source=frozenset())
        predicted.append((raw, merged))
    gold_merged = merge_by_cue(gold.attributions)
    aligned = {p: g for g, p in align(gold_merged, [m for _, m in predicted])}
    groups: list[tuple[list[Features], int]] = []
    keeps: list[tuple[Features, int]] = []
    for index, (raw, merged) in enumerate(predicted):
        g = gold_merged[aligned[index]] if index in aligned else None
        good = False
        if g is not None:
            content_precision = credits(g.content, merged.content)[1]
            source_precision = credits(g.source, _token_set(text, feats, raw.source))[1]
            good = content_precision * source_precision >= GOOD
        keeps.append((attribution_features(feats, raw, raw.source), int(good)))
        call = recorder.calls.get(raw.cue)
        if g is None or call is None:
            continue
        content, chosen, proposals, source_prob = call
        cands = candidates(feats, raw.cue, content, {"chosen": chosen, **proposals})
        relations = tree_relations(feats, raw.cue)
        scored: list[tuple[float, bool, Candidate]] = []
        for cand in cands:
            credit = credits(g.source, _token_set(text, feats, cand.tokens))
            scored.append((credit[1] * credit[2], cand.tokens == chosen, cand))
        best = max(range(len(scored)), key=lambda i: scored[i][:2])
        if scored[best][0] <= 0.0:
            continue
        rows = [
            candidate_features(feats, raw.cue, content, cand, source_prob, relations)
            for _, _, cand in scored
        ]
        groups.append((rows, best))
    return groups, keeps


def _fit_logreg(rows: list[Features], labels: list[int], c: float) -> dict[str, float]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    with_bias = [{**row, "bias": 1.0} for row in rows]
    vec = DictVectorizer(sort=True)
    x = vec.fit_transform(with_bias)
    clf = LogisticRegression(C=c, max_iter=3000, fit_intercept=False)
    clf.fit(x, labels)
    names = vec.get_feature_names_out()
    return {str(n): float(w) for n, w in zip(names, clf.coef_[0], strict=True)}


def fit_reranker(
    gold_docs: Sequence[AttributionDoc],
    feats: Sequence[DocFeatures],
    per_doc: Sequence[tuple[list[Any], list[Any]]],
    centroids: Sequence[np.ndarray],
    *,
    cue_params: dict[str, Any],
    role_params: dict[str, Any],
) -> Reranker:
    """Fit the second stage on out-of-fold predictions over ``gold_docs``.

    ``feats`` are the documents' :class:`DocFeatures` and ``per_doc`` their tagger
    training sequences (cue, role), as :func:`.train.train` built them.
    """


    parts = [part_of(g.id) for g in gold_docs]
    if len(set(parts)) < PARTS:
        raise ModelError(
            f"the attribution second stage needs documents in each of its {PARTS} "
            f"out-of-fold parts ({len(gold_docs)} documents given); train with --no-rerank"
        )
    groups: list[tuple[list[Features], int]] = []
    keeps: list[tuple[Features, int]] = []
    with tempfile.TemporaryDirectory(prefix="claimgraph-rerank-") as tmp:
        for k in range(PARTS):
            out = Path(tmp) / str(k)
            rest = [seqs for seqs, part in zip(per_doc, parts, strict=True) if part != k]
            write_taggers(rest, centroids, out, cue_params=cue_params, role_params=role_params)
            taggers = Taggers(out)
            for gold, f, part in zip(gold_docs, feats, parts, strict=True):
                if part == k:
                    g, kp = document_examples(gold, f, taggers)
                    groups.extend(g)
                    keeps.extend(kp)
            logger.info("second stage: part %d/%d done", k + 1, PARTS)
    source_rows = [row for rows, _ in groups for row in rows]
    source_labels = [int(i == best) for rows, best in groups for i in range(len(rows))]
    source_weights = _fit_logreg(source_rows, source_labels, SOURCE_C)
    keep_weights = _fit_logreg([f for f, _ in keeps], [y for _, y in keeps], KEEP_C)
    logger.info(
        "second stage: %d source groups, %d attributions (%d right)",
        len(groups),
        len(keeps),
        sum(y for _, y in keeps),
    )
    return Reranker(
        source_weights=source_weights,
        source_margin=SOURCE_MARGIN,
        keep_weights=keep_weights,
        keep_threshold=KEEP_THRESHOLD,
    )


__all__ = ["GOOD", "PARTS", "document_examples", "fit_reranker", "part_of"]
