"""How certain does the text present an event or a claim?  One reading for both.

:func:`read` gives a span of a parsed text its :class:`CertaintyReading`:

* ``hedged``: a claim hedge governs it (:func:`find_hedges`: by default the claim-hedge
  model of :mod:`claimgraph.evidence.hedge_model`, else the rules of
  :func:`claimgraph.evidence.hedges.claim_hedges`: "may", "appears", "reportedly", "I
  think", "almost certainly" ...);
* ``irrealis``: no hedge, but a small logistic-regression model finds it not presented as
  a fact: future, intended, conditional, able or permitted ("plans to cut", "can fly",
  "allowed to bid"); see :mod:`claimgraph.evidence.certainty_features`;
* ``certain``: neither.

The evidence stage marks a claim ``hedged`` exactly when its reading is ``hedged``.
``claimgraph eval hedging`` scores the same reading against MEANTIME, whose
``uncertain`` (possible, probable, future or underspecified) is ``hedged`` or ``irrealis``.
The model sees the hedge cues as features and its threshold was chosen for that union.

The weights live as JSON in ``claimgraph/models/hedging/`` (see its ``MODEL_CARD.md``);
:mod:`claimgraph.training.hedging` refits them.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from claimgraph.evidence.certainty_features import event_features
from claimgraph.evidence.hedge_model import ClaimHedgeModel, learned_hedges, load_hedge_model
from claimgraph.evidence.hedges import claim_hedges, iter_hedge_cues, sentences_in
from claimgraph.evidence.linear import SparseLogistic
from claimgraph.resources import HEDGING_MODEL_DIR

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from claimgraph.config import Config
    from claimgraph.model import Span

#: What finds a claim's hedges: the claim-hedge model, or ``"rules"``.
HedgeReader = ClaimHedgeModel | Literal["rules"]

#: Name and version of the certainty model; bump when features or weights change.
MODEL_NAME = "claimgraph.hedging.logreg.v3"


def event_token(doc: Doc, start_char: int, end_char: int) -> Token | None:
    """The syntactic head of the tokens covering ``[start_char, end_char)``."""
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span.root


@dataclass(frozen=True)
class CertaintyModel(SparseLogistic):
    """A linear model over :func:`event_features`: ``P(uncertain) = sigmoid(w·x)``;
    stored as ``models/hedging/weights.json``."""

    #: The fold of the MEANTIME DEV data the weights were fitted on (``train``/``all``),
    #: or ``unknown`` when the weights carry no training record.
    fitted_on: str = "unknown"

    KIND: ClassVar[str] = "hedging"
    TRAINING: ClassVar[str] = "claimgraph.training.hedging"

    @classmethod
    def _fields(cls, data: dict[str, Any]) -> dict[str, Any]:
        fields = super()._fields(data)
        fields["fitted_on"] = str((data.get("training") or {}).get("fold", "unknown"))
        return fields


@functools.lru_cache(maxsize=4)
def load_model(path: str | None = None) -> CertaintyModel:
    """The certainty model at ``path``, or the packaged one (each loaded once).

    Raises :class:`ModelError` when it is missing or malformed.
    """
    return CertaintyModel.load(HEDGING_MODEL_DIR / "weights.json" if path is None else Path(path))


@dataclass(frozen=True)
class CertaintyReading:
    """The certainty of one span: its claim hedges and the model's irrealis probability."""

    hedges: list[Span]
    probability: float
    threshold: float

    @property
    def label(self) -> str:
        """``hedged``, ``irrealis`` or ``certain`` (a hedge wins over the model)."""
        if self.hedges:
            return "hedged"
        return "irrealis" if self.probability >= self.threshold else "certain"

    @property
    def uncertain(self) -> bool:
        """Not presented as a fact (MEANTIME's ``uncertain``): hedged or irrealis."""
        return self.label != "certain"


