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
from claimgraph.narratives.propositions import content_words
from claimgraph.narratives.stance import REFUTING

FloatArray = npt.NDArray[np.float32]

KINDS = ("explicit", "conflicting_values", "self_contradiction")

#: Contradiction probability at which a pair of reports is called a contradiction.
DEFAULT_THRESHOLD = 0.5
#: Content words two claims need in common to be about one state of affairs (besides
#: the values they conflict on); fewer, and two claims on one topic are read as two
#: things ("$2.5 million on phone banking" against "$6 million attacking Clinton").
MIN_SHARED_WORDS = 3
#: Share of a short claim's content words that stands for :data:`MIN_SHARED_WORDS`.
SHORT_SHARED_SHARE = 0.5
#: Scale words of numbers and what they multiply by; never evidence that two claims count
#: the same thing.
_SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
SCALE_WORDS = frozenset(_SCALES)

#: Words that describe a movement (its place is a destination or a route).
MOVEMENT = frozenset(
    """flee fled flees fleeing escape escaped escapes escaping cross crossed crossing
    travel travelled traveled travelling traveling head headed heading go went going run
    ran drive drove driving fly flew move moved moving enter entered entering border
    smuggle smuggled return returned arrive arrived""".split()
)
#: Words before a place that make it where a movement did not go.
_NEGATED_PLACE = re.compile(
    r"\b(?:not|rather than|instead of|never|nor)\s+(?:(?:to|into)\s+)?(?:the\s+)?$"
)
#: Words before a place that make it where a movement went (its destination). A place
#: of origin ("crossed from Syria") or of an event ("detained in Lebanon") is not
#: compared: accounts of one journey name several.
_DESTINATION = re.compile(r"\b(?:to|into|towards?)\s+(?:the\s+)?$")
_NUMBER_NOUN = re.compile(
    r"(?<![$\u00a3\u20ac\d.,/])\b(\d[\d,]*(?:\.\d+)?(?:\s+(?:hundred|thousand|million|billion|trillion))?)"
    r"\s+(?:(?:more|other|additional|extra|of|the)\s+){0,2}([a-z]+)",
    re.IGNORECASE,
)
#: Words after a number that say nothing of what is counted, and units of measure (a
#: measurement is given in several units and roundings: "39-foot (12 meters)").
_NOT_COUNTED = frozenset(
    """percent per cent times years year months month weeks week days day hours hour
    minutes and or to a in on at by for from than each hundred thousand million billion
    trillion points point feet foot inches inch miles mile meters metres meter metre
    kilometers kilometres km pounds pound lbs kilograms kg tons tonnes degrees acres
    dollars euros pence cents out per""".split()
)
#: Words just before a number that make it a bound or an approximation, not a value:
#: "at least 20" does not conflict with 25.
_APPROXIMATE = re.compile(
    r"\b(?:at least|at most|more than|less than|fewer than|over|under|about|around|"
    r"roughly|nearly|almost|up to|as many as|as few as|as low as|as high as|as much as|"
    r"some|approximately|close to|between|and|to|or|estimated|an estimated|just over|"
    r"just under|upwards of|out of)\s+$",
    re.IGNORECASE,
)
#: Words that make a claim's numbers a forecast or an estimate: estimates of different
#: sources differ without contradicting one another.
_ESTIMATE_WORDS = frozenset(
    """will would could might may forecast forecasts forecasted estimate estimates
    estimated predict predicts predicted projected projects expects expected expect
    likely possibly potential""".split()
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


#: Polarity at which a claim reads as a denial itself ("the report is false").
DENIAL_READING = 0.5


@lru_cache(maxsize=8192)
def reads_as_denial(text: str) -> bool:
    """Whether claim ``text`` itself reports something as false (the polarity model's
    probability reaches :data:`DENIAL_READING`).  A claim that reads as a denial is not
    the assertion side of an explicit contradiction: "the Ebola report is false" against
    an official's denial of the same report is agreement, however their stances read."""
    return bool(denial_probability([text])[0] >= DENIAL_READING)


def pair_contradiction(p_a: float, p_b: float) -> float:
    """Probability that exactly one of two reports denies the story."""
    return p_a * (1.0 - p_b) + p_b * (1.0 - p_a)


# ---------------------------------------------------------------------------
# Conflicting values
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Values:
    """What a claim says of its event: places (the destinations of a movement, the
    places it says were not the destination, and every place it names otherwise),
    numbers by the noun they count, dates, and whether it describes a movement."""

    places: frozenset[str]
    negated_places: frozenset[str]
    numbers: dict[str, frozenset[str]]
    dates: frozenset[str]
    movement: bool
    mentioned: frozenset[str] = frozenset()


def _places(text: str) -> tuple[set[str], set[str], set[str]]:
    from claimgraph.actors.countries import fold_phrase, place_codes

    names = place_codes()
    asserted: set[str] = set()
    negated: set[str] = set()
    mentioned: set[str] = set()
    tokens = list(re.finditer(r"[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*){0,2}", text))
    for match in tokens:
        phrase = match.group(0)
        parts = phrase.split()
        for n in range(len(parts), 0, -1):  # the longest name first: "South Korea"
            code = names.get(fold_phrase(" ".join(parts[:n])))
            if code:
                before = text[max(0, match.start() - 24) : match.start()].lower()
                if _NEGATED_PLACE.search(before):
                    negated.add(code)
                else:
                    mentioned.add(code)
                    if _DESTINATION.search(before):
                        asserted.add(code)
                break
    return asserted - negated, negated, mentioned - negated


@lru_cache(maxsize=8192)
def claim_values(text: str) -> Values:
    """The places, numbers and dates of one claim (cached: a stored claim is compared
    with many new ones; treat the result as read-only)."""
    asserted, negated, mentioned = _places(text)
    numbers: dict[str, set[str]] = {}
    estimate = any(t in _ESTIMATE_WORDS for t in words(text))
    for match in _NUMBER_NOUN.finditer(text) if not estimate else ():
        if _YEAR.fullmatch(match.group(1)):
            continue
        noun = match.group(2).lower()
        if noun in _NOT_COUNTED or _APPROXIMATE.search(
            text[max(0, match.start() - 16) : match.start()]
        ):
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
        mentioned=frozenset(mentioned),
    )


