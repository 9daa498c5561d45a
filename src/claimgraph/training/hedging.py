"""Fit the hedging (event certainty) model: ``python -m claimgraph.training.hedging``.

The model is the irrealis half of :func:`claimgraph.evidence.certainty.read`: an event is
``uncertain`` when a claim hedge governs it or the model's probability reaches the
threshold.  It is an L2 logistic regression over
:func:`claimgraph.evidence.certainty.reading_features`, fitted on the ``train`` fold of
the MEANTIME DEV data (folds keyed by article); the regularisation strength and the
threshold are chosen by grouped cross-validation on that fold only, scoring that union
(hedged or above the threshold).  It writes ``--out`` (default ``build/hedging.json``;
the shipped model is ``src/claimgraph/models/hedging/weights.json``, fitted with
``--fold all``).  The ``heldout`` fold is never seen here; score it with
``claimgraph eval hedging``.

``--cv`` instead reports a nested grouped cross-validation over a whole fold (default
``all``): five folds by article, and in each the regularisation strength and threshold
are chosen by an inner grouped CV on the other four, the model refitted on them and
scored on the fifth.  That is the honest estimate on DEV, which has too few uncertain
events (18) in its ``heldout`` fold to judge a change by.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from claimgraph.evaluation.folds import Fold
from claimgraph.evaluation.metrics import binary_prf, prf
from claimgraph.evidence.certainty import MODEL_NAME, CertaintyModel
from claimgraph.training import BUILD_DIR

logger = logging.getLogger(__name__)

#: Third-party data lives beside the repository (``$CLAIMGRAPH_SHARED`` overrides).
SHARED = Path(os.environ.get("CLAIMGRAPH_SHARED", Path(__file__).resolve().parents[3] / "shared"))
DEFAULT_DATA = SHARED / "data" / "hedging" / "meantime_dev.jsonl"
DEFAULT_OUT = BUILD_DIR / "hedging.json"
C_GRID: tuple[float, ...] = (0.03, 0.1, 0.3, 1.0)
N_SPLITS = 5


@dataclass(frozen=True)
class FitResult:
    """The fitted model and the cross-validated numbers that chose it."""

    model: CertaintyModel
    c: float
    cv_f1: float
    n_train: int


def _best_threshold(labels: list[int], probs: list[float],
                    hedged: list[bool] | None = None) -> tuple[float, float]:
    """The threshold maximising F1 of the positive class, and that F1; an event a claim
    hedge governs (``hedged``) is predicted positive whatever its probability."""
    forced = hedged or [False] * len(labels)
    best = (0.5, 0.0)
    n_gold = sum(labels)
    for step in range(5, 96):
        t = step / 100
        pred = [f or p >= t for p, f in zip(probs, forced, strict=True)]
        tp = sum(1 for y, p in zip(labels, pred, strict=True) if p and y)
        if not tp:
            continue
        f1 = prf(tp, sum(pred), n_gold)[2]
        if f1 > best[1] + 1e-9:
            best = (t, f1)
    return best


def fit(
    feats: list[dict[str, float]], labels: list[int], groups: list[str],
    hedged: list[bool] | None = None, *, seed: int = 0,
) -> FitResult:
    """Choose C and the threshold by grouped CV, then refit on everything given.

    ``hedged``: the events a claim hedge governs, uncertain whatever the model says (the
    threshold is chosen for that union, as :func:`~claimgraph.evidence.certainty.read`
    decides)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    vec = DictVectorizer(sort=True)
    x = vec.fit_transform(feats)
    splits = list(GroupKFold(n_splits=N_SPLITS).split(x, labels, groups))
    best: tuple[float, float, float] = (-1.0, 1.0, 0.5)  # (f1, C, threshold)
    for c in C_GRID:
        oof = [0.0] * len(labels)
        for tr, te in splits:
            clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000,
                                     fit_intercept=False, random_state=seed)
            clf.fit(x[tr], [labels[i] for i in tr])
            for i, p in zip(te, clf.predict_proba(x[te])[:, 1], strict=True):
                oof[i] = float(p)
        t, f1 = _best_threshold(labels, oof, hedged)
        logger.info("C=%s: cross-validated F1 %.3f at threshold %.2f", c, f1, t)
        if f1 > best[0]:
            best = (f1, c, t)
    f1, c, t = best
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, fit_intercept=False,
                             random_state=seed)
    clf.fit(x, labels)
    names = vec.get_feature_names_out()
    weights = {str(n): float(w) for n, w in zip(names, clf.coef_[0], strict=True)}
    model = CertaintyModel(name=MODEL_NAME, weights=weights, threshold=t)
    return FitResult(model=model, c=c, cv_f1=f1, n_train=len(labels))


def cross_validate(
    feats: list[dict[str, float]], labels: list[int], groups: list[str],
    hedged: list[bool] | None = None,
) -> tuple[float, float, float]:
    """Nested grouped CV: (precision, recall, F1) of ``uncertain`` over all folds pooled;
    an event in ``hedged`` counts as predicted uncertain."""
    from sklearn.model_selection import GroupKFold

    forced = hedged or [False] * len(labels)
    pred = [False] * len(labels)
    for tr, te in GroupKFold(n_splits=N_SPLITS).split(feats, labels, groups):
        inner = fit([feats[i] for i in tr], [labels[i] for i in tr], [groups[i] for i in tr],
                    [forced[i] for i in tr])
        for i in te:
            pred[i] = forced[i] or inner.model.probability(feats[i]) >= inner.model.threshold
    return binary_prf(labels, pred)


def train(data: Path, out: Path | None = None, *, fold: Fold = "train") -> FitResult:
    """Fit on ``fold`` of ``data`` and (when ``out`` is given) write the JSON."""
    from claimgraph.evaluation.hedging import iter_mentions, mention_features

    if fold not in ("train", "all"):
        raise ValueError(f"fit on the train fold or on all of the data, not {fold!r}")
    mentions = list(iter_mentions(data, fold=fold))
    feats, hedged = mention_features(mentions)
    labels = [int(m.label == "uncertain") for m in mentions]
    result = fit(feats, labels, [m.doc for m in mentions], hedged)
    if out is not None:
        payload = result.model.to_json()
        payload["training"] = {
            "data": f"MEANTIME English DEV, {fold} fold (folds by article)",
            "fold": fold,
            "n_mentions": result.n_train,
            "n_uncertain": sum(labels),
            "C": result.c,
            "cv_f1": round(result.cv_f1, 4),
        }
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--fold", choices=("train", "all"), default="train",
                        help="fit on the train fold (honest held-out) or on all of DEV")
    parser.add_argument("--cv", choices=("all", "train", "heldout"), default=None,
                        help="report nested grouped CV over this fold instead of training")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.cv:
        from claimgraph.evaluation.hedging import iter_mentions, mention_features

        mentions = list(iter_mentions(args.data, fold=args.cv))
        labels = [int(m.label == "uncertain") for m in mentions]
        logging.getLogger().setLevel(logging.WARNING)
        feats, hedged = mention_features(mentions)
        prec, rec, f1 = cross_validate(feats, labels, [m.doc for m in mentions], hedged)
        print(f"nested grouped {N_SPLITS}-fold CV on fold={args.cv}: "
              f"P={prec:.3f} R={rec:.3f} hedging_f1={f1:.3f}")
        return 0
    result = train(args.data, args.out, fold=args.fold)
    logger.info("C=%s cv_f1=%.3f threshold=%.2f -> %s", result.c, result.cv_f1,
                result.model.threshold, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
