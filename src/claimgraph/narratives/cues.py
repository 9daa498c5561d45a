"""Short texts (a headline, a claim): their reporting, hedging, negation and debunking
cues, their words, and the linear models that read them.

Two models share this input (:class:`TextLinearModel`): the words of the text as
sublinear, length-normalised TF-IDF over a vocabulary fitted on the training headlines
(:class:`Terms`), beside the standardised cues of :func:`cue_features`, scaled by a
weight that sets how much the cues count against the words.

* The short-text stance model (``short.npz``, :func:`short_probabilities`): a
  multinomial logistic regression answering supports/denies/reports for a claim and a
  short text about it.
* The polarity model of :mod:`claimgraph.narratives.contradictions` (``polarity.npz``):
  a binary one answering whether a report calls its story false (no claim given).

Both are fitted by :mod:`claimgraph.training.stance` and
:mod:`claimgraph.training.polarity` (scikit-learn) and run on numpy here; the recipe and
its scores are in docs/quality.md.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from claimgraph.errors import ModelError

FloatArray = npt.NDArray[np.float32]

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
#: The tokens the term vocabulary counts (scikit-learn's ``token_pattern`` in training).
TERM_PATTERN = r"(?u)\b\w+\b|\?"
_TERM = re.compile(TERM_PATTERN)


MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "stance"


def save_weights(
    directory: Path, stem: str, arrays: dict[str, FloatArray], meta: dict[str, object]
) -> None:
    """Write ``STEM.npz`` (the arrays) and ``STEM.json`` (``meta``) to ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / f"{stem}.npz", **arrays)  # type: ignore[arg-type]
    (directory / f"{stem}.json").write_text(json.dumps(meta, indent=2) + "\n", "utf-8")


def load_weights(
    directory: Path | None, stem: str, what: str
) -> tuple[dict[str, FloatArray], dict[str, Any]]:
    """The float32 arrays of ``STEM.npz`` and the ``STEM.json`` of ``directory`` (the
    packaged models by default); :class:`ModelError` naming ``what`` when unreadable."""
    directory = Path(directory) if directory is not None else MODEL_DIR
    try:
        meta = json.loads((directory / f"{stem}.json").read_text("utf-8"))
        with np.load(directory / f"{stem}.npz") as stored:
            arrays = {name: stored[name].astype(np.float32) for name in stored.files}
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot load the {what} from {directory}: {err}") from err
    return arrays, meta


def words(text: str) -> list[str]:
    """Lower-cased word tokens of ``text``."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


ATTRIBUTING = frozenset(
    """according claims claim claimed claiming says said say saying report reports
    reported reporting reportedly source sources media allegedly alleged rumor rumors
    rumour rumours purportedly apparently supposedly unconfirmed suggests suggest
    identified believed thought""".split()
)
MODAL = frozenset(
    "may might could possibly perhaps likely appears appear seems seem if whether".split()
)
NEGATION = frozenset(
    """not no never nothing none isn't wasn't aren't weren't doesn't didn't don't won't
    can't cannot nor""".split()
)
DEBUNKING = frozenset(
    """fake hoax hoaxes false falsely debunk debunks debunked debunking bogus untrue myth
    myths satire satirical prank parody denies deny denied denial dismisses dismissed
    rejects rejected refutes refuted nonsense lie lies""".split()
)
#: Words that leave a story unsettled (rumour, report, speculation, modal verbs).
UNCERTAIN = frozenset(
    """rumor rumors rumour rumours unconfirmed speculation speculate reportedly allegedly
    alleged purportedly supposedly apparently possibly maybe perhaps claims claim claimed
    suggests reports report hints hint leaked leak leaks analyst analysts could may might
    would""".split()
)
#: Words that settle a story (confirmation, identification, evidence).
CONFIRMING = frozenset(
    """confirms confirmed confirm confirmation official officially identified reveals
    revealed proves proved proof video footage dna""".split()
)
#: Words that put a story's truth in question or mock it.
DISMISSIVE = frozenset(
    """rubbish fooled punk punked fiction fictional real really actually truth check fact
    hoaxer satirical onion scam conspiracy""".split()
)
_LABEL_PREFIX = re.compile(r"^\s*[\w']+(?:\s[\w']+)?:")
_SPEAKER_PREFIX = re.compile(r"^\s*(?:[\w'.-]+\s){0,4}[\w'.-]+\s?:")
_SAYS_AT_END = re.compile(r"\b(?:says?|said|claims?|reports?)\b\W*$")
_SOURCE_AT_END = re.compile(
    r"(?:[:\u2013\u2014-]{1,2}|\b(?:says?|said|claims?|reports?|according to))\s*"
    r"(?:[\w'.-]+\s){0,3}[\w'.-]+\W*$",
    re.IGNORECASE,
)
_NOT_REAL = re.compile(r"\b(?:not|isn't|wasn't|never)\s+(?:real|true)\b")
_STORY_CALLED_FALSE = re.compile(
    r"\b(?:rumou?r|report|claim|story)s?\b[^.]*\b(?:false|fake|hoax|untrue|denied|debunked|"
    r"rubbish|nonsense|wrong)\b"
)
_SHOUTED = frozenset({"NOT", "NO", "FAKE", "HOAX", "FALSE"})

