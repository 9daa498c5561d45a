"""Fit the polarity model of :mod:`claimgraph.narratives.contradictions`.

    python -m claimgraph.training.polarity EMERGENT.jsonl PAIRS.jsonl [--fold train] [--out DIR]

Learns, from the Emergent headlines labelled ``for`` or ``against`` (``EMERGENT``), the
probability that a report calls its story false, from its words (TF-IDF) and its cues
(:func:`~claimgraph.narratives.contradictions.polarity_features`).  The regularisation
strength, the weight of the cues beside the words and the pair threshold are chosen by
5-fold cross-validation grouped by claim inside the fitting fold (repeated over
:data:`~claimgraph.training.stance.CV_PARTITIONS` partitions), scoring the
contradiction F1 of the report pairs of ``PAIRS`` (the contradiction DEV pairs) whose
claims are in that fold.  Writes ``polarity.npz`` and ``polarity.json``
to ``--out`` (default ``build/stance``).  Needs scikit-learn (the ``train`` extra).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np

from claimgraph.evaluation.contradictions import ReportPair
from claimgraph.evaluation.contradictions import load_pairs as load_report_pairs
from claimgraph.evaluation.folds import Fold
from claimgraph.evaluation.metrics import prf
from claimgraph.evaluation.stance import StancePair, load_pairs
from claimgraph.narratives.contradictions import (
    DEFAULT_THRESHOLD,
    POLARITY_FEATURES,
    PolarityModel,
    pair_contradiction,
    polarity_features,
)
from claimgraph.training import BUILD_DIR
from claimgraph.training.stance import CV_PARTITIONS, fit_text_model, group_folds

logger = logging.getLogger(__name__)

C_GRID = (0.3, 1.0, 3.0)
CUE_WEIGHTS = (0.15, 0.3)
THRESHOLDS = (0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


def _fit(headlines: list[StancePair], c: float, weight: float, fitted_on: str) -> PolarityModel:
    texts = [p.text for p in headlines]
    model = fit_text_model(
        texts,
        polarity_features(texts),
        ["denies" if p.label == "against" else "supports" for p in headlines],
        c=c,
        cue_weight=weight,
        fitted_on=fitted_on,
        features=POLARITY_FEATURES,
    )
    return PolarityModel(model, DEFAULT_THRESHOLD)


def _pair_f1(pairs: list[ReportPair], probability: dict[str, float], threshold: float) -> float:
    gold = [p.label == "contradiction" for p in pairs]
    pred = [pair_contradiction(probability[p.a], probability[p.b]) >= threshold for p in pairs]
    hits = sum(1 for g, q in zip(gold, pred, strict=True) if g and q)
    return prf(hits, sum(pred), sum(gold))[2]


def choose(
    headlines: list[StancePair],
    report_pairs: list[ReportPair],
    fitted_on: str,
    partitions: int = CV_PARTITIONS,
) -> tuple[tuple[float, float, float], list[float]]:
    """C, cue weight and pair threshold with the best contradiction F1 in 5-fold CV
    grouped by claim (over ``partitions`` partitions), and that setting's fold scores."""
    scores: dict[tuple[float, float, float], list[float]] = {}
    for partition in range(partitions):
        groups = group_folds([p.group for p in headlines], 5, partition)
        pair_groups = group_folds([p.claim_id for p in report_pairs], 5, partition)
        for k in range(5):
            train = [p for p, g in zip(headlines, groups, strict=True) if g != k]
            test_pairs = [p for p, g in zip(report_pairs, pair_groups, strict=True) if g == k]
            test_texts = list(dict.fromkeys(t for p in test_pairs for t in (p.a, p.b)))
            for c in C_GRID:
                for weight in CUE_WEIGHTS:
                    model = _fit(train, c, weight, fitted_on)
                    probability = dict(
                        zip(test_texts, model.probability(test_texts).tolist(), strict=True)
                    )
                    for threshold in THRESHOLDS:
                        scores.setdefault((c, weight, threshold), []).append(
                            _pair_f1(test_pairs, probability, threshold)
                        )
    return max(scores.items(), key=lambda item: float(np.mean(item[1])))


def _nested(headlines: list[StancePair], report_pairs: list[ReportPair]) -> int:
    """Nested grouped CV: 5 outer folds by claim over two partitions; in each the
    setting is chosen on the other four (one inner partition) and scored on the fifth."""
    scores = []
    for partition in (10, 11):
        groups = group_folds([p.group for p in headlines], 5, partition)
        pair_groups = group_folds([p.claim_id for p in report_pairs], 5, partition)
        for k in range(5):
            train = [p for p, g in zip(headlines, groups, strict=True) if g != k]
            inner = [p for p, g in zip(report_pairs, pair_groups, strict=True) if g != k]
            test = [p for p, g in zip(report_pairs, pair_groups, strict=True) if g == k]
            (c, weight, threshold), _ = choose(train, inner, "nested", partitions=1)
            model = _fit(train, c, weight, "nested")
            texts = list(dict.fromkeys(t for p in test for t in (p.a, p.b)))
            probability = dict(zip(texts, model.probability(texts).tolist(), strict=True))
            scores.append(_pair_f1(test, probability, threshold))
            logger.info("nested CV, partition %d fold %d: %.4f", partition, k, scores[-1])
    logger.info("nested CV contradiction F1 %.4f (sd %.4f)", np.mean(scores), np.std(scores))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line entry point (module docstring)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("emergent", type=Path)
    parser.add_argument("pairs", type=Path)
    parser.add_argument("--fold", choices=("train", "all"), default="train")
    parser.add_argument("--out", type=Path, default=BUILD_DIR / "stance")
    parser.add_argument(
        "--nested", action="store_true", help="only report a nested grouped CV over --fold"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    fold: Fold = args.fold
    headlines = [p for p in load_pairs(args.emergent, fold=fold) if p.label != "observing"]
    report_pairs = load_report_pairs(args.pairs, fold=fold)
    texts = list(dict.fromkeys(t for p in report_pairs for t in (p.a, p.b)))
    if args.nested:
        return _nested(headlines, report_pairs)
    (c, weight, threshold), f1s = choose(headlines, report_pairs, fold)
    logger.info(
        "grouped 5-fold CV x %d: C=%s cue weight=%s threshold=%s contradiction F1 %.4f "
        "(sd %.4f)",
        CV_PARTITIONS, c, weight, threshold, np.mean(f1s), np.std(f1s),
    )  # fmt: skip
    model = PolarityModel(_fit(headlines, c, weight, fold).model, threshold)
    summary: dict[str, object] = {
        "fold": fold,
        "headlines": len(headlines),
        "report_texts": len(texts),
        "C": c,
        "cue_weight": weight,
        "cv_partitions": CV_PARTITIONS,
        "cv_contradiction_f1": float(np.mean(f1s)),
        "cv_contradiction_f1_sd": float(np.std(f1s)),
        "cv_folds": [round(float(v), 4) for v in f1s],
    }
    if fold == "train":
        heldout = load_report_pairs(args.pairs, fold="heldout")
        held_texts = list(dict.fromkeys(t for p in heldout for t in (p.a, p.b)))
        probability = dict(zip(held_texts, model.probability(held_texts).tolist(), strict=True))
        summary["heldout_contradiction_f1"] = _pair_f1(heldout, probability, threshold)
        logger.info("held-out fold: contradiction F1 %.4f", summary["heldout_contradiction_f1"])
    model.save(args.out, extra={"training": summary})
    logger.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