def reading_features(doc: Doc, start_char: int, end_char: int,
                     hedges: list[Span]) -> dict[str, float]:
    """The model's features of a span: :func:`event_features` of its head, whether a
    claim hedge governs it, and the kinds of hedge cue whose scope covers it (before
    the claim filter: conditionals, "would", third parties' beliefs count here)."""
    token = event_token(doc, start_char, end_char)
    feats = event_features(token) if token is not None else {"bias": 1.0}
    if hedges:
        feats["claim_hedge"] = 1.0
    for sent in sentences_in(doc, start_char, end_char):
        for cue in iter_hedge_cues(sent):
            if cue.scope_start < end_char and start_char < cue.scope_end:
                feats[f"cue_kind={cue.kind}"] = 1.0
    return feats


def hedge_reader(config: Config | None = None) -> HedgeReader:
    """What finds claim hedges under ``config`` (``[hedging] claim_hedges``): the
    claim-hedge model (its weights from ``claim_hedge_weights`` or the package, its
    threshold from ``claim_hedge_threshold`` or its own), or ``"rules"``.  Raises
    :class:`ModelError` when the model cannot be loaded."""
    if config is not None and config.hedging.claim_hedges == "rules":
        return "rules"
    weights = config.hedging.claim_hedge_weights if config is not None else None
    model = load_hedge_model(weights) if weights else load_hedge_model()
    threshold = config.hedging.claim_hedge_threshold if config is not None else None
    return model if threshold is None else dataclasses.replace(model, threshold=threshold)


def find_hedges(
    doc: Doc, start_char: int, end_char: int, *, text: str | None = None,
    cue: tuple[int, int] | None = None, sentence: tuple[int, int] | None = None,
    hedges_by: HedgeReader | None = None,
) -> list[Span]:
    """The hedges of the claim (or event) at ``[start_char, end_char)``: found by
    ``hedges_by`` (default: the packaged claim-hedge model); arguments as :func:`read`."""
    if hedges_by == "rules":
        return claim_hedges(doc, start_char, end_char, text=text, cue=cue, sentence=sentence)
    return learned_hedges(doc, start_char, end_char, text=text, cue=cue, sentence=sentence,
                          model=hedges_by)


def read(
    doc: Doc, start_char: int, end_char: int, *, text: str | None = None,
    cue: tuple[int, int] | None = None, sentence: tuple[int, int] | None = None,
    model: CertaintyModel | None = None, hedges_by: HedgeReader | None = None,
) -> CertaintyReading:
    """The certainty reading of ``doc.text[start_char:end_char]`` (an event or a claim).

    ``cue``: the claim is the content of a statement whose cue spans it (hedging words
    there count); ``sentence`` keeps only hedges inside that range; ``hedges_by``: what
    finds the hedges (:func:`find_hedges`).  Pass ``text`` (``doc.text``) when calling
    often.
    """
    model = model or load_model()
    hedges = find_hedges(doc, start_char, end_char, text=text, cue=cue, sentence=sentence,
                         hedges_by=hedges_by)
    prob = model.probability(reading_features(doc, start_char, end_char, hedges))
    return CertaintyReading(hedges=hedges, probability=prob, threshold=model.threshold)


def uncertainty(doc: Doc, start_char: int, end_char: int,
                *, model: CertaintyModel | None = None) -> float:
    """The model's probability that the span at ``[start_char, end_char)`` is irrealis
    (not presented as a fact); see :func:`read` for the whole reading."""
    return read(doc, start_char, end_char, model=model).probability


def is_uncertain(doc: Doc, start_char: int, end_char: int,
                 *, model: CertaintyModel | None = None) -> bool:
    """Whether the event at ``[start_char, end_char)`` is not presented as certain
    (hedged, or possible, probable, future/intended or underspecified)."""
    return read(doc, start_char, end_char, model=model).uncertain


__all__ = [
    "MODEL_NAME",
    "CertaintyModel",
    "CertaintyReading",
    "HedgeReader",
    "event_token",
    "find_hedges",
    "hedge_reader",
    "is_uncertain",
    "load_model",
    "read",
    "reading_features",
    "uncertainty",
]
