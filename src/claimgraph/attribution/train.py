"""Train the attribution taggers on PolNeAR-style JSONL data.

Run ``python -m claimgraph.attribution.train --data /path/to/dev.jsonl [--fold F] [--out DIR]``.
With ``--fold train`` (the default) only documents of the ``train`` fold (see
:mod:`claimgraph.evaluation.folds`) are used, so the ``heldout`` fold stays an honest
test; the shipped weights are fitted the same way on ``--fold all`` once the recipe is
fixed, and record that in ``training.json`` (``claimgraph eval`` then warns that their
held-out numbers are not honest).  Training is deterministic (L-BFGS, no shuffling).
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import Config
from ..errors import ModelError
from ..evaluation.attribution import AttributionDoc, load_docs
from ..evaluation.folds import Fold
from ..model import FragmentedSpan
from .encoder import ENCODER_META, ENCODER_WEIGHTS
from .features import DocFeatures, doc_features, role_window, role_xseq, sentence_xseq
from .rerank import RERANKER
from .tagger import CLUSTERS, CUE_MODEL, MODEL_DIR, ROLE_MODEL, TRAINING, load_centroids

if TYPE_CHECKING:
    from spacy.tokens import Doc

logger = logging.getLogger(__name__)

#: crfsuite training parameters (L-BFGS with elastic-net regularisation).
#: One training sequence: per-token feature strings and labels.
TrainingSequence = tuple[list[list[str]], list[str]]
#: One document's cue-tagger and role-tagger training sequences.
DocExamples = tuple[list[TrainingSequence], list[TrainingSequence]]

CUE_PARAMS: dict[str, Any] = {
    "c1": 0.3,
    "c2": 0.05,
    "max_iterations": 150,
    "feature.possible_transitions": True,
}
ROLE_PARAMS: dict[str, Any] = {
    "c1": 1.0,
    "c2": 0.1,
    "max_iterations": 150,
    "feature.possible_transitions": True,
}


#: Sizes of the k-means tables over the parser's contextual token vectors.
CLUSTER_SIZES: tuple[int, ...] = (32, 128, 512)


def span_tokens(feats: DocFeatures, span: FragmentedSpan | None) -> list[int]:
    """Indices of the non-space tokens that overlap ``span`` (its fragments when present)."""
    if span is None:
        return []
    out: set[int] = set()
    for piece in span.pieces():
        i = max(0, bisect.bisect_right(feats.starts, piece.start) - 1)
        while i < feats.n and feats.starts[i] < piece.end:
            if feats.ends[i] > piece.start and not feats.is_space[i]:
                out.add(i)
            i += 1
    return sorted(out)


def cue_labels(
    gold: AttributionDoc, feats: DocFeatures
) -> tuple[list[str], dict[tuple[int, int], list[Any]]]:
    """Per-token ``B``/``I``/``O`` cue labels and the gold records grouped by cue tokens."""
    labels = ["O"] * feats.n
    groups: dict[tuple[int, int], list[Any]] = {}
    for record in gold.attributions:
        toks = span_tokens(feats, record.cue)
        if not toks:
            continue
        groups.setdefault((toks[0], toks[-1] + 1), []).append(record)
        for j, i in enumerate(toks):
            labels[i] = "B" if j == 0 or toks[j - 1] != i - 1 else "I"
    return labels, groups


def examples(
    gold: AttributionDoc, feats: DocFeatures
) -> tuple[list[tuple[list[list[str]], list[str]]], list[tuple[list[list[str]], list[str]]]]:
    """Cue-tagger and role-tagger training sequences of one document."""
    token_labels, groups = cue_labels(gold, feats)
    cue_seqs = []
    for k, (a, b) in enumerate(feats.sent_bounds):
        if b - a < 2:
            continue
        cue_seqs.append((sentence_xseq(feats, k), token_labels[a:b]))
    role_seqs = []
    for cue, records in sorted(groups.items()):
        window = role_window(feats, cue)
        labels = ["O"] * (window[1] - window[0])
        for record in records:
            for role, span in (("C", record.content), ("S", record.source)):
                for i in span_tokens(feats, span):
                    if window[0] <= i < window[1]:
                        labels[i - window[0]] = role
        for i in range(cue[0], cue[1]):
            labels[i - window[0]] = "K"
        role_seqs.append((role_xseq(feats, cue, window), labels))
    return cue_seqs, role_seqs


def parse_docs(docs: list[AttributionDoc], config: Config) -> Iterator[Doc]:
    """Parse the documents' texts with the analysis pipeline (same model and exclusions)."""
    from ..nlp import load_nlp

    nlp = load_nlp(config.nlp.model, tuple(config.nlp.exclude))
    yield from nlp.pipe((d.text for d in docs), batch_size=config.nlp.batch_size)


