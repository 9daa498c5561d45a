"""Approximate nearest centroids for large proposition indexes (FAISS).

Below :data:`ANN_MIN_PROPOSITIONS` propositions :class:`~claimgraph.narratives.propositions.
PropositionIndex` compares a claim with every centroid (one matrix product): exact, and
fast enough.  Above it the product grows with the corpus (a million propositions are 1.5 GB
of centroids and tens of milliseconds per claim), so candidates come from an inverted-file
index instead: FAISS's ``IndexIVFFlat`` over inner products (the centroids are unit
vectors, so inner product is the cosine), which visits only the :data:`NPROBE` cells
nearest the claim.  Centroids move as members join: a moved centroid is updated in place
(the index keeps a hash map from proposition id to its entry), a new proposition is
added, and the coarse cells are trained again when the index has grown
:data:`RETRAIN_GROWTH` times since they were trained, so the work stays amortised linear.

The candidates are then scored exactly as below the threshold (cosine plus rare-word
overlap), so an approximate search can only miss a proposition, never mis-score one;
``benchmarks/propositions_ann.py`` measures how often the chosen proposition differs from
the exact search's, and the time per claim.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]

#: Propositions from which candidates come from the approximate index.
ANN_MIN_PROPOSITIONS = 20_000
#: Coarse cells visited per query.
NPROBE = 16
#: Train the coarse cells again once the index has grown this many times.
RETRAIN_GROWTH = 4
#: Centroids the coarse cells are trained on, at most (a random sample above it).
TRAIN_SAMPLE = 100_000


def _faiss() -> Any:
    import faiss

    faiss.omp_set_num_threads(1)  # one query at a time: threads cost more than they give
    return faiss


class CentroidIndex:
    """An inverted-file index of proposition centroids, kept up to date one at a time."""

    def __init__(self, centroids: FloatArray, *, seed: int = 0) -> None:
        self.dimensions = int(centroids.shape[1])
        self._seed = seed
        self._build(centroids)

    def _build(self, centroids: FloatArray) -> None:
        faiss = _faiss()
        n = len(centroids)
        cells = max(1, min(int(4 * math.sqrt(n)), n // 39 or 1))
        quantizer = faiss.IndexFlatIP(self.dimensions)
        index = faiss.IndexIVFFlat(quantizer, self.dimensions, cells, faiss.METRIC_INNER_PRODUCT)
        sample = centroids
        if n > TRAIN_SAMPLE:
            rng = np.random.default_rng(self._seed)
            sample = centroids[rng.choice(n, TRAIN_SAMPLE, replace=False)]
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
        index.set_direct_map_type(faiss.DirectMap.Hashtable)
        index.nprobe = min(NPROBE, cells)
        index.add_with_ids(
            np.ascontiguousarray(centroids, dtype=np.float32), np.arange(n, dtype=np.int64)
        )
        self._index = index
        self.trained_at = n
        self.size = n

    def __len__(self) -> int:
        return self.size

    def search(self, vector: FloatArray, k: int) -> npt.NDArray[np.int64]:
        """Ids of (about) the ``k`` centroids with the largest inner product with ``vector``."""
        _, ids = self._index.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)
        found: npt.NDArray[np.int64] = ids[0]
        return found[found >= 0]

    def set(self, proposition_id: int, centroid: FloatArray, all_centroids: FloatArray) -> None:
        """Put proposition ``proposition_id``'s (new or moved) centroid in the index;
        ``all_centroids`` (rows ``0..n-1``) is read when the cells are trained again."""
        row = np.asarray(centroid, dtype=np.float32).reshape(1, -1)
        ids = np.array([proposition_id], dtype=np.int64)
        if proposition_id < self.size:
            self._index.update_vectors(ids, row)
            return
        if proposition_id != self.size:
            raise ValueError(f"proposition {proposition_id} added after {self.size - 1}")
        self.size += 1
        if self.size >= RETRAIN_GROWTH * self.trained_at:
            self._build(all_centroids[: self.size])
        else:
            self._index.add_with_ids(row, ids)