def shared_words(a: str, b: str, skip: frozenset[str] | set[str] = frozenset()) -> frozenset[str]:
    """The content words (stems) claims ``a`` and ``b`` have in common, leaving out
    ``skip`` (the nouns their numbers count) and the scale words of numbers."""
    return (content_set(a) & content_set(b)) - set(skip) - SCALE_WORDS


@lru_cache(maxsize=8192)
def content_set(text: str) -> frozenset[str]:
    """:func:`~claimgraph.narratives.propositions.content_words` of a claim, read once
    per text however many pairs it is compared in."""
    return frozenset(content_words(text))


def same_event(a: str, b: str, skip: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether two claims share enough words to be accounts of one state of affairs:
    :data:`MIN_SHARED_WORDS` besides ``skip``, or (short claims: "the trucks drove to
    Chile") two that make half the content words of the shorter claim."""
    shared = len(shared_words(a, b, skip))
    if shared >= MIN_SHARED_WORDS:
        return True
    shorter = min(len(content_set(a) - set(skip)), len(content_set(b) - set(skip)))
    return shared >= 2 and shared >= SHORT_SHARED_SHARE * shorter


def corrected_place(a: Values, b: Values) -> bool:
    """Whether one claim names a place for a movement where the other says it did *not*
    go ("fled to Peru, not Chile" against "fled towards Chile", or against "Chile opened
    a window for them to cross"): a correction, the strongest conflict of places."""

    def corrects(first: Values, second: Values) -> bool:  # first corrects second
        # "towards the border with Ukraine and Belarus" names the right place too
        return bool(first.negated_places & second.mentioned) and not (
            first.places & second.mentioned
        )

    return corrects(a, b) or corrects(b, a)


def values_conflict(a_text: str, a: Values, b_text: str, b: Values) -> str | None:
    """What two claims (texts and :func:`claim_values`) conflict on as accounts of one
    event (``"place"`` or ``"number"``), or ``None``: :func:`conflicting_values` (dates
    are not compared: one story has many days), about one state of affairs
    (:func:`same_event`), or a correction of a place that the corrected claim asserts
    rather than doubts ("the claim that they fled to Chile is absurd" agrees with "to
    Peru, not Chile")."""
    about = conflicting_values(a, b)
    if about is None or about == "date":
        return None
    if about == "place" and corrected_place(a, b):
        corrected = b_text if a.negated_places & b.mentioned else a_text
        return None if reads_as_denial(corrected) else about
    return about if same_event(a_text, b_text, set(a.numbers) & set(b.numbers)) else None


def _amount(value: str) -> tuple[float, float] | None:
    """A number's value and the unit it is given to: "15 million" is 15e6 to the
    million, "15.4 million" 15.4e6 to 1e5, "300" 300 to the hundred, "139" to one."""
    parts = value.split()
    try:
        number = float(parts[0])
    except ValueError:
        return None
    scale = _SCALES.get(parts[1].lower(), 1.0) if len(parts) > 1 else 1.0
    digits = parts[0]
    if "." in digits:
        unit = 10.0 ** -len(digits.split(".")[1])
    else:
        unit = 10.0 ** (len(digits) - len(digits.rstrip("0"))) if digits.strip("0") else 1.0
    return number * scale, unit * scale


def _rounded(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether some value of ``a`` and one of ``b`` are one value, one of them rounded to
    the unit it is given to ("15 million" and "15.4 million"; "200" and "219")."""
    for x in a:
        for y in b:
            u, v = _amount(x), _amount(y)
            if u is None or v is None:
                continue
            (first, first_unit), (second, second_unit) = u, v
            if round(second / first_unit) * first_unit == first or (
                round(first / second_unit) * second_unit == second
            ):
                return True
    return False


def conflicting_values(a: Values, b: Values) -> str | None:
    """What two accounts of the same event disagree on (``"place"``, ``"number"``,
    ``"date"``), or ``None``."""
    if a.movement and b.movement and not a.places & b.places:
        if corrected_place(a, b):
            return "place"
        if a.places and b.places and not a.places & b.places:
            return "place"
    for noun, values in a.numbers.items():
        other = b.numbers.get(noun)
        if other and not values & other and not _rounded(values, other):
            return "number"
    if a.dates and b.dates and not a.dates & b.dates:
        return "date"
    return None


__all__ = [
    "DEFAULT_THRESHOLD",
    "DENIAL_READING",
    "KINDS",
    "MIN_SHARED_WORDS",
    "POLARITY_FEATURES",
    "SCALE_WORDS",
    "PolarityModel",
    "Values",
    "claim_values",
    "conflicting_values",
    "content_set",
    "corrected_place",
    "denial_probability",
    "load_polarity",
    "pair_contradiction",
    "polarity_features",
    "reads_as_denial",
    "same_event",
    "shared_words",
    "values_conflict",
]
