"""Propositions: claims about the same thing, grouped incrementally.

Each claim is a unit vector (the packaged all-MiniLM-L6-v2 sentence embedding,
:func:`embed_claims`).  :class:`PropositionIndex` keeps one centroid per proposition;
a claim joins the proposition whose centroid is most similar (cosine) when that
similarity reaches the threshold, and opens a new proposition otherwise, so adding
articles never recomputes what is there.  The threshold (:data:`DEFAULT_THRESHOLD`) was
chosen on the train fold of the Emergent DEV headlines (folds by claim); see
docs/quality.md, "Propositions".

A proposition's label is its most central claim, kept incrementally: a new member
replaces the label when it is closer to the updated centroid than the label is.  Each
look-up compares a claim with every centroid (one matrix product), which is linear in
the number of propositions.  :meth:`PropositionIndex.from_state` rebuilds the index from
stored sums, sizes and labels, so a store adds claims without reading old ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]

#: Cosine similarity a claim needs with a proposition's centroid to join it.
DEFAULT_THRESHOLD = 0.55


@dataclass
class Proposition:
    """Claims about one thing: their keys, texts and first and last dates."""

    id: int
    keys: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    label: str = ""
    label_key: str | None = None
    #: Members, including those placed before the index was rebuilt from a store.
    size: int = 0


class PropositionIndex:
    """Propositions built one claim at a time (see the module docstring)."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, *, dimensions: int = 384) -> None:
        if not -1.0 <= threshold <= 1.0:
            raise ValueError(f"threshold {threshold} is not a cosine similarity")
        self.threshold = threshold
        self.propositions: list[Proposition] = []
        self._sums = np.zeros((16, dimensions), dtype=np.float32)
        self._centroids = np.zeros((16, dimensions), dtype=np.float32)
        self._labels: list[FloatArray] = []
        self.touched: set[int] = set()

    @classmethod
    def from_state(
        cls,
        propositions: Sequence[Proposition],
        sums: Sequence[FloatArray],
        label_vectors: Sequence[FloatArray],
        threshold: float = DEFAULT_THRESHOLD,
    ) -> PropositionIndex:
        """The index as stored: propositions (ids ``0..n-1`` in order) with the sum of
        their members' vectors and their label's vector."""
        dimensions = len(sums[0]) if len(sums) else 384
        index = cls(threshold, dimensions=dimensions)
        n = len(propositions)
        capacity = max(16, 1 << max(0, n - 1).bit_length())
        index._sums = np.zeros((capacity, dimensions), dtype=np.float32)
        index._centroids = np.zeros((capacity, dimensions), dtype=np.float32)
        for i, (proposition, total) in enumerate(zip(propositions, sums, strict=True)):
            if proposition.id != i:
                raise ValueError(f"proposition {proposition.id} stored at position {i}")
            index._sums[i] = total
            index._centroids[i] = total / (float(np.linalg.norm(total)) or 1.0)
        index.propositions = list(propositions)
        index._labels = [np.asarray(v, dtype=np.float32) for v in label_vectors]
        return index

    def sum_vector(self, proposition_id: int) -> FloatArray:
        """The sum of the proposition's member vectors."""
        return np.asarray(self._sums[proposition_id], dtype=np.float32).copy()

    def label_vector(self, proposition_id: int) -> FloatArray:
        """The vector of the proposition's label claim."""
        return self._labels[proposition_id]

    def __len__(self) -> int:
        return len(self.propositions)

    def add(
        self, key: str, text: str, vector: FloatArray, *, when: dt.datetime | None = None
    ) -> int:
        """Place one claim (``vector`` of unit length); returns its proposition's id."""
        vector = np.asarray(vector, dtype=np.float32)
        n = len(self.propositions)
        best = -1
        if n:
            similarity = self._centroids[:n] @ vector
            best = int(similarity.argmax())
            if similarity[best] < self.threshold:
                best = -1
        if best < 0:
            best = n
            if n == len(self._sums):  # grow by doubling: amortised constant time
                self._sums = np.vstack([self._sums, np.zeros_like(self._sums)])
                self._centroids = np.vstack([self._centroids, np.zeros_like(self._centroids)])
            self.propositions.append(Proposition(id=n))
            self._labels.append(vector)
        self._sums[best] += vector
        norm = float(np.linalg.norm(self._sums[best])) or 1.0
        self._centroids[best] = self._sums[best] / norm
        proposition = self.propositions[best]
        proposition.keys.append(key)
        proposition.texts.append(text)
        proposition.size += 1
        centroid = self._centroids[best]
        if not proposition.label or float(vector @ centroid) > float(self._labels[best] @ centroid):
            proposition.label, proposition.label_key = text, key
            self._labels[best] = vector
        if when is not None:
            if proposition.first_seen is None or when < proposition.first_seen:
                proposition.first_seen = when
            if proposition.last_seen is None or when > proposition.last_seen:
                proposition.last_seen = when
        self.touched.add(best)
        return best

    def add_all(self, keys: Sequence[str], texts: Sequence[str], vectors: FloatArray) -> list[int]:
        """Place claims in order; returns the proposition id of each."""
        return [self.add(k, t, v) for k, t, v in zip(keys, texts, vectors, strict=True)]

    def label(self, proposition_id: int) -> str:
        """The proposition's most central claim (see the module docstring)."""
        return self.propositions[proposition_id].label


def embed_claims(texts: Sequence[str], *, batch_size: int = 64) -> FloatArray:
    """Unit-length MiniLM embeddings of ``texts``, shape ``(n, 384)``."""
    from claimgraph.credibility.machine_text import load_embedder

    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    vectors = load_embedder().encode(
        list(texts), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


__all__ = ["DEFAULT_THRESHOLD", "Proposition", "PropositionIndex", "embed_claims"]
