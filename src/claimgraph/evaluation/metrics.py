"""Metrics every evaluation shares: precision, recall, F1, AUROC and B-cubed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt


def f1(precision: float, recall: float) -> float:
    """The harmonic mean of ``precision`` and ``recall`` (0 where both are 0)."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def prf(
    hits: float, n_pred: float, n_gold: float, *, recall_hits: float | None = None
) -> tuple[float, float, float]:
    """Precision ``hits / n_pred``, recall ``recall_hits / n_gold`` (``hits`` unless
    given: soft-overlap scores credit the two sides differently) and their F1; a ratio
    with nothing to divide by is 0."""
    precision = hits / n_pred if n_pred else 0.0
    recall = (hits if recall_hits is None else recall_hits) / n_gold if n_gold else 0.0
    return precision, recall, f1(precision, recall)


def binary_prf(
    labels: Sequence[int | bool], predicted: Sequence[int | bool]
) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class of 0/1 ``labels`` and predictions."""
    hits = sum(1 for y, p in zip(labels, predicted, strict=True) if p and y)
    return prf(hits, sum(1 for p in predicted if p), sum(1 for y in labels if y))


def auroc(
    labels: Sequence[int] | npt.NDArray[Any], scores: Sequence[float] | npt.NDArray[Any]
) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties counted half); 0.5 if one class."""
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=float)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return 0.5
    order = np.argsort(s, kind="stable")
    ranks = np.empty(len(s))
    sorted_scores = s[order]
    i = 0
    while i < len(s):  # average ranks over ties
        j = i
        while j + 1 < len(s) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def bcubed(predicted: Sequence[Any], gold: Sequence[Any]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering: for each item, the share of its
    predicted cluster that shares its gold cluster (precision) and the share of its gold
    cluster that shares its predicted cluster (recall), averaged over items."""
    if len(predicted) != len(gold):
        raise ValueError("predicted and gold clusterings differ in length")
    if not gold:
        return 0.0, 0.0, 0.0
    pred_size = Counter(predicted)
    gold_size = Counter(gold)
    both = Counter(zip(predicted, gold, strict=True))
    precision = sum(both[(p, g)] / pred_size[p] for p, g in zip(predicted, gold, strict=True))
    recall = sum(both[(p, g)] / gold_size[g] for p, g in zip(predicted, gold, strict=True))
    precision, recall = precision / len(gold), recall / len(gold)
    return precision, recall, f1(precision, recall)


__all__ = ["auroc", "bcubed", "binary_prf", "f1", "prf"]