#: Names of :func:`cue_features`, in order.
CUE_NAMES: tuple[str, ...] = (
    "attributing",
    "modal",
    "negation",
    "debunking",
    "question",
    "label_prefix",
    "shouted_denial",
    "starts_with_no",
    "claim_negated",
    "negation_differs",
    "claim_debunking",
    "quoted",
    "says_at_end",
    "speaker_prefix",
    "source_at_end",
    "uncertain",
    "confirming",
    "dismissive",
    "ends_with_question",
    "not_real",
    "story_called_false",
    "very_short",
)


def cue_features(claim: str, text: str) -> list[float]:
    """Reporting, hedging, negation and debunking cues of a short ``text`` about
    ``claim`` (see :data:`CUE_NAMES`; ``claim`` may be empty)."""
    tokens, claim_tokens = words(text), words(claim)
    low = text.lower()
    negated = sum(t in NEGATION for t in tokens)
    claim_negated = sum(t in NEGATION for t in claim_tokens)
    return [
        float(sum(t in ATTRIBUTING for t in tokens)),
        float(sum(t in MODAL for t in tokens)),
        float(negated),
        float(sum(t in DEBUNKING for t in tokens)),
        float("?" in text),
        float(bool(_LABEL_PREFIX.match(text))),
        float(any(t in _SHOUTED for t in text.split())),
        float(low.lstrip().startswith(("no,", "no ", "nope"))),
        float(claim_negated > 0),
        float((negated > 0) != (claim_negated > 0)),
        float(sum(t in DEBUNKING for t in claim_tokens) > 0),
        float(any(q in text for q in ('"', "\u201c", "'"))),
        float(bool(_SAYS_AT_END.search(low))),
        float(bool(_SPEAKER_PREFIX.match(text))),
        float(bool(_SOURCE_AT_END.search(text))),
        float(sum(t in UNCERTAIN for t in tokens)),
        float(sum(t in CONFIRMING for t in tokens)),
        float(sum(t in DISMISSIVE for t in tokens)),
        float(low.rstrip().endswith("?")),
        float(bool(_NOT_REAL.search(low.replace("\u2019", "'")))),
        float(bool(_STORY_CALLED_FALSE.search(low))),
        float(len(tokens) < 6),
    ]


@dataclass(frozen=True)
class Terms:
    """A TF-IDF vocabulary: ``1 + log(count)`` of each term times its IDF, each row
    scaled to unit length (scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``)."""

    vocabulary: tuple[str, ...]
    idf: FloatArray

    @property
    def index(self) -> dict[str, int]:
        return _index(self.vocabulary)

    def vectors(self, texts: Sequence[str]) -> FloatArray:
        """One row per text, :attr:`vocabulary` columns."""
        index = self.index
        out = np.zeros((len(texts), len(self.vocabulary)), dtype=np.float32)
        for row, text in enumerate(texts):
            for term, count in Counter(_TERM.findall(text.lower())).items():
                column = index.get(term)
                if column is not None:
                    out[row, column] = (1.0 + math.log(count)) * self.idf[column]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.asarray(out / np.where(norms > 0, norms, 1.0), dtype=np.float32)


@lru_cache(maxsize=8)
def _index(vocabulary: tuple[str, ...]) -> dict[str, int]:
    return {term: i for i, term in enumerate(vocabulary)}


