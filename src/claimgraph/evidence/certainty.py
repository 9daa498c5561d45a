"""The event-certainty model: is an event mention presented as certain?

:func:`is_uncertain` / :func:`uncertainty` score one event mention with a small
logistic-regression model over scope features (the event's clause chain up to the root:
modal auxiliaries, infinitival and conditional clauses, the class of the word that governs
each clause, hedging adverbs, questions; see :mod:`claimgraph.evidence.certainty_features`).
It follows MEANTIME's notion of certainty, where future, intended and possible events are
not ``certain``.  The analysis does not run it (the evidence stage's ``hedged`` status
comes from the hedge cues of :mod:`claimgraph.evidence.hedges`); it is scored by
``claimgraph eval hedging --method model`` and is there for library users.

The weights live as JSON in ``claimgraph/models/hedging/`` (see its ``MODEL_CARD.md``);
:mod:`claimgraph.training.hedging` refits them.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimgraph.errors import ModelError
from claimgraph.evidence.certainty_features import event_features
from claimgraph.resources import HEDGING_MODEL_DIR

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

#: Name and version of the certainty model; bump when features or weights change.
MODEL_NAME = "claimgraph.hedging.logreg.v2"


def event_token(doc: Doc, start_char: int, end_char: int) -> Token | None:
    """The syntactic head of the tokens covering ``[start_char, end_char)``."""
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span.root


@dataclass(frozen=True)
class CertaintyModel:
    """A linear model over :func:`event_features`: ``P(uncertain) = sigmoid(w·x)``."""

    name: str
    weights: dict[str, float]
    threshold: float
    #: The fold of the MEANTIME DEV data the weights were fitted on (``train``/``all``),
    #: or ``unknown`` when the weights carry no training record.
    fitted_on: str = "unknown"

    def probability(self, feats: dict[str, float]) -> float:
        """The probability that the event is not presented as certain."""
        score = sum(self.weights.get(k, 0.0) * v for k, v in feats.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))

    def to_json(self) -> dict[str, Any]:
        """The JSON form stored in ``models/hedging/weights.json``."""
        return {
            "name": self.name,
            "threshold": self.threshold,
            "weights": {k: round(v, 6) for k, v in sorted(self.weights.items()) if v},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CertaintyModel:
        """Build from :meth:`to_json` output; raises :class:`ModelError` when malformed."""
        try:
            return cls(
                name=str(data["name"]),
                weights={str(k): float(v) for k, v in data["weights"].items()},
                threshold=float(data["threshold"]),
                fitted_on=str((data.get("training") or {}).get("fold", "unknown")),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise ModelError(f"malformed hedging model: {err!r}") from err


@functools.lru_cache(maxsize=4)
def load_model(path: str | None = None) -> CertaintyModel:
    """The certainty model at ``path``, or the packaged one (each loaded once).

    Raises :class:`ModelError` when it is missing or malformed.
    """
    try:
        if path is None:
            text = (HEDGING_MODEL_DIR / "weights.json").read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, json.JSONDecodeError) as err:
        raise ModelError(
            f"cannot load the hedging model: {err}; retrain it with "
            "`python -m claimgraph.training.hedging`"
        ) from err
    if not isinstance(data, dict):
        raise ModelError("malformed hedging model: not a JSON object")
    return CertaintyModel.from_json(data)


def uncertainty(doc: Doc, start_char: int, end_char: int,
                *, model: CertaintyModel | None = None) -> float:
    """The probability that the event at ``[start_char, end_char)`` is not certain."""
    token = event_token(doc, start_char, end_char)
    if token is None:
        return 0.0
    return (model or load_model()).probability(event_features(token))


def is_uncertain(doc: Doc, start_char: int, end_char: int,
                 *, model: CertaintyModel | None = None) -> bool:
    """Whether the event at ``[start_char, end_char)`` is presented as uncertain
    (possible, probable, future/intended or underspecified) by the text."""
    model = model or load_model()
    return uncertainty(doc, start_char, end_char, model=model) >= model.threshold


def features_for(doc: Doc, spans: Iterable[tuple[int, int]]) -> list[dict[str, float]]:
    """:func:`event_features` for each character span (empty features when unaligned)."""
    out: list[dict[str, float]] = []
    for start, end in spans:
        token = event_token(doc, start, end)
        out.append(event_features(token) if token is not None else {"bias": 1.0})
    return out


__all__ = [
    "MODEL_NAME",
    "CertaintyModel",
    "event_token",
    "features_for",
    "is_uncertain",
    "load_model",
    "uncertainty",
]
