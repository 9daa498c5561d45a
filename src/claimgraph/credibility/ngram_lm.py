"""A small Kneser-Ney trigram model of human-written news (hashed n-grams, numpy only).

Used by the machine-generated text detector (:mod:`claimgraph.credibility.machine_text`)
for two kinds of features:

* perplexity-style statistics of the observed tokens' log-probabilities;
* sampling-discrepancy statistics in the manner of Fast-DetectGPT: each observed token's
  log-probability is compared with the log-probability *expected* under the model's own
  distribution in that context (minus the entropy), normalised by that distribution's
  spread. Language models pick tokens that their own distribution rates highly, so machine
  text sits above the expectation more often than human text does. The expectation and the
  second moment of each context's distribution are computed once, at training time
  (``claimgraph.training.machine_text.build_ngram_lm``), in closed form over the whole
  vocabulary, and stored beside the counts, so a text costs table look-ups only.

Texts are normalised (whitespace collapsed, typographic quotes and dashes made ASCII)
before tokenising, so formatting differences between corpora cannot become cues.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from claimgraph.errors import ModelError

FloatArray = npt.NDArray[np.float64]

_TRANSLATE = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'",
     "–": "-", "—": "-", "…": "..."}
)  # fmt: skip
_WS = re.compile(r"\s+")
_LM_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+|[^\sa-z\d]")
_DIGITS = re.compile(r"\d+")

BOS = "<s>"
#: Kneser-Ney discount of the packaged model.
DISCOUNT = 0.75
#: Floor of a context's log-probability variance (a context with one likely follower).
MIN_VARIANCE = 1e-6

_DISCREPANCY = (
    "disc", "diff_mean", "z_mean", "z_median", "above", "expected", "spread", "z_std", "ratio",
)  # fmt: skip
LM_FEATURES: tuple[str, ...] = (
    "lm_logp_mean", "lm_logp_std", "lm_logp_q10", "lm_logp_q25", "lm_logp_q50",
    "lm_logp_q75", "lm_logp_q90", "lm_bigram_seen", "lm_trigram_seen",
    "lm_gain_mean", "lm_gain_std",
    *(f"lm_{level}_{name}" for level in ("tri", "bi") for name in _DISCREPANCY),
)  # fmt: skip

_COUNT_TABLES = (
    "continuation", "bigrams", "bi_ctx_total", "bi_ctx_types",
    "trigrams", "tri_ctx_total", "tri_ctx_types",
)  # fmt: skip
_MOMENT_TABLES = ("bi_ctx_mean", "bi_ctx_m2", "tri_ctx_mean", "tri_ctx_m2")


def normalise_text(text: str) -> str:
    """``text`` with whitespace collapsed and typographic quotes/dashes made ASCII."""
    return _WS.sub(" ", text.translate(_TRANSLATE)).strip()


def lm_tokens(text: str) -> list[str]:
    """Lower-cased word, digit-run (as ``0``) and punctuation tokens for the n-gram model."""
    return _LM_TOKEN.findall(_DIGITS.sub("0", normalise_text(text).lower()))


def ngram_key(*tokens: str) -> int:
    """The 32-bit hash of an n-gram (a few collisions in 10^5 keys)."""
    digest = hashlib.blake2b("\x1f".join(tokens).encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "little")


class HashTable:
    """A sorted hash → value table with vectorised look-ups."""

    def __init__(self, keys: npt.NDArray[np.int64], values: npt.NDArray[Any]) -> None:
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.values = values[order]

    @classmethod
    def from_counter(cls, counter: Counter[int]) -> HashTable:
        keys = np.fromiter(counter.keys(), dtype=np.int64, count=len(counter))
        values = np.fromiter(counter.values(), dtype=np.int64, count=len(counter))
        return cls(keys, values)

    @classmethod
    def from_floats(cls, mapping: dict[int, float]) -> HashTable:
        keys = np.fromiter(mapping.keys(), dtype=np.int64, count=len(mapping))
        values = np.fromiter(mapping.values(), dtype=np.float64, count=len(mapping))
        return cls(keys, values)

    def lookup(self, keys: Sequence[int]) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        """Values of ``keys`` (0 where absent) and whether each was present."""
        if not len(self.keys) or not len(keys):
            return np.zeros(len(keys)), np.zeros(len(keys), dtype=bool)
        query = np.array(keys, dtype=np.int64)
        idx = np.clip(np.searchsorted(self.keys, query), 0, len(self.keys) - 1)
        found = self.keys[idx] == query
        return np.where(found, self.values[idx], 0).astype(float), found

    def get(self, keys: Sequence[int]) -> FloatArray:
        """Values of ``keys``, 0 where absent."""
        return self.lookup(keys)[0]


@dataclass
class TokenStats:
    """Per-token statistics of a text under :class:`NgramLM` (arrays of equal length)."""

    logp: FloatArray  # trigram (interpolated) log-probability of the observed token
    logp_bigram: FloatArray
    logp_unigram: FloatArray
    bigram_seen: FloatArray
    trigram_seen: FloatArray
    #: expected log-probability and its variance under the trigram / bigram distribution
    tri_mean: FloatArray
    tri_var: FloatArray
    bi_mean: FloatArray
    bi_var: FloatArray


@dataclass
class NgramLM:
    """Interpolated Kneser-Ney trigram model (discount ``d``) over hashed n-grams.

    ``continuation`` counts bigram types ending in a word; ``*_ctx_total`` and
    ``*_ctx_types`` are token totals and follower-type counts of each context;
    ``*_ctx_mean`` and ``*_ctx_m2`` are the first two moments of the log-probability of
    the next token under the model's distribution in that context, and ``uni_mean`` and
    ``uni_m2`` those of the unigram (continuation) distribution.
    """

    continuation: HashTable
    n_bigram_types: int
    vocab_size: int
    bigrams: HashTable
    bi_ctx_total: HashTable
    bi_ctx_types: HashTable
    trigrams: HashTable
    tri_ctx_total: HashTable
    tri_ctx_types: HashTable
    bi_ctx_mean: HashTable
    bi_ctx_m2: HashTable
    tri_ctx_mean: HashTable
    tri_ctx_m2: HashTable
    uni_mean: float
    uni_m2: float
    discount: float = DISCOUNT

    def token_stats(self, tokens: Sequence[str]) -> TokenStats:
        """Per-token log-probabilities and the moments of each context's distribution."""
        w = [BOS, BOS, *tokens]
        unigrams = {t: ngram_key(t) for t in set(tokens)}  # each distinct word hashed once
        uni_k = [unigrams[t] for t in w[2:]]
        bi_k = [ngram_key(a, b) for a, b in itertools.pairwise(w[1:])]
        tri_k = [ngram_key(a, b, c) for a, b, c in zip(w[:-2], w[1:-1], w[2:], strict=False)]
        # The contexts are the n-grams one token back: token i's unigram context is token
        # i-1's unigram (BOS for the first), its bigram context token i-1's bigram.
        ctx1 = [ngram_key(BOS), *uni_k[:-1]] if tokens else []
        ctx2 = [ngram_key(BOS, BOS), *bi_k[:-1]] if tokens else []
        d = self.discount
        p_uni = (self.continuation.get(uni_k) + 0.5) / (
            self.n_bigram_types + 0.5 * (self.vocab_size + 1)
        )
        c_bi = self.bigrams.get(bi_k)
        tot1, has1 = self.bi_ctx_total.lookup(ctx1)
        typ1 = self.bi_ctx_types.get(ctx1)
        safe1 = np.maximum(tot1, 1)
        p_bi = np.where(has1, np.maximum(c_bi - d, 0) / safe1 + d * typ1 / safe1 * p_uni, p_uni)
        c_tri = self.trigrams.get(tri_k)
        tot2, has2 = self.tri_ctx_total.lookup(ctx2)
        typ2 = self.tri_ctx_types.get(ctx2)
        safe2 = np.maximum(tot2, 1)
        p_tri = np.where(has2, np.maximum(c_tri - d, 0) / safe2 + d * typ2 / safe2 * p_bi, p_bi)
        bi_mean = np.where(has1, self.bi_ctx_mean.get(ctx1), self.uni_mean)
        bi_m2 = np.where(has1, self.bi_ctx_m2.get(ctx1), self.uni_m2)
        tri_mean = np.where(has2, self.tri_ctx_mean.get(ctx2), bi_mean)
        tri_m2 = np.where(has2, self.tri_ctx_m2.get(ctx2), bi_m2)
        return TokenStats(
            logp=np.log(p_tri),
            logp_bigram=np.log(p_bi),
            logp_unigram=np.log(p_uni),
            bigram_seen=(c_bi > 0).astype(float),
            trigram_seen=(c_tri > 0).astype(float),
            tri_mean=tri_mean,
            tri_var=np.maximum(tri_m2 - tri_mean**2, MIN_VARIANCE),
            bi_mean=bi_mean,
            bi_var=np.maximum(bi_m2 - bi_mean**2, MIN_VARIANCE),
        )

    def features(self, text: str) -> FloatArray:
        """The :data:`LM_FEATURES` of one text."""
        tokens = lm_tokens(text)
        if not tokens:
            return np.zeros(len(LM_FEATURES))
        s = self.token_stats(tokens)
        gain = s.logp - s.logp_unigram
        out = [
            s.logp.mean(), s.logp.std(), *np.percentile(s.logp, [10, 25, 50, 75, 90]),
            s.bigram_seen.mean(), s.trigram_seen.mean(), gain.mean(), gain.std(),
        ]  # fmt: skip
        for logp, mean, var in (
            (s.logp, s.tri_mean, s.tri_var),
            (s.logp_bigram, s.bi_mean, s.bi_var),
        ):
            diff = logp - mean
            z = diff / np.sqrt(var)
            out += [
                diff.sum() / np.sqrt(var.sum()),  # Fast-DetectGPT's normalised discrepancy
                diff.mean(),
                z.mean(),
                float(np.median(z)),
                float((diff > 0).mean()),
                mean.mean(),
                np.sqrt(var).mean(),
                z.std(),
                logp.mean() / min(float(mean.mean()), -1e-6),
            ]
        return np.array(out, dtype=float)

    def save(self, path: Path) -> None:
        """Write the model as a compressed ``.npz`` (no pickles)."""
        arrays: dict[str, Any] = {
            "meta": np.array([self.n_bigram_types, self.vocab_size], dtype=np.int64),
            "discount": np.array([self.discount]),
            "uni_moments": np.array([self.uni_mean, self.uni_m2]),
        }
        for name in _COUNT_TABLES:
            table: HashTable = getattr(self, name)
            arrays[f"{name}_keys"] = table.keys.astype(np.uint32)
            arrays[f"{name}_values"] = table.values.astype(np.uint32)
        for name in _MOMENT_TABLES:
            table = getattr(self, name)
            arrays[f"{name}_keys"] = table.keys.astype(np.uint32)
            arrays[f"{name}_values"] = table.values.astype(np.float32)
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path) -> NgramLM:
        """Read a model written by :meth:`save`; raises :class:`ModelError`."""
        try:
            with np.load(path, allow_pickle=False) as data:
                tables = {
                    name: HashTable(
                        data[f"{name}_keys"].astype(np.int64),
                        data[f"{name}_values"].astype(
                            np.float64 if name in _MOMENT_TABLES else np.int64
                        ),
                    )
                    for name in (*_COUNT_TABLES, *_MOMENT_TABLES)
                }
                meta = data["meta"]
                discount = float(data["discount"][0])
                uni_mean, uni_m2 = (float(v) for v in data["uni_moments"])
        except (OSError, KeyError, ValueError) as err:
            raise ModelError(
                f"cannot read n-gram model {path}: {err}; reinstall claimgraph or rebuild it "
                "with `python -m claimgraph.training.machine_text`"
            ) from err
        return cls(
            n_bigram_types=int(meta[0]),
            vocab_size=int(meta[1]),
            discount=discount,
            uni_mean=uni_mean,
            uni_m2=uni_m2,
            **tables,
        )


__all__ = [
    "BOS",
    "DISCOUNT",
    "LM_FEATURES",
    "HashTable",
    "NgramLM",
    "TokenStats",
    "lm_tokens",
    "ngram_key",
    "normalise_text",
]
