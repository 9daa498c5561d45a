"""Fit the stance model (:mod:`claimgraph.narratives.stance`).

    python -m claimgraph.training.stance EMERGENT.jsonl FNC1.jsonl FNC1_BODIES.jsonl \
        [--fold train] [--out DIR] [--cv 5]

Features for every pair are computed once (cached under ``--out``).  With ``--cv K`` the
recipe is first scored by K-fold cross-validation grouped by topic inside the fitting
fold (Emergent claims, FNC-1 stories), which is what the recipe's settings were chosen
on; then the network is fitted on the whole fitting fold (``train`` by default, so the
``heldout`` fold stays unseen) and written to ``--out`` (default ``build/stance``); copy
``stance.npz`` and ``stance.json`` into ``src/claimgraph/models/stance/`` to ship them.

One network reads both corpora: Emergent headlines (supports/denies/reports) and FNC-1
bodies (the same plus unrelated).  Training uses torch on the CPU.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from claimgraph.evaluation.folds import Fold
from claimgraph.evaluation.stance import (
    StancePair,
    class_metrics,
    fnc_score,
    load_pairs,
)
from claimgraph.narratives.stance import (
    EMERGENT_LABELS,
    FNC_LABELS,
    LABELS,
    ShortStanceModel,
    StanceEncoder,
    StanceModel,
    cue_features,
    short_probabilities,
)
from claimgraph.training import BUILD_DIR

logger = logging.getLogger(__name__)

DEFAULT_OUT = BUILD_DIR / "stance"

#: The recipe (chosen by grouped cross-validation inside the train fold).
HIDDEN = 96
EPOCHS = 40
LEARNING_RATE = 1e-3
WEIGHT_DECAY = 1e-4
DROPOUT = 0.3
#: Weight of Emergent pairs relative to FNC-1 pairs (FNC-1 has 30 times as many).
EMERGENT_WEIGHT = 4.0


def ours(pair: StancePair) -> str:
    """The pair's label in claimgraph's names."""
    return (EMERGENT_LABELS if pair.corpus == "emergent" else FNC_LABELS)[pair.label]


def cached_features(pairs: Sequence[StancePair], cache: Path) -> np.ndarray:
    """Feature rows of ``pairs``, computed once per pair set and kept in ``cache``."""
    digest = hashlib.sha256("\n".join(p.id for p in pairs).encode()).hexdigest()[:16]
    path = cache / f"features-{digest}.npy"
    if path.exists():
        return np.asarray(np.load(path))
    encoder = StanceEncoder()
    rows = []
    for corpus in ("emergent", "fnc1"):
        subset = [p for p in pairs if p.corpus == corpus]
        if subset:
            logger.info("features of %d %s pairs", len(subset), corpus)
            rows.append(
                (subset, encoder.features([p.claim for p in subset], [p.text for p in subset]))
            )
    index = {p.id: i for i, p in enumerate(pairs)}
    out = np.zeros((len(pairs), rows[0][1].shape[1]), dtype=np.float32)
    for subset, features in rows:
        for pair, row in zip(subset, features, strict=True):
            out[index[pair.id]] = row
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, out)
    return out


def fit(
    features: np.ndarray,
    pairs: Sequence[StancePair],
    *,
    seed: int = 0,
    fitted_on: str = "train",
    hidden: int = HIDDEN,
    epochs: int = EPOCHS,
) -> StanceModel:
    """Fit the two-layer network on ``features`` of ``pairs``."""
    import torch

    # One thread: the network is small, and spinning threads on a busy machine cost more
    # than they give.
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    y = np.asarray([LABELS.index(ours(p)) for p in pairs])
    corpus_weight = np.asarray([EMERGENT_WEIGHT if p.corpus == "emergent" else 1.0 for p in pairs])
    counts = np.bincount(y, minlength=len(LABELS)).astype(float)
    class_weight = np.sqrt(counts.sum() / np.maximum(counts, 1.0) / len(LABELS))
    sample_weight = corpus_weight * class_weight[y]
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    x = torch.tensor((features - mean) / scale, dtype=torch.float32)
    target = torch.tensor(y)
    weight = torch.tensor(sample_weight / sample_weight.mean(), dtype=torch.float32)
    # Emergent pairs never carry "unrelated": their loss ignores that output.
    emergent = torch.tensor([p.corpus == "emergent" for p in pairs])
    net = torch.nn.Sequential(
        torch.nn.Dropout(0.1),
        torch.nn.Linear(x.shape[1], hidden),
        torch.nn.ReLU(),
        torch.nn.Dropout(DROPOUT),
        torch.nn.Linear(hidden, len(LABELS)),
    )
    optimiser = torch.optim.AdamW(net.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    generator = torch.Generator().manual_seed(seed)
    unrelated = LABELS.index("unrelated")
    for _ in range(epochs):
        net.train()
        for batch in torch.randperm(len(x), generator=generator).split(256):  # type: ignore[no-untyped-call]
            logits = net(x[batch])
            logits = torch.where(
                emergent[batch, None] & (torch.arange(len(LABELS)) == unrelated)[None, :],
                torch.full_like(logits, -1e4),
                logits,
            )
            loss = torch.nn.functional.cross_entropy(logits, target[batch], reduction="none")
            loss = (loss * weight[batch]).mean()
            optimiser.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimiser.step()
    first, second = net[1], net[4]
    assert isinstance(first, torch.nn.Linear) and isinstance(second, torch.nn.Linear)
    return StanceModel(
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        w1=first.weight.detach().numpy().T.copy(),
        b1=first.bias.detach().numpy().copy(),
        w2=second.weight.detach().numpy().T.copy(),
        b2=second.bias.detach().numpy().copy(),
        labels=LABELS,
        fitted_on=fitted_on,
        name=f"stance-mlp-{hidden}",
    )


def score(
    model: StanceModel, features: np.ndarray, pairs: Sequence[StancePair]
) -> dict[str, float]:
    """Emergent macro F1 and FNC-1 score of ``model`` on ``pairs``."""
    probs = model.probabilities(features)
    result: dict[str, float] = {}
    for corpus, names in (("emergent", EMERGENT_LABELS), ("fnc1", FNC_LABELS)):
        rows = [i for i, p in enumerate(pairs) if p.corpus == corpus]
        if not rows:
            continue
        allowed = [LABELS.index(v) for v in names.values()]
        back = {v: k for k, v in names.items()}
        pred = [back[LABELS[max(allowed, key=lambda j: probs[i, j])]] for i in rows]
        gold = [pairs[i].label for i in rows]
        metrics = class_metrics(gold, pred, list(names))
        result[f"{corpus}_macro_f1"] = metrics["macro_f1"]
        if corpus == "fnc1":
            result["fnc1_score"] = fnc_score(gold, pred)
    return result


def _group_fold(group: str, k: int) -> int:
    return hashlib.sha256(("cv|" + group).encode()).digest()[0] % k


def cross_validate(
    features: np.ndarray, pairs: Sequence[StancePair], k: int, **kwargs: object
) -> list[dict[str, float]]:
    """Scores of K fits, each leaving out one K-th of the topics (FNC-1 training pairs
    whose headline belongs to a left-out story are dropped too)."""
    results = []
    folds = np.asarray([_group_fold(p.group, k) for p in pairs])
    for fold in range(k):
        test = folds == fold
        test_headlines = {
            p.claim
            for p, t in zip(pairs, test, strict=True)
            if t and p.corpus == "fnc1" and p.label != "unrelated"
        }
        train = ~test & np.asarray(
            [not (p.corpus == "fnc1" and p.claim in test_headlines) for p in pairs]
        )
        train_pairs = [p for p, t in zip(pairs, train, strict=True) if t]
        test_pairs = [p for p, t in zip(pairs, test, strict=True) if t]
        model = fit(features[train], train_pairs, **kwargs)  # type: ignore[arg-type]
        results.append(score(model, features[test], test_pairs))
        logger.info("cv fold %d: %s", fold, results[-1])
    return results


SHORT_C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


def fit_short(pairs: Sequence[StancePair], c: float, fitted_on: str) -> ShortStanceModel:
    """The short-text cue model fitted on Emergent ``pairs``."""
    from sklearn.linear_model import LogisticRegression

    x = np.asarray([cue_features(p.claim, p.text) for p in pairs], dtype=np.float64)
    y = [ours(p) for p in pairs]
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    clf = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    clf.fit((x - mean) / scale, y)
    return ShortStanceModel(
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        coef=clf.coef_.astype(np.float32),
        intercept=clf.intercept_.astype(np.float32),
        labels=tuple(str(c) for c in clf.classes_),
        fitted_on=fitted_on,
    )


def short_macro_f1(model: ShortStanceModel, pairs: Sequence[StancePair]) -> float:
    """Emergent macro F1 of the short-text model on ``pairs``."""
    back = {v: k for k, v in EMERGENT_LABELS.items()}
    probs = short_probabilities([p.claim for p in pairs], [p.text for p in pairs], model)
    pred = [back[max(row, key=lambda k: row[k])] for row in probs]
    return class_metrics([p.label for p in pairs], pred, list(EMERGENT_LABELS))["macro_f1"]


def choose_short(
    pairs: Sequence[StancePair], fitted_on: str
) -> tuple[ShortStanceModel, dict[str, object]]:
    """The short-text model with C chosen by 5-fold CV grouped by claim."""
    folds = [_group_fold(p.group, 5) for p in pairs]
    scores: dict[float, list[float]] = {}
    for c in SHORT_C_GRID:
        for k in range(5):
            train = [p for p, f in zip(pairs, folds, strict=True) if f != k]
            test = [p for p, f in zip(pairs, folds, strict=True) if f == k]
            scores.setdefault(c, []).append(short_macro_f1(fit_short(train, c, fitted_on), test))
    best = max(scores, key=lambda c: float(np.mean(scores[c])))
    logger.info("short-text model: C=%s, grouped CV macro F1 %.4f", best, np.mean(scores[best]))
    summary = {
        "C": best,
        "cv_macro_f1": float(np.mean(scores[best])),
        "cv_folds": [float(v) for v in scores[best]],
    }
    return fit_short(pairs, best, fitted_on), summary


def main(argv: list[str] | None = None) -> int:
    """Command line entry point (module docstring)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("emergent", type=Path)
    parser.add_argument("fnc1", type=Path)
    parser.add_argument("bodies", type=Path)
    parser.add_argument("--fold", choices=("train", "all"), default="train")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--cv", type=int, default=0, help="grouped cross-validation folds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--short-only", action="store_true", help="fit only the short-text model")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    fold: Fold = args.fold
    emergent = load_pairs(args.emergent, fold=fold)
    short, short_summary = choose_short(emergent, fold)
    if fold == "train":
        short_summary["heldout_macro_f1"] = short_macro_f1(
            short, load_pairs(args.emergent, fold="heldout")
        )
        logger.info("short-text model, held-out fold: %s", short_summary["heldout_macro_f1"])
    short.save(args.out, extra={"training": short_summary})
    if args.short_only:
        return 0
    everything = load_pairs(args.emergent) + load_pairs(args.fnc1, bodies=args.bodies)
    all_features = cached_features(everything, args.out / "cache")
    chosen = {p.id for p in load_pairs(args.emergent, fold=fold)}
    chosen |= {p.id for p in load_pairs(args.fnc1, bodies=args.bodies, fold=fold)}
    keep = np.asarray([p.id in chosen for p in everything])
    pairs = [p for p, k in zip(everything, keep, strict=True) if k]
    features = all_features[keep]
    summary: dict[str, object] = {"fold": fold, "pairs": len(pairs)}
    if args.cv:
        results = cross_validate(features, pairs, args.cv, seed=args.seed)
        summary["cv"] = results
        summary["cv_mean"] = {key: float(np.mean([r[key] for r in results])) for key in results[0]}
        logger.info("cv mean: %s", summary["cv_mean"])
    model = fit(features, pairs, seed=args.seed, fitted_on=fold)
    if fold == "train":
        heldout = {p.id for p in load_pairs(args.emergent, fold="heldout")}
        heldout |= {p.id for p in load_pairs(args.fnc1, bodies=args.bodies, fold="heldout")}
        test = np.asarray([p.id in heldout for p in everything])
        summary["heldout"] = score(
            model, all_features[test], [p for p, t in zip(everything, test, strict=True) if t]
        )
        logger.info("held-out fold: %s", summary["heldout"])
    model.save(args.out, extra={"training": summary})
    logger.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
