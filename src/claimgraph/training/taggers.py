"""Fit the attribution taggers: k-means tables of token vectors and the cue and role CRFs.

The cue CRF tags reporting cues per sentence (B/I/O); the role CRF tags, for each cue,
the source (S) and content (C) over a window of neighbouring sentences.  Fitting is
deterministic (L-BFGS, no shuffling).  :mod:`claimgraph.training.attribution` runs the
whole recipe (these taggers, the second stage and the encoder).
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from claimgraph.attribution.features import (
    DocFeatures,
    doc_features,
    role_window,
    role_xseq,
    sentence_xseq,
)
from claimgraph.attribution.tagger import CLUSTERS, CUE_MODEL, ROLE_MODEL, load_centroids
from claimgraph.config import Config
from claimgraph.errors import ModelError
from claimgraph.evaluation.attribution import AttributionDoc
from claimgraph.model import FragmentedSpan

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
    from claimgraph.nlp import load_nlp

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


__all__ = [
    "CLUSTER_SIZES",
    "CUE_PARAMS",
    "ROLE_PARAMS",
    "cue_labels",
    "examples",
    "fit_centroids",
    "fit_taggers",
    "parse_docs",
    "span_tokens",
    "write_taggers",
]
