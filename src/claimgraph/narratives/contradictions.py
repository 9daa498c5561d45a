"""Contradictions: pairs of claims that cannot both be true.

Three kinds (:data:`KINDS`):

* ``explicit``: one side reports a proposition as true and the other as false (a denial
  against an assertion).  Between two reports with no claim given, each report's
  *polarity* (:func:`denial_probability`: does it report its story as false?) decides:
  the pair contradicts when exactly one of the two denies
  (score ``p_a (1 - p_b) + p_b (1 - p_a)``).  Inside a proposition the claims' stances
  (supports against denies) decide.
* ``conflicting_values``: two accounts of the same event with a different place, number
  or date (:func:`conflicting_values`): "fled towards Chile" against "tried to flee
  to Peru, not Chile"; "42 deaths" against "35 deaths".
* ``self_contradiction``: an explicit contradiction or conflicting values between two
  claims of the same speaker.

The polarity model (weights in ``models/stance/polarity.npz``, fitted by
:mod:`claimgraph.training.polarity` on the train fold of the Emergent headlines, folds by
claim) is a logistic regression over the text's words (TF-IDF) and its short-text
stance cues, refuting words and denial words (:func:`polarity_features`,
:mod:`claimgraph.narratives.cues`).
"""

from __future__ import annotations

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
    TextLinearModel,
    cue_features,
    load_text_model,
    words,
)
from claimgraph.narratives.stance import REFUTING

FloatArray = npt.NDArray[np.float32]

KINDS = ("explicit", "conflicting_values", "self_contradiction")

#: Contradiction probability at which a pair of reports is called a contradiction.
DEFAULT_THRESHOLD = 0.5

#: Words that describe a movement (its place is a destination or a route).
MOVEMENT = frozenset(
    """flee fled flees fleeing escape escaped escapes escaping cross crossed crossing
    travel travelled traveled travelling traveling head headed heading go went going run
    ran drive drove driving fly flew move moved moving enter entered entering border
    smuggle smuggled return returned arrive arrived""".split()
)
_NEGATORS = ("not ", "rather than ", "instead of ", "never ", "nor ")
_NUMBER_NOUN = re.compile(
    r"\b(\d[\d,]*(?:\.\d+)?(?:\s+(?:hundred|thousand|million|billion|trillion))?)\s+"
    r"(?:(?:more|other|additional|extra|of|the)\s+){0,2}([a-z]+)",
    re.IGNORECASE,
)
#: Words after a number that say nothing of what is counted.
_NOT_COUNTED = frozenset(
    """percent per cent times years year months month weeks week days day hours hour
    minutes and or to a in on at by for from than each hundred thousand million billion
    trillion""".split()
)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_WEEKDAY = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.IGNORECASE
)


#: A denial or debunking word (the one-word rule the polarity model starts from).
_DENIAL_WORD = re.compile(
    r"\b(?:not|no|false|fake|hoax|denies|denied|deny|rumou?rs?|myths?|debunk\w*|isn't|"
    r"wasn't|didn't|doesn't|never|untrue|bogus)\b",
    re.IGNORECASE,
)


#: Names of :func:`polarity_features`, in order.
POLARITY_FEATURES: tuple[str, ...] = (*CUE_NAMES, "refuting", "denial_word")


def polarity_features(texts: Sequence[str]) -> FloatArray:
    """The polarity model's cue columns: the short-text stance cues of each text with no
    claim (:func:`~claimgraph.narratives.cues.cue_features`), its refuting words and
    whether it has a denial word (see :data:`POLARITY_FEATURES`)."""
    rows = []
    for text in texts:
        tokens = words(text)
        rows.append(
            [
                *cue_features("", text),
                float(sum(1 for t in tokens if t in REFUTING)),
                float(bool(_DENIAL_WORD.search(text))),
            ]
        )
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), len(POLARITY_FEATURES))


