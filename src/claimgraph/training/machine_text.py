"""Fit the machine-generated text detector: the n-gram model and both logistic regressions.

    python -m claimgraph.training.machine_text DATA.jsonl REFERENCE.jsonl [...] [--out DIR]

Builds the trigram model of human-written news from the ``REFERENCE`` texts (corpora
that predate chat models, never the detector's evaluation data), then fits the default
and the embedding detector on the ``train`` fold of ``DATA`` (the credibility corpus's
``xsum_mgt_dev.jsonl`` schema) with grouped cross-validation, and scores each on the
``heldout`` fold.  Writes ``detector.json``, ``detector_embeddings.json`` and
``news_trigram_lm.npz`` to ``--out`` (default ``build/machine_text``); copy them into
``src/claimgraph/models/machine_text/`` to ship them.  Needs scikit-learn (the ``train``
extra).
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from claimgraph.credibility.machine_text import (
    BOS,
    DEFAULT_WEIGHTS,
    EMBEDDING_WEIGHTS,
    LM_FILE,
    Detector,
    FloatArray,
    HashTable,
    NgramLM,
    feature_matrix,
    feature_names,
    lm_tokens,
    ngram_key,
    score_texts,
)
from claimgraph.evaluation.machine_text import load_records
from claimgraph.evaluation.metrics import auroc
from claimgraph.training import BUILD_DIR

logger = logging.getLogger(__name__)

#: Where :func:`retrain` writes unless told otherwise.
DEFAULT_OUT = BUILD_DIR / "machine_text"


def build_ngram_lm(texts: Iterable[str], *, min_trigram_count: int = 2) -> NgramLM:
    """Train the trigram model on human-written ``texts``.

    Trigrams seen fewer than ``min_trigram_count`` times are dropped from the stored table
    and so are the trigram contexts (word pairs) seen only once, whose words then back off
    to the bigram estimate; this keeps the file small at no measured cost.
    """
    uni: Counter[int] = Counter()
    bi: Counter[tuple[str, str]] = Counter()
    tri: Counter[tuple[str, str, str]] = Counter()
    for text in texts:
        w = [BOS, BOS, *lm_tokens(text)]
        uni.update(w[2:])  # type: ignore[arg-type]
        bi.update(itertools.pairwise(w[1:]))
        tri.update(zip(w[:-2], w[1:-1], w[2:], strict=False))
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
    )


def train_detector(
    texts: Sequence[str],
    labels: Sequence[int],
    groups: Sequence[str],
    *,
    lm: NgramLM,
    embeddings: bool = False,
    c: float = 0.01,
    n_splits: int = 5,
    seed: int = 0,
) -> Detector:
    """Fit the detector on ``texts`` (label 1 = machine) and cross-validate it by group.

    ``groups`` keep the texts of one source article in one CV fold. The returned
    detector records ``cv_auc`` (grouped ``n_splits``-fold AUROC on these texts) and
    ``n_train`` in its metrics.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    matrix = feature_matrix(texts, lm=lm, embeddings=embeddings)
    y = np.asarray(labels, dtype=int)
    group_arr = np.asarray(groups)

    def fit(x: FloatArray, target: npt.NDArray[np.int_]) -> tuple[FloatArray, FloatArray, Any]:
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale < 1e-6] = 1.0  # constant columns (some MiniLM dimensions are)
        model = LogisticRegression(C=c, max_iter=10_000, random_state=seed)
        model.fit((x - mean) / scale, target)
        return mean, scale, model

    oof = np.zeros(len(y))
    for train_idx, test_idx in GroupKFold(n_splits=n_splits).split(matrix, y, group_arr):
        mean, scale, model = fit(matrix[train_idx], y[train_idx])
        oof[test_idx] = model.predict_proba((matrix[test_idx] - mean) / scale)[:, 1]
    cv_auc = float(roc_auc_score(y, oof))
    mean, scale, model = fit(matrix, y)
    logger.info("machine-text detector: grouped %d-fold CV AUROC %.4f", n_splits, cv_auc)
    return Detector(
        features=feature_names(embeddings=embeddings),
        mean=tuple(round(float(v), 8) for v in mean),
        scale=tuple(round(float(v), 8) for v in scale),
        coef=tuple(round(float(v), 8) for v in model.coef_[0]),
        intercept=round(float(model.intercept_[0]), 8),
        uses_embeddings=embeddings,
        metrics=(("c", c), ("cv_auc", round(cv_auc, 4)), ("n_train", float(len(y)))),
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
    data: Path, references: Sequence[Path], *, out_dir: Path = DEFAULT_OUT, seed: int = 0
) -> dict[str, float]:
    """Rebuild the n-gram model from ``references`` and refit both detectors on ``train``.

    Returns the grouped CV AUROC (train fold) and held-out AUROC of each variant.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    lm = build_ngram_lm(_reference_texts(references))
    lm.save(out_dir / LM_FILE)
    train = load_records(data, fold="train")
    heldout = load_records(data, fold="heldout")
    results: dict[str, float] = {}
    for embeddings, filename in ((False, DEFAULT_WEIGHTS), (True, EMBEDDING_WEIGHTS)):
        detector = train_detector(
            [r.text for r in train],
            [int(r.label == "machine") for r in train],
            [r.group for r in train],
            lm=lm,
            embeddings=embeddings,
            c=0.003 if embeddings else 0.01,
            seed=seed,
        )
        scores = score_texts([r.text for r in heldout], detector=detector)
        held = auroc([int(r.label == "machine") for r in heldout], scores)
        prefix = "embeddings" if embeddings else "default"
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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    summary = retrain(args.data, args.references, out_dir=args.out, seed=args.seed)
    print(json.dumps(summary, indent=1))  # a developer command: the summary is its output
    return 0


__all__ = ["DEFAULT_OUT", "build_ngram_lm", "retrain", "save_detector", "train_detector"]


if __name__ == "__main__":
    raise SystemExit(main())
