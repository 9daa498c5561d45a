"""Stance: does a text support, deny or only report a claim, or is it about something else?

Labels (:data:`LABELS`): ``supports``, ``denies``, ``reports`` (observing without
endorsing) and ``unrelated``.  The model reads a claim and a text (a headline, a
statement or an article body) as

* MiniLM sentence vectors (the packaged all-MiniLM-L6-v2): the claim's vector ``u``, the
  mean ``v`` of the text's sentences most similar to the claim, and ``u * v``, ``|u - v|``;
* a few dozen lexical signals (:func:`lexical_features`): how similar the best sentences
  are, how much of the claim's wording, rare words and numbers the text repeats, and the
  refuting, reporting and hedging words around them.

A small two-layer network over those features (``stance.npz``) gives the four
probabilities for a text of several sentences (an article body).  A short text (a
headline, a claim: one sentence) is read by a multinomial logistic regression over the
text's words (TF-IDF) and the reporting, hedging, negation and debunking cues of the
text and the claim (:mod:`claimgraph.narratives.cues`, ``short.npz``), which held up
better on unseen stories than the vectors or a fine-tuned MiniLM cross-encoder did
(docs/quality.md); it answers supports/denies/reports.  Both are fitted by
:mod:`claimgraph.training.stance` on the train folds of the Emergent and FNC-1 DEV data
(folds by topic) and run on numpy.  Each text is cut to its first :data:`MAX_SENTENCES`
sentences, so the cost is linear in the input.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from claimgraph.errors import ModelError
from claimgraph.narratives.cues import (
    CUE_NAMES,
    ShortStanceModel,
    cue_features,
    load_short_model,
    load_weights,
    save_weights,
    short_probabilities,
    words,
)

FloatArray = npt.NDArray[np.float32]

LABELS: tuple[str, ...] = ("supports", "denies", "reports", "unrelated")

#: Corpus label names -> claimgraph's.
EMERGENT_LABELS = {"for": "supports", "against": "denies", "observing": "reports"}
FNC_LABELS = {
    "agree": "supports",
    "disagree": "denies",
    "discuss": "reports",
    "unrelated": "unrelated",
}

#: Sentences of a text the model reads (the lead carries the stance in news).
MAX_SENTENCES = 40
#: How many of the sentences most similar to the claim make the text's vector.
TOP_SENTENCES = 3

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")

REFUTING = frozenset(
    """fake fraud fraudulent hoax hoaxes false falsely deny denies denied denial debunk
    debunks debunked debunking bogus untrue myth myths nonsense refute refutes refuted
    dismiss dismisses dismissed reject rejects rejected retract retracts retracted
    doubt doubts doubtful satire satirical prank pranks parody not no never nothing
    isn't wasn't aren't weren't doesn't didn't don't won't can't cannot nor neither
    misleading mistaken wrong baseless unfounded rumour rumor rumours rumors lie lies
    lied fabricated fabrication photoshopped""".split()
)
REPORTING = frozenset(
    """reportedly allegedly alleged claims claim claimed claiming report reports reported
    according sources source said says say saying told rumoured rumored purportedly
    supposedly apparently unconfirmed speculation speculate speculates believed
    suggests suggested appears appear seems seem may might could possibly perhaps
    likely unclear unverified if whether""".split()
)
STOPWORDS = frozenset(
    """a an the and or but of to in on at for from by with as is are was were be been
    being it its this that these those he she they them his her their we you i our your
    has have had do does did will would shall should can could may might must not no so
    than then there here what which who whom whose when where why how all any some such
    into over after before about up down out off again further once more most other own
    same too very just also only s t""".split()
)


@dataclass(frozen=True)
class StanceModel:
    """The stance network: feature scaling, two layers, label order and provenance."""

    mean: FloatArray
    scale: FloatArray
    w1: FloatArray
    b1: FloatArray
    w2: FloatArray
    b2: FloatArray
    labels: tuple[str, ...]
    fitted_on: str
    name: str

    def probabilities(self, features: FloatArray) -> FloatArray:
        """Probabilities over :attr:`labels` for each row of ``features``."""
        x = (np.asarray(features, dtype=np.float32) - self.mean) / self.scale
        hidden = np.maximum(x @ self.w1 + self.b1, 0.0)
        logits = hidden @ self.w2 + self.b2
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float32)

    def save(self, directory: Path, *, extra: dict[str, object] | None = None) -> None:
        """Write ``stance.npz`` and ``stance.json`` to ``directory``."""
        arrays = {"mean": self.mean, "scale": self.scale, "w1": self.w1, "b1": self.b1,
                  "w2": self.w2, "b2": self.b2}  # fmt: skip
        meta = {"labels": list(self.labels), "fitted_on": self.fitted_on, "name": self.name}
        save_weights(directory, "stance", arrays, {**meta, **(extra or {})})


@lru_cache(maxsize=4)
def load_model(directory: Path | None = None) -> StanceModel:
    """The stance model in ``directory`` (the packaged one by default)."""
    arrays, meta = load_weights(directory, "stance", "stance model")
    try:
        return StanceModel(
            **{k: arrays[k] for k in ("mean", "scale", "w1", "b1", "w2", "b2")},
            labels=tuple(meta["labels"]),
            fitted_on=str(meta.get("fitted_on", "unknown")),
            name=str(meta.get("name", "stance")),
        )
    except KeyError as err:
        raise ModelError(f"the stance model lacks {err}") from err


def text_units(text: str) -> list[str]:
    """The sentences of ``text`` the model reads (at most :data:`MAX_SENTENCES`)."""
    from claimgraph.credibility.machine_text import normalise_text, split_sentences

    units = split_sentences(normalise_text(text))[:MAX_SENTENCES]
    return units or [text.strip() or "-"]


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.endswith("s") else word


def _content(tokens: Sequence[str]) -> list[str]:
    return [_stem(t) for t in tokens if t not in STOPWORDS and not t.isdigit()]


@lru_cache(maxsize=65536)
def rarity(word: str) -> float:
    """How rare ``word`` is in English: 7 minus its Zipf frequency (at least 0)."""
    from wordfreq import zipf_frequency

    return max(0.0, 7.0 - zipf_frequency(word, "en"))


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def _count(tokens: Sequence[str], lexicon: frozenset[str]) -> int:
    return sum(1 for t in tokens if t in lexicon)


#: Names of :func:`lexical_features`, in order.
LEXICAL_NAMES: tuple[str, ...] = (
    "cos_max",
    "cos_top_mean",
    "cos_first",
    "cos_mean",
    "overlap",
    "overlap_best",
    "overlap_rare",
    "overlap_bigram",
    "claim_has_number",
    "numbers_found",
    "numbers_new_best",
    "refute_claim",
    "refute_text",
    "refute_best",
    "refute_first",
    "refute_only_text",
    "report_claim",
    "report_text",
    "report_best",
    "question_claim",
    "question_best",
    "log_units",
    "log_claim_words",
    "single_unit",
)


def lexical_features(claim: str, units: Sequence[str], similarities: FloatArray) -> list[float]:
    """The lexical signals of ``claim`` against the text ``units`` (see
    :data:`LEXICAL_NAMES`); ``similarities`` are the claim's cosine with each unit."""
    order = np.argsort(-similarities)
    best = [units[i] for i in order[:TOP_SENTENCES]]
    claim_tokens = words(claim)
    claim_content = set(_content(claim_tokens))
    unit_tokens = [words(u) for u in units]
    text_content = {w for tokens in unit_tokens for w in _content(tokens)}
    best_tokens = [t for i in order[:TOP_SENTENCES] for t in unit_tokens[i]]
    best_content = set(_content(best_tokens))
    first_tokens = unit_tokens[0]
    denominator = max(1, len(claim_content))
    rare_total = sum(rarity(w) for w in claim_content) or 1.0
    claim_bigrams = set(itertools.pairwise(claim_tokens))
    text_bigrams = {pair for tokens in unit_tokens for pair in itertools.pairwise(tokens)}
    claim_numbers = _numbers(claim)
    best_numbers = _numbers(" ".join(best))
    all_tokens = [t for tokens in unit_tokens for t in tokens]
    refute_claim = _count(claim_tokens, REFUTING)
    refute_text = _count(all_tokens, REFUTING)
    return [
        float(similarities.max()),
        float(np.sort(similarities)[::-1][:TOP_SENTENCES].mean()),
        float(similarities[0]),
        float(similarities.mean()),
        len(claim_content & text_content) / denominator,
        len(claim_content & best_content) / denominator,
        sum(rarity(w) for w in claim_content & text_content) / rare_total,
        len(claim_bigrams & text_bigrams) / max(1, len(claim_bigrams)),
        float(bool(claim_numbers)),
        len(claim_numbers & _numbers(" ".join(units))) / max(1, len(claim_numbers)),
        float(bool(best_numbers - claim_numbers)),
        float(refute_claim),
        math.log1p(refute_text),
        float(_count(best_tokens, REFUTING)),
        float(_count(first_tokens, REFUTING)),
        float(refute_text > 0 and refute_claim == 0),
        float(_count(claim_tokens, REPORTING)),
        math.log1p(_count(all_tokens, REPORTING)),
        float(_count(best_tokens, REPORTING)),
        float("?" in claim),
        float(any("?" in s for s in best)),
        math.log1p(len(units)),
        math.log1p(len(claim_tokens)),
        float(len(units) == 1),
    ]