@dataclass(frozen=True)
class TextLinearModel:
    """A logistic regression over a short text's terms and cues (module docstring):
    one row of :attr:`coef` per label (a binary model has one row: the second label)."""

    mean: FloatArray
    scale: FloatArray
    coef: FloatArray  # (rows, terms + cues)
    intercept: FloatArray
    labels: tuple[str, ...]
    fitted_on: str
    terms: Terms
    cue_weight: float
    #: Names of the cue columns, in order (:data:`CUE_NAMES` for the stance model).
    features: tuple[str, ...] = CUE_NAMES

    def inputs(self, cues: FloatArray, texts: Sequence[str]) -> FloatArray:
        """The model's input rows for the cue rows ``cues`` of ``texts``."""
        scaled = (np.asarray(cues, dtype=np.float32) - self.mean) / self.scale
        return np.hstack([self.terms.vectors(texts), self.cue_weight * scaled]).astype(np.float32)

    def probabilities(self, cues: FloatArray, texts: Sequence[str]) -> FloatArray:
        """Probabilities over :attr:`labels` for each text."""
        logits = self.inputs(cues, texts) @ self.coef.T + self.intercept
        if logits.shape[1] == 1:
            logits = np.hstack([np.zeros_like(logits), logits])
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float32)

    def arrays(self) -> dict[str, FloatArray]:
        """The arrays to store (:func:`save_weights`)."""
        return {"mean": self.mean, "scale": self.scale, "coef": self.coef,
                "intercept": self.intercept, "idf": self.terms.idf}  # fmt: skip

    def meta(self) -> dict[str, object]:
        """What :meth:`arrays` leaves out."""
        return {"labels": list(self.labels), "fitted_on": self.fitted_on,
                "cue_weight": self.cue_weight, "features": list(self.features),
                "vocabulary": list(self.terms.vocabulary)}  # fmt: skip

    def save(self, directory: Path, stem: str, *, extra: dict[str, object] | None = None) -> None:
        """Write ``STEM.npz`` and ``STEM.json`` to ``directory``."""
        save_weights(directory, stem, self.arrays(), {**self.meta(), **(extra or {})})

    @classmethod
    def from_stored(
        cls, arrays: dict[str, FloatArray], meta: dict[str, Any], features: tuple[str, ...]
    ) -> TextLinearModel:
        """The model of :meth:`arrays` and :meth:`meta`, whose cue columns must be
        ``features``."""
        if tuple(meta["features"]) != features:
            raise ValueError("it was fitted on other cues than this version reads")
        return cls(
            mean=arrays["mean"],
            scale=arrays["scale"],
            coef=arrays["coef"],
            intercept=arrays["intercept"],
            labels=tuple(meta["labels"]),
            fitted_on=str(meta.get("fitted_on", "unknown")),
            terms=Terms(tuple(meta["vocabulary"]), arrays["idf"]),
            cue_weight=float(meta["cue_weight"]),
            features=features,
        )


def load_text_model(
    directory: Path | None, stem: str, what: str, features: tuple[str, ...] = CUE_NAMES
) -> tuple[TextLinearModel, dict[str, Any]]:
    """The :class:`TextLinearModel` stored as ``STEM.npz``/``STEM.json`` in ``directory``
    (cue columns ``features``) and its stored metadata."""
    arrays, meta = load_weights(directory, stem, what)
    try:
        return TextLinearModel.from_stored(arrays, meta, features), meta
    except (KeyError, ValueError, TypeError) as err:
        raise ModelError(f"the {what} is unreadable: {err}") from err


@lru_cache(maxsize=4)
def load_short_model(directory: Path | None = None) -> TextLinearModel:
    """The short-text stance model in ``directory`` (the packaged one by default)."""
    return load_text_model(directory, "short", "short-text stance model")[0]


def short_probabilities(
    claims: Sequence[str], texts: Sequence[str], model: TextLinearModel | None = None
) -> list[dict[str, float]]:
    """Stance probabilities of short ``texts`` toward ``claims`` (no ``unrelated``)."""
    model = model or load_short_model()
    if not claims:
        return []
    cues = np.asarray(
        [cue_features(c, t) for c, t in zip(claims, texts, strict=True)], dtype=np.float32
    )
    return [
        dict(zip(model.labels, row.tolist(), strict=True))
        for row in model.probabilities(cues, texts)
    ]


#: The short-text stance model's class (one linear model reads headlines and reports).
ShortStanceModel = TextLinearModel

__all__ = [
    "ATTRIBUTING",
    "CUE_NAMES",
    "DEBUNKING",
    "MODAL",
    "MODEL_DIR",
    "NEGATION",
    "ShortStanceModel",
    "Terms",
    "TextLinearModel",
    "cue_features",
    "load_short_model",
    "load_text_model",
    "load_weights",
    "save_weights",
    "short_probabilities",
    "words",
]