def fit_centroids(docs: Iterable[Doc], *, seed: int = 0) -> list[np.ndarray]:
    """k-means tables (one per size in :data:`CLUSTER_SIZES`) over the docs' token vectors."""
    from sklearn.cluster import MiniBatchKMeans

    rows = [doc.tensor[[t.i for t in doc if not t.is_space]] for doc in docs]
    vectors = np.concatenate([r for r in rows if len(r)]).astype(np.float32)
    tables = []
    for k in CLUSTER_SIZES:
        km = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096)
        km.fit(vectors)
        tables.append(km.cluster_centers_.astype(np.float32))
        logger.info("fitted %d clusters on %d token vectors", k, len(vectors))
    return tables


def _train(
    seqs: Iterable[tuple[list[list[str]], list[str]]], params: dict[str, Any], path: Path
) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    n = 0
    for xseq, yseq in seqs:
        trainer.append(xseq, yseq)
        n += 1
    trainer.select("lbfgs", "crf1d")
    trainer.set_params(params)
    logger.info("training %s on %d sequences", path.name, n)
    trainer.train(str(path))


def write_taggers(
    per_doc: Iterable[DocExamples],
    centroids: Sequence[np.ndarray],
    out_dir: Path,
    *,
    cue_params: dict[str, Any] | None = None,
    role_params: dict[str, Any] | None = None,
) -> None:
    """Write a loadable tagger directory: the k-means tables and both CRFs fitted on the
    documents' (cue, role) training sequences (default parameters: :data:`CUE_PARAMS`,
    :data:`ROLE_PARAMS`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tables: dict[str, Any] = {f"k{j}": table for j, table in enumerate(centroids)}
    np.savez(out_dir / CLUSTERS, **tables)
    per_doc = list(per_doc)
    _train((seq for c, _ in per_doc for seq in c), cue_params or CUE_PARAMS, out_dir / CUE_MODEL)
    _train(
        (seq for _, r in per_doc for seq in r), role_params or ROLE_PARAMS, out_dir / ROLE_MODEL
    )


def fit_taggers(
    gold_docs: Sequence[AttributionDoc],
    parsed: Sequence[Doc],
    out_dir: Path,
    *,
    config: Config,
    clusters: Path | None = None,
) -> tuple[list[np.ndarray], list[DocFeatures], list[DocExamples]]:
    """Fit the k-means tables and both CRFs on ``gold_docs`` and write them to ``out_dir``.

    ``parsed`` are the documents' ``Doc`` objects (same order); ``clusters`` may name an
    existing ``clusters.npz`` to reuse.  Returns the centroids, each document's features
    and its (cue, role) training sequences, which the second stage reuses.
    """
    if clusters is not None:
        centroids = load_centroids(clusters)
    else:
        centroids = fit_centroids(parsed, seed=config.seed)
    feats: list[DocFeatures] = []
    per_doc: list[DocExamples] = []
    for gold, doc in zip(gold_docs, parsed, strict=True):
        if doc.text != gold.text:
            raise ModelError(f"parsed document does not match the text of {gold.id}")
        feats.append(doc_features(doc, centroids))
        per_doc.append(examples(gold, feats[-1]))
    write_taggers(per_doc, centroids, out_dir)
    return centroids, feats, per_doc


def train(
    data: Path,
    *,
    out_dir: Path = MODEL_DIR,
    fold: Fold = "train",
    config: Config | None = None,
    docs: Iterable[Doc] | None = None,
    clusters: Path | None = None,
    rerank: bool = True,
    encoder: bool = True,
    entity_data: Sequence[Path] = (),
) -> dict[str, int]:
    """Train both taggers on ``fold`` of ``data`` and write them to ``out_dir``.

    ``docs`` may supply pre-parsed ``Doc`` objects for the fold's documents (in file
    order); ``clusters`` may name an existing ``clusters.npz`` to reuse instead of fitting
    k-means again.  With ``rerank`` the second stage (:mod:`.rerank`) is fitted too, on
    out-of-fold predictions (four more tagger fits).  With ``encoder`` the transformer cue
    encoder is fine-tuned too (:mod:`.encoder_train`, its entity head on the texts of
    ``data`` and ``entity_data``; an estimated 75 minutes on 2 cores, a minute on a GPU through
    ``encoder_train --prepare``); without it a stale one is removed.  Returns counts of
    training sequences.  Raises
    :class:`~claimgraph.errors.EvaluationError` on malformed data.
    """
    config = config or Config()
    gold_docs = load_docs(data, fold=fold)
    if not gold_docs:
        raise ModelError(f"no training documents in fold {fold!r} of {data}")
    parsed = list(docs if docs is not None else parse_docs(gold_docs, config))
    if len(parsed) != len(gold_docs):
        raise ModelError(f"got {len(parsed)} parsed documents for {len(gold_docs)} texts")
    centroids, feats, per_doc = fit_taggers(
        gold_docs, parsed, out_dir, config=config, clusters=clusters
    )
    counts = {
        "documents": len(gold_docs),
        "cue_sequences": sum(len(c) for c, _ in per_doc),
        "role_sequences": sum(len(r) for _, r in per_doc),
    }
    reranker_path = out_dir / RERANKER
    if rerank:
        from .rerank_train import fit_reranker

        reranker = fit_reranker(
            gold_docs, feats, per_doc, centroids, cue_params=CUE_PARAMS, role_params=ROLE_PARAMS
        )
        reranker_path.write_text(json.dumps(reranker.to_json(), indent=1, sort_keys=True) + "\n")
    elif reranker_path.exists():
        reranker_path.unlink()  # stale: fitted on other taggers' outputs
    if encoder:
        from .encoder_train import entity_texts, fit_encoder

        fit_encoder(gold_docs, out_dir, extra_texts=entity_texts(entity_data), progress=True)
    else:
        for name in (ENCODER_META, ENCODER_WEIGHTS):
            (out_dir / name).unlink(missing_ok=True)  # stale: another fold's encoder
    record = {"fold": fold, "data": data.name, "data_sha256": _sha256(data), **counts}
    (out_dir / TRAINING).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``python -m claimgraph.attribution.train``)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="PolNeAR-style dev.jsonl")
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="output directory")
    parser.add_argument(
        "--fold",
        choices=("train", "all"),
        default="train",
        help="documents to fit on: the train fold (honest held-out) or all of them",
    )
    parser.add_argument(
        "--clusters", type=Path, default=None, help="reuse this clusters.npz (skip k-means)"
    )
    parser.add_argument(
        "--no-rerank", action="store_true", help="skip the second stage (faster, lower quality)"
    )
    parser.add_argument(
        "--no-encoder",
        action="store_true",
        help="skip the transformer cue encoder (run with attribution.cue_encoder = false)",
    )
    parser.add_argument(
        "--entity-data",
        type=Path,
        action="append",
        default=[],
        help="JSONL file of more texts for the encoder's entity head (repeatable)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    counts = train(
        args.data,
        out_dir=args.out,
        fold=args.fold,
        clusters=args.clusters,
        rerank=not args.no_rerank,
        encoder=not args.no_encoder,
        entity_data=args.entity_data,
    )
    logger.info("trained: %s", counts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
