"""Propositions: claims about the same thing, grouped incrementally.

Each claim is a unit vector (the packaged all-MiniLM-L6-v2 sentence embedding,
:func:`embed_claims`) and a set of content words.  :class:`PropositionIndex` keeps one
centroid and one word count per proposition; a claim is scored against the
:data:`CANDIDATES` propositions whose centroids are most similar: the cosine plus
:data:`LEXICAL_WEIGHT` times the share of its rare words the proposition already has
(:func:`word_overlap`: names, places and numbers weigh most).  It joins the best when the
score reaches the threshold and opens a new proposition otherwise, so adding articles
never recomputes what is there.  The weight and the threshold
(:data:`DEFAULT_THRESHOLD`) were chosen by cross-validation grouped by claim on the
Emergent DEV headlines; see docs/quality.md, "Propositions".

A proposition's label is its most central claim, kept incrementally: a new member
replaces the label when it is closer to the updated centroid than the label is.  Each
look-up compares a claim with every centroid (one matrix product), which is linear in
the number of propositions; from :data:`~claimgraph.narratives.ann.ANN_MIN_PROPOSITIONS`
propositions on, the candidates come from an approximate index instead
(:mod:`claimgraph.narratives.ann`, FAISS), and are scored the same way.
:meth:`PropositionIndex.from_state` rebuilds the index from stored sums, sizes and
labels, so a store adds claims without reading old ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from claimgraph.narratives.ann import ANN_MIN_PROPOSITIONS, CentroidIndex
from claimgraph.nlp.sentence_encoder import BATCH_SIZE

FloatArray = npt.NDArray[np.float32]

#: Score a claim needs with a proposition to join it: the cosine similarity with the
#: centroid plus :data:`LEXICAL_WEIGHT` times the rare-word overlap.
DEFAULT_THRESHOLD = 0.6
#: Weight of the rare-word overlap (:func:`word_overlap`) beside the cosine.
LEXICAL_WEIGHT = 0.6
#: What a proposition loses in a claim's score when it already holds a claim of the same
#: article: an article states a proposition once and then goes on to the next aspect of
#: its story (who did it, how many died, where they fled), so two of its claims must be
#: near-paraphrases to join.  Chosen by leave-one-story-out CV on the within-story set
#: (``benchmarks/story_propositions.py``; 0.4 in every fold); headlines of different
#: articles, as in the Emergent measure, are not affected.
SAME_ARTICLE_PENALTY = 0.4
#: Propositions (the most similar by cosine) whose words are compared with a claim's.
CANDIDATES = 20
#: How much closer to the centroid than the label a new member must be to replace it.
LABEL_MARGIN = 1e-5
#: Words kept per proposition (the most frequent).
MAX_WORDS = 300


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
    #: Content-word stems of the members, with counts (at most :data:`MAX_WORDS`).
    words: dict[str, int] = field(default_factory=dict)


def content_words(text: str) -> set[str]:
    """The content-word stems of ``text`` (no stop words, no words under three letters)."""
    from claimgraph.narratives.stance import STOPWORDS, words

    return {
        w[:-1] if len(w) > 4 and w.endswith("s") else w
        for w in words(text)
        if w not in STOPWORDS and len(w) > 2
    }


def word_overlap(claim_words: set[str], proposition_words: dict[str, int]) -> float:
    """Share of the claim's rarity (:func:`~claimgraph.narratives.stance.rarity`) in words
    the proposition has: 1 when every word is there, rare words counting most."""
    from claimgraph.narratives.stance import rarity

    total = sum(rarity(w) for w in claim_words)
    if not total:
        return 0.0
    return sum(rarity(w) for w in claim_words if w in proposition_words) / total


class PropositionIndex:
    """Propositions built one claim at a time (see the module docstring)."""

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        *,
        dimensions: int = 384,
        lexical_weight: float = LEXICAL_WEIGHT,
        ann_min: int = ANN_MIN_PROPOSITIONS,
    ) -> None:
        if not -1.0 <= threshold <= 1.0 + lexical_weight:
            raise ValueError(f"threshold {threshold} is out of range")
        self.threshold = threshold
        self.lexical_weight = lexical_weight
        self.propositions: list[Proposition] = []
        self._sums = np.zeros((16, dimensions), dtype=np.float32)
        self._centroids = np.zeros((16, dimensions), dtype=np.float32)
        self._labels: list[FloatArray] = []
        self.touched: set[int] = set()
        #: The articles of the members placed since :meth:`new_batch`, per proposition.
        self._articles: dict[int, set[str]] = {}
        #: Propositions from which candidates come from :attr:`ann`.
        self.ann_min = ann_min
        #: The approximate index of the centroids, once there are ``ann_min`` of them.
        self.ann: CentroidIndex | None = None

    @classmethod
    def from_state(
        cls,
        propositions: Sequence[Proposition],
        sums: Sequence[FloatArray],
        label_vectors: Sequence[FloatArray],
        threshold: float = DEFAULT_THRESHOLD,
        *,
        ann_min: int = ANN_MIN_PROPOSITIONS,
    ) -> PropositionIndex:
        """The index as stored: propositions (ids ``0..n-1`` in order) with the sum of
        their members' vectors and their label's vector."""
        dimensions = len(sums[0]) if len(sums) else 384
        index = cls(threshold, dimensions=dimensions, ann_min=ann_min)
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

    def new_batch(self) -> None:
        """Forget which propositions were touched and which articles their new members
        came from (an article's claims are placed in one batch)."""
        self.touched.clear()
        self._articles.clear()

    def add(
        self,
        key: str,
        text: str,
        vector: FloatArray,
        *,
        when: dt.datetime | None = None,
        article: str | None = None,
    ) -> int:
        """Place one claim (``vector`` of unit length) of ``article`` (where known: a
        proposition that already holds a claim of it scores :data:`SAME_ARTICLE_PENALTY`
        less); returns its proposition's id."""
        vector = np.asarray(vector, dtype=np.float32)
        n = len(self.propositions)
        claim_words = content_words(text) if self.lexical_weight else set()
        best = -1
        if n:
            candidates, similarity = self._candidates(vector, n)
            scores = [
                float(similarity[j])
                + self.lexical_weight * word_overlap(claim_words, self.propositions[i].words)
                - (SAME_ARTICLE_PENALTY if article in self._articles.get(int(i), ()) else 0.0)
                for j, i in enumerate(candidates)
            ]
            top = int(np.argmax(scores)) if scores else -1
            if top >= 0 and scores[top] >= self.threshold:
                best = int(candidates[top])
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
        if self.ann is not None:
            self.ann.set(best, self._centroids[best], self._centroids)
        proposition = self.propositions[best]
        proposition.keys.append(key)
        proposition.texts.append(text)
        proposition.size += 1
        for word in claim_words:
            proposition.words[word] = proposition.words.get(word, 0) + 1
        if len(proposition.words) > MAX_WORDS:
            kept = sorted(proposition.words.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_WORDS]
            proposition.words = dict(kept)
        centroid = self._centroids[best]
        # closer by more than rounding: two claims with one vector (short claims of one
        # sentence are embedded with it) keep the first as label, however they were batched
        closer = float(vector @ centroid) > float(self._labels[best] @ centroid) + LABEL_MARGIN
        if not proposition.label or closer:
            proposition.label, proposition.label_key = text, key
            self._labels[best] = vector
        if when is not None:
            if proposition.first_seen is None or when < proposition.first_seen:
                proposition.first_seen = when
            if proposition.last_seen is None or when > proposition.last_seen:
                proposition.last_seen = when
        self.touched.add(best)
        if article is not None:
            self._articles.setdefault(best, set()).add(article)
        return best

    def _candidates(self, vector: FloatArray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The ids of the propositions a claim is scored against, and their cosines."""
        if self.ann is None and n >= self.ann_min:
            self.ann = CentroidIndex(self._centroids[:n])
        if self.ann is not None:
            candidates: np.ndarray = self.ann.search(vector, CANDIDATES)
            return candidates, self._centroids[candidates] @ vector
        similarity = self._centroids[:n] @ vector
        if n > CANDIDATES:
            candidates = np.argpartition(-similarity, CANDIDATES)[:CANDIDATES]
            return candidates, similarity[candidates]
        return np.arange(n), similarity

    def add_all(self, keys: Sequence[str], texts: Sequence[str], vectors: FloatArray) -> list[int]:
        """Place claims in order; returns the proposition id of each."""
        return [self.add(k, t, v) for k, t, v in zip(keys, texts, vectors, strict=True)]

    def label(self, proposition_id: int) -> str:
        """The proposition's most central claim (see the module docstring)."""
        return self.propositions[proposition_id].label


def embed_claims(texts: Sequence[str], *, batch_size: int = BATCH_SIZE) -> FloatArray:
    """Unit-length MiniLM embeddings of ``texts``, shape ``(n, 384)`` (``batch_size``:
    texts per matrix product)."""
    from claimgraph.credibility.machine_text import load_embedder

    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    vectors = load_embedder().encode(list(texts), batch_size=batch_size)
    return np.asarray(vectors, dtype=np.float32)


__all__ = [
    "DEFAULT_THRESHOLD",
    "LEXICAL_WEIGHT",
    "SAME_ARTICLE_PENALTY",
    "Proposition",
    "PropositionIndex",
    "content_words",
    "embed_claims",
    "word_overlap",
]