def pair_features(
    claim: str, units: Sequence[str], claim_vector: FloatArray, unit_vectors: FloatArray
) -> FloatArray:
    """The model's input for one claim and text (see the module docstring)."""
    similarities = unit_vectors @ claim_vector
    top = np.argsort(-similarities)[:TOP_SENTENCES]
    v = unit_vectors[top].mean(axis=0)
    v = v / (float(np.linalg.norm(v)) or 1.0)
    u = claim_vector
    lexical = np.asarray(lexical_features(claim, units, similarities), dtype=np.float32)
    return np.concatenate([lexical, u, v, u * v, np.abs(u - v)]).astype(np.float32)


class StanceEncoder:
    """Features of claim/text pairs, embedding each distinct sentence once."""

    def __init__(self, embed: object | None = None) -> None:
        self._embed = embed
        self._vectors: dict[str, FloatArray] = {}

    def _encode(self, sentences: Sequence[str]) -> None:
        missing = list(dict.fromkeys(s for s in sentences if s not in self._vectors))
        if not missing:
            return
        if self._embed is None:
            from claimgraph.credibility.machine_text import load_embedder

            vectors = load_embedder().encode(missing, normalize_embeddings=True)
        else:
            vectors = self._embed(missing)  # type: ignore[operator]
        self._vectors.update(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))

    def features(self, claims: Sequence[str], texts: Sequence[str]) -> FloatArray:
        """One feature row per (claim, text) pair."""
        units = {t: text_units(t) for t in dict.fromkeys(texts)}
        self._encode([*claims, *(s for u in units.values() for s in u)])
        rows = []
        for claim, text in zip(claims, texts, strict=True):
            unit_list = units[text]
            rows.append(
                pair_features(
                    claim,
                    unit_list,
                    self._vectors[claim],
                    np.vstack([self._vectors[s] for s in unit_list]),
                )
            )
        if not rows:
            return np.zeros((0, len(LEXICAL_NAMES) + 4 * 384), dtype=np.float32)
        return np.vstack(rows)


