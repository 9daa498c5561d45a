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
from claimgraph.narratives.cues import TERM_PATTERN, Terms, TextLinearModel
from claimgraph.narratives.stance import (
    CUE_NAMES,
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


#: The short-text model's grid (chosen by :func:`choose_short`): regularisation C of
#: the logistic regression and the weight of the standardised cues beside the words.
SHORT_C_GRID = (0.5, 1.0, 2.0)
SHORT_CUE_WEIGHTS = (0.1, 0.15, 0.2)
#: Partitions of the repeated grouped cross-validation (5 folds each): one partition of
#: 90 claims swings the macro F1 by a few points, so the grid is scored on several.
CV_PARTITIONS = 4


def group_folds(groups: Sequence[str], k: int, partition: int) -> np.ndarray:
    """The fold (0..k-1) of each group in the ``partition``-th grouped partition."""
    salt = "cv|" if partition == 0 else f"cv{partition}|"
    return np.asarray([hashlib.sha256((salt + g).encode()).digest()[0] % k for g in groups])


def fit_text_model(
    texts: Sequence[str],
    cues: np.ndarray,
    labels: Sequence[str],
    *,
    c: float,
    cue_weight: float,
    fitted_on: str,
    features: tuple[str, ...] = CUE_NAMES,
) -> TextLinearModel:
    """A :class:`TextLinearModel` (TF-IDF of ``texts`` beside their standardised
    ``cues``) fitted to ``labels``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectoriser = TfidfVectorizer(min_df=2, sublinear_tf=True, token_pattern=TERM_PATTERN)
    vectoriser.fit(texts)
    vocabulary = tuple(sorted(vectoriser.vocabulary_, key=lambda t: vectoriser.vocabulary_[t]))
    terms = Terms(vocabulary, vectoriser.idf_.astype(np.float32))
    cues = np.asarray(cues, dtype=np.float32)
    mean, scale = cues.mean(axis=0), cues.std(axis=0) + 1e-6
    unfitted = TextLinearModel(
        mean=mean, scale=scale, coef=np.zeros((1, 1), dtype=np.float32),
        intercept=np.zeros(1, dtype=np.float32), labels=(), fitted_on=fitted_on,
        terms=terms, cue_weight=cue_weight, features=features,
    )  # fmt: skip
    x = unfitted.inputs(cues, texts)
    # the run-time TF-IDF is scikit-learn's
    assert np.allclose(x[:, : len(vocabulary)], vectoriser.transform(texts).toarray(), atol=1e-5)
    clf = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    clf.fit(x, list(labels))
    return TextLinearModel(
        mean=mean, scale=scale, coef=clf.coef_.astype(np.float32),
        intercept=clf.intercept_.astype(np.float32),
        labels=tuple(str(label) for label in clf.classes_), fitted_on=fitted_on,
        terms=terms, cue_weight=cue_weight, features=features,
    )  # fmt: skip


def fit_short(
    pairs: Sequence[StancePair], c: float, cue_weight: float, fitted_on: str
) -> ShortStanceModel:
    """The short-text model fitted on Emergent ``pairs``."""
    cues = np.asarray([cue_features(p.claim, p.text) for p in pairs], dtype=np.float32)
    return fit_text_model(
        [p.text for p in pairs],
        cues,
        [ours(p) for p in pairs],
        c=c,
        cue_weight=cue_weight,
        fitted_on=fitted_on,
    )


def short_macro_f1(model: ShortStanceModel, pairs: Sequence[StancePair]) -> float:
    """Emergent macro F1 of the short-text model on ``pairs``."""
    back = {v: k for k, v in EMERGENT_LABELS.items()}
    probs = short_probabilities([p.claim for p in pairs], [p.text for p in pairs], model)
    pred = [back[max(row, key=lambda k: row[k])] for row in probs]
    return class_metrics([p.label for p in pairs], pred, list(EMERGENT_LABELS))["macro_f1"]


def choose_short(
    pairs: Sequence[StancePair], fitted_on: str, partitions: int = CV_PARTITIONS
) -> tuple[ShortStanceModel, dict[str, object]]:
    """The short-text model with C and the cue weight chosen by 5-fold CV grouped by
    claim, repeated over ``partitions`` partitions."""
    scores: dict[tuple[float, float], list[float]] = {}
    for partition in range(partitions):
        folds = group_folds([p.group for p in pairs], 5, partition)
        for k in range(5):
            train = [p for p, f in zip(pairs, folds, strict=True) if f != k]
            test = [p for p, f in zip(pairs, folds, strict=True) if f == k]
            for c in SHORT_C_GRID:
                for weight in SHORT_CUE_WEIGHTS:
                    model = fit_short(train, c, weight, fitted_on)
                    scores.setdefault((c, weight), []).append(short_macro_f1(model, test))
    (c, weight), best = max(scores.items(), key=lambda item: float(np.mean(item[1])))
    logger.info(
        "short-text model: C=%s cue weight=%s, grouped CV macro F1 %.4f (sd %.4f over %d folds)",
        c, weight, np.mean(best), np.std(best), len(best),
    )  # fmt: skip
    summary = {
        "C": c,
        "cue_weight": weight,
        "cv_partitions": CV_PARTITIONS,
        "cv_macro_f1": float(np.mean(best)),
        "cv_macro_f1_sd": float(np.std(best)),
        "cv_folds": [round(float(v), 4) for v in best],
        "cv_grid": {f"C={k[0]},w={k[1]}": round(float(np.mean(v)), 4) for k, v in scores.items()},
    }
    return fit_short(pairs, c, weight, fitted_on), summary


def nested_short(pairs: Sequence[StancePair], partitions: int = 2) -> dict[str, object]:
    """Nested grouped cross-validation of the short-text recipe over ``pairs``: 5 outer
    folds by claim (over ``partitions`` partitions); in each the grid is chosen on the
    other four (one inner partition), refitted on them and scored on the fifth."""
    scores = []
    for partition in range(partitions):
        folds = group_folds([p.group for p in pairs], 5, 10 + partition)
        for k in range(5):
            train = [p for p, f in zip(pairs, folds, strict=True) if f != k]
            test = [p for p, f in zip(pairs, folds, strict=True) if f == k]
            model, _ = choose_short(train, "nested", partitions=1)
            scores.append(short_macro_f1(model, test))
            logger.info("nested CV, partition %d fold %d: %.4f", partition, k, scores[-1])
    logger.info("nested CV macro F1 %.4f (sd %.4f)", np.mean(scores), np.std(scores))
    return {
        "nested_macro_f1": float(np.mean(scores)),
        "nested_macro_f1_sd": float(np.std(scores)),
        "nested_folds": [round(float(v), 4) for v in scores],
    }


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
    parser.add_argument(
        "--nested",
        action="store_true",
        help="only report a nested grouped CV of the short-text recipe over --fold",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    fold: Fold = args.fold
    if args.nested:
        nested_short(load_pairs(args.emergent, fold=fold))
        return 0
    emergent = load_pairs(args.emergent, fold=fold)
    short, short_summary = choose_short(emergent, fold)
    if fold == "train":
        short_summary["heldout_macro_f1"] = short_macro_f1(
            short, load_pairs(args.emergent, fold="heldout")
        )
        logger.info("short-text model, held-out fold: %s", short_summary["heldout_macro_f1"])
    short.save(args.out, "short", extra={"training": short_summary})
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
