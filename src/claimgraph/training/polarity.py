"""Fit the polarity model of :mod:`claimgraph.narratives.contradictions`.

    python -m claimgraph.training.polarity EMERGENT.jsonl PAIRS.jsonl [--fold train] [--out DIR]

Learns, from the Emergent headlines labelled ``for`` or ``against`` (``EMERGENT``), the
probability that a report calls its story false.  The regularisation strength and the
pair threshold are chosen by 5-fold cross-validation grouped by claim inside the fitting
fold, scoring the contradiction F1 of the report pairs of ``PAIRS`` (the contradiction
DEV pairs) whose claims are in that fold.  Writes ``polarity.npz`` and ``polarity.json``
to ``--out`` (default ``build/stance``).  Needs scikit-learn (the ``train`` extra).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
from pathlib import Path
from typing import Any

import numpy as np

from claimgraph.evaluation.contradictions import load_pairs as load_report_pairs
from claimgraph.evaluation.folds import Fold
from claimgraph.evaluation.metrics import prf
from claimgraph.evaluation.stance import load_pairs
from claimgraph.narratives.contradictions import (
    PolarityModel,
    pair_contradiction,
    polarity_features,
)
from claimgraph.narratives.propositions import embed_claims
from claimgraph.training import BUILD_DIR

logger = logging.getLogger(__name__)

C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75)


def _fit(x: np.ndarray, y: np.ndarray, c: float, fitted_on: str) -> PolarityModel:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    clf.fit((x - mean) / scale, y)
    return PolarityModel(
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        coef=clf.coef_[0].astype(np.float32),
        intercept=float(clf.intercept_[0]),
        threshold=0.5,
        fitted_on=fitted_on,
    )


def _pair_f1(pairs: list[Any], probability: dict[str, float], threshold: float) -> float:
    gold = [p.label == "contradiction" for p in pairs]
    pred = [pair_contradiction(probability[p.a], probability[p.b]) >= threshold for p in pairs]
    hits = sum(1 for g, q in zip(gold, pred, strict=True) if g and q)
    return prf(hits, sum(pred), sum(gold))[2]


def main(argv: list[str] | None = None) -> int:
    """Command line entry point (module docstring)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("emergent", type=Path)
    parser.add_argument("pairs", type=Path)
    parser.add_argument("--fold", choices=("train", "all"), default="train")
    parser.add_argument("--out", type=Path, default=BUILD_DIR / "stance")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    fold: Fold = args.fold
    headlines = [p for p in load_pairs(args.emergent, fold=fold) if p.label != "observing"]
    report_pairs = load_report_pairs(args.pairs, fold=fold)
    texts = list(
        dict.fromkeys([p.text for p in headlines] + [t for p in report_pairs for t in (p.a, p.b)])
    )
    vectors = dict(zip(texts, embed_claims(texts), strict=True))
    x = polarity_features(
        [p.text for p in headlines], np.vstack([vectors[p.text] for p in headlines])
    )
    y = np.asarray([p.label == "against" for p in headlines], dtype=int)
    groups = np.asarray([hashlib.sha256(p.group.encode()).digest()[0] % 5 for p in headlines])
    pair_groups = np.asarray(
        [hashlib.sha256(p.claim_id.encode()).digest()[0] % 5 for p in report_pairs]
    )
    all_x = polarity_features(texts, np.vstack([vectors[t] for t in texts]))
    scores: dict[tuple[float, float], list[float]] = {}
    for k in range(5):
        test_pairs = [p for p, g in zip(report_pairs, pair_groups, strict=True) if g == k]
        for c in C_GRID:
            model = _fit(x[groups != k], y[groups != k], c, fold)
            probability = dict(zip(texts, model.probability(all_x).tolist(), strict=True))
            for threshold in THRESHOLDS:
                scores.setdefault((c, threshold), []).append(
                    _pair_f1(test_pairs, probability, threshold)
                )
    (c, threshold), f1s = max(scores.items(), key=lambda item: float(np.mean(item[1])))
    logger.info(
        "grouped 5-fold CV: C=%s threshold=%s contradiction F1 %.4f (%s)",
        c,
        threshold,
        np.mean(f1s),
        ", ".join(f"{v:.3f}" for v in f1s),
    )
    model = _fit(x, y, c, fold)
    model = PolarityModel(
        model.mean, model.scale, model.coef, model.intercept, threshold, model.fitted_on
    )
    model.save(
        args.out,
        extra={
            "training": {
                "fold": fold,
                "headlines": len(headlines),
                "C": c,
                "cv_contradiction_f1": float(np.mean(f1s)),
                "cv_folds": [float(v) for v in f1s],
            }
        },
    )
    logger.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