@dataclass(frozen=True)
class PolarityModel:
    """The probability that a text reports its story as false: a logistic regression
    over the text's words and :func:`polarity_features`, and the pair threshold."""

    model: TextLinearModel
    threshold: float

    @property
    def fitted_on(self) -> str:
        return self.model.fitted_on

    def probability(self, texts: Sequence[str]) -> FloatArray:
        """For each text, the probability that it reports its story as false."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        probs = self.model.probabilities(polarity_features(texts), texts)
        return np.asarray(probs[:, self.model.labels.index("denies")], dtype=np.float32)

    def save(self, directory: Path, *, extra: dict[str, object] | None = None) -> None:
        """Write ``polarity.npz`` and ``polarity.json`` to ``directory``."""
        self.model.save(directory, "polarity", extra={"threshold": self.threshold, **(extra or {})})


@lru_cache(maxsize=4)
def load_polarity(directory: Path | None = None) -> PolarityModel:
    """The polarity model in ``directory`` (the packaged one by default)."""
    model, meta = load_text_model(directory, "polarity", "polarity model", POLARITY_FEATURES)
    if "denies" not in model.labels:
        raise ModelError("the polarity model lacks a 'denies' label")
    try:
        threshold = float(meta.get("threshold", DEFAULT_THRESHOLD))
    except (TypeError, ValueError) as err:
        raise ModelError(f"the polarity model's threshold is unreadable: {err}") from err
    return PolarityModel(model, threshold)


def denial_probability(texts: Sequence[str], *, model: PolarityModel | None = None) -> FloatArray:
    """For each text, the probability that it reports its story as false."""
    return (model or load_polarity()).probability(texts)


def pair_contradiction(p_a: float, p_b: float) -> float:
    """Probability that exactly one of two reports denies the story."""
    return p_a * (1.0 - p_b) + p_b * (1.0 - p_a)


# ---------------------------------------------------------------------------
# Conflicting values
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Values:
    """What a claim says of its event: places (asserted and negated), numbers by the
    noun they count, dates, and whether it describes a movement."""

    places: frozenset[str]
    negated_places: frozenset[str]
    numbers: dict[str, frozenset[str]]
    dates: frozenset[str]
    movement: bool


def _places(text: str) -> tuple[set[str], set[str]]:
    from claimgraph.actors.countries import fold_phrase, place_codes

    names = place_codes()
    asserted: set[str] = set()
    negated: set[str] = set()
    tokens = list(re.finditer(r"[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*){0,2}", text))
    for match in tokens:
        phrase = match.group(0)
        parts = phrase.split()
        for n in range(len(parts), 0, -1):  # the longest name first: "South Korea"
            code = names.get(fold_phrase(" ".join(parts[:n])))
            if code:
                before = text[max(0, match.start() - 14) : match.start()].lower()
                (negated if before.endswith(_NEGATORS) else asserted).add(code)
                break
    return asserted - negated, negated


def claim_values(text: str) -> Values:
    """The places, numbers and dates of one claim."""
    asserted, negated = _places(text)
    numbers: dict[str, set[str]] = {}
    for match in _NUMBER_NOUN.finditer(text):
        if _YEAR.fullmatch(match.group(1)):
            continue
        noun = match.group(2).lower()
        if noun in _NOT_COUNTED:
            continue
        noun = noun[:-1] if len(noun) > 4 and noun.endswith("s") else noun
        numbers.setdefault(noun, set()).add(" ".join(match.group(1).replace(",", "").split()))
    dates = {m.group(0).lower() for m in _WEEKDAY.finditer(text)} | set(_YEAR.findall(text))
    return Values(
        places=frozenset(asserted),
        negated_places=frozenset(negated),
        numbers={k: frozenset(v) for k, v in numbers.items()},
        dates=frozenset(dates),
        movement=any(t in MOVEMENT for t in words(text)),
    )


def conflicting_values(a: Values, b: Values) -> str | None:
    """What two accounts of the same event disagree on (``"place"``, ``"number"``,
    ``"date"``), or ``None``."""
    if a.movement and b.movement and not a.places & b.places:
        if a.places & b.negated_places or b.places & a.negated_places:
            return "place"
        if a.places and b.places and not a.places & b.places:
            return "place"
    for noun, values in a.numbers.items():
        other = b.numbers.get(noun)
        if other and not values & other:
            return "number"
    if a.dates and b.dates and not a.dates & b.dates:
        return "date"
    return None


__all__ = [
    "DEFAULT_THRESHOLD",
    "KINDS",
    "POLARITY_FEATURES",
    "PolarityModel",
    "Values",
    "claim_values",
    "conflicting_values",
    "denial_probability",
    "load_polarity",
    "pair_contradiction",
    "polarity_features",
]