def predict(
    claims: Sequence[str],
    texts: Sequence[str],
    *,
    model: StanceModel | None = None,
    encoder: StanceEncoder | None = None,
    related_only: bool = False,
) -> list[tuple[str, float]]:
    """The stance label and its probability for each (claim, text) pair: short texts
    (one sentence) by the cue model, longer ones by the network.

    With ``related_only`` the text is known to be about the claim (``unrelated`` is
    never answered).
    """
    out: list[tuple[str, float]] = [("unrelated", 0.0)] * len(claims)
    sentences = [len(text_units(t)) for t in texts]
    short = [i for i, n in enumerate(sentences) if n == 1]
    for i, answer in zip(
        short,
        short_probabilities([claims[i] for i in short], [texts[i] for i in short]),
        strict=True,
    ):
        label = max(answer, key=lambda k: answer[k])
        out[i] = (label, answer[label])
    long = [i for i, n in enumerate(sentences) if n > 1]
    if long:
        model = model or load_model()
        encoder = encoder or StanceEncoder()
        probs = model.probabilities(
            encoder.features([claims[i] for i in long], [texts[i] for i in long])
        )
        if related_only and "unrelated" in model.labels:
            probs[:, model.labels.index("unrelated")] = 0.0
        for i, row in zip(long, probs, strict=True):
            best = int(row.argmax())
            out[i] = (model.labels[best], float(row[best]))
    return out


__all__ = [
    "CUE_NAMES",
    "EMERGENT_LABELS",
    "FNC_LABELS",
    "LABELS",
    "LEXICAL_NAMES",
    "ShortStanceModel",
    "StanceEncoder",
    "StanceModel",
    "cue_features",
    "lexical_features",
    "load_model",
    "load_short_model",
    "load_weights",
    "pair_features",
    "predict",
    "save_weights",
    "short_probabilities",
    "text_units",
    "words",
]
