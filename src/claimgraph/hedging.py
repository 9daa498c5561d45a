"""Hedging: hedge cues, their syntactic scope, and a trained event-certainty model.

Two public views of the same parse:

* :func:`hedge_cues` finds the *epistemic* hedges ("allegedly", "may have", "appears",
  "reportedly", "possibly", ...) whose syntactic scope covers a stretch of text.  The
  evidence stage uses it to mark claims ``hedged`` and to keep the cue spans.
* :func:`event_features` / :func:`is_uncertain` / :func:`uncertainty` score one event
  mention with a small logistic-regression model over scope features (the event's clause
  chain up to the root: modal auxiliaries, infinitival and conditional clauses, the class
  of the word that governs each clause, hedging adverbs, questions; see
  :mod:`claimgraph.hedging_features`).  It follows MEANTIME's notion of
  certainty, where future, intended and possible events are not ``certain``.

The weights live as JSON in ``claimgraph/models/hedging/`` (see its ``MODEL_CARD.md``);
:mod:`claimgraph.hedging_train` refits them.  Reported speech is not by itself a hedge.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ModelError
from .hedging_features import event_features
from .model import Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as DocSpan

logger = logging.getLogger(__name__)

#: Name and version of the certainty model; bump when features or weights change.
MODEL_NAME = "claimgraph.hedging.logreg.v2"

# ---------------------------------------------------------------------------
# Lexicons (general English hedging vocabulary, never article wording)
# ---------------------------------------------------------------------------

#: Modal auxiliaries, by the kind of uncertainty they express.
MODALS: dict[str, str] = {
    "may": "possible", "might": "possible", "could": "possible", "can": "possible",
    "ca": "possible", "would": "conditional", "should": "probable", "must": "probable",
    "will": "future", "wo": "future", "shall": "future", "'ll": "future", "'d": "conditional",
}
#: Epistemic modals that make a claim ``hedged`` (``will``/``can`` do not).
EPISTEMIC_MODALS = frozenset({"may", "might", "could", "would", "should", "must"})

#: Hedging adverbs and adjectives ("reportedly", "likely").
HEDGE_ADVERBS = frozenset({
    "allegedly", "reportedly", "possibly", "probably", "perhaps", "maybe", "apparently",
    "seemingly", "supposedly", "purportedly", "presumably", "likely", "unlikely",
    "potentially", "arguably", "ostensibly", "conceivably", "plausibly", "reputedly",
    "evidently", "roughly", "approximately", "almost", "nearly", "about", "around",
})
#: Adverbs that hedge a *claim* (a subset: approximators hedge numbers, not claims).
CLAIM_HEDGE_ADVERBS = HEDGE_ADVERBS - {"roughly", "approximately", "almost", "nearly", "about",
                                       "around", "evidently"}
#: Adjectives that hedge the proposition they govern ("it is likely that ...").
HEDGE_ADJECTIVES = frozenset({
    "likely", "unlikely", "possible", "probable", "alleged", "suspected", "apparent",
    "presumed", "purported", "supposed", "uncertain", "unclear", "unconfirmed", "rumored",
    "rumoured", "potential", "conceivable", "doubtful",
})
#: Verbs that put their complement in doubt ("appears to", "seems", "suggests").
HEDGE_VERBS = frozenset({
    "appear", "appears", "appeared", "appearing", "seem", "seems", "seemed", "seeming",
    "suggest", "suggests", "suggested", "suggesting", "indicate", "indicates", "indicated",
    "suspect", "suspects", "suspected", "believe", "believes", "believed", "think", "thinks",
    "thought", "speculate", "speculates", "speculated", "guess", "assume", "assumed",
    "presume", "presumed", "allege", "alleges", "alleged", "rumor", "rumored", "rumoured",
    "doubt", "doubts", "doubted", "estimate", "estimates", "estimated", "tend", "tends",
})
#: Subordinators that make a clause conditional or open.
CONDITIONAL_MARKS = frozenset({"if", "unless", "whether", "lest", "provided", "suppose",
                               "supposing", "assuming"})
#: Reporting constructions that distance the writer ("is said to", "is believed to").
PASSIVE_REPORTING = frozenset({"said", "reported", "believed", "thought", "rumored",
                               "rumoured", "alleged", "claimed", "understood", "expected",
                               "considered", "suspected", "feared"})


# ---------------------------------------------------------------------------
# Hedge cues with scope (used by the evidence stage)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HedgeCue:
    """One hedge cue: its character span, its kind and the token range it governs."""

    start: int
    end: int
    text: str
    kind: str  # "modal" | "adverb" | "adjective" | "verb" | "conditional" | "reporting"
    scope_start: int
    scope_end: int

    def span(self, text: str) -> Span:
        """The cue as a model :class:`~claimgraph.model.Span` of ``text``."""
        return Span.of(text, self.start, self.end)


def _subtree_chars(token: Token) -> tuple[int, int]:
    """The clause of ``token``: its subtree without coordinated clauses ("X may A, and B")."""
    kept = [c for c in token.children
            if not (c.dep_ in ("conj", "cc", "punct") and c.i > token.i)]
    left = min([token.i, *(t.left_edge.i for t in kept)])
    right = max([token.i, *(t.right_edge.i for t in kept)])
    doc = token.doc
    return doc[left].idx, doc[right].idx + len(doc[right].text)


def _cue(token: Token, kind: str, scope_root: Token) -> HedgeCue:
    start, end = _subtree_chars(scope_root)
    return HedgeCue(token.idx, token.idx + len(token.text), token.text, kind, start, end)


def _is_passive_reporting(token: Token) -> bool:
    """``X is said to ...``, ``it is believed that ...``, ``it was reported that``."""
    if token.lower_ not in PASSIVE_REPORTING:
        return False
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children) and any(
        c.dep_ in ("xcomp", "ccomp") for c in token.children
    )


def iter_hedge_cues(sent: DocSpan | Doc) -> Iterator[HedgeCue]:
    """Every epistemic hedge cue in ``sent`` with the stretch of text it governs.

    Scope: a modal or hedging adverb governs the clause of the word it attaches to; a
    hedging verb or adjective ("appears", "likely") governs its complement; a
    conditional "if" governs its clause; a passive reporting verb ("is said to")
    governs its complement.
    """
    for token in sent:
        low = token.lower_
        head = token.head
        if token.dep_ in ("aux", "auxpass") and low in EPISTEMIC_MODALS:
            yield _cue(token, "modal", head)
        elif low in CLAIM_HEDGE_ADVERBS and token.pos_ in ("ADV", "ADJ") and token.dep_ in (
            "advmod", "npadvmod", "acomp", "amod"
        ):
            if token.dep_ == "amod":
                yield _cue(token, "adjective", head)
            elif token.dep_ == "acomp":
                yield _cue(token, "adjective", head)
            else:
                yield _cue(token, "adverb", head)
        elif low in HEDGE_ADJECTIVES and token.dep_ in ("amod", "acomp", "attr"):
            yield _cue(token, "adjective", head)
        elif low in HEDGE_VERBS and token.pos_ in ("VERB", "AUX") and _hedge_verb_scope(token):
            comp = _hedge_verb_scope(token)
            if comp is not None:
                start, end = _subtree_chars(comp)
                yield HedgeCue(token.idx, token.idx + len(token.text), token.text, "verb",
                               start, end)
        elif low in CONDITIONAL_MARKS and token.dep_ == "mark":
            yield _cue(token, "conditional", head)
        elif _is_passive_reporting(token):
            comp = next(c for c in token.children if c.dep_ in ("xcomp", "ccomp"))
            start, end = _subtree_chars(comp)
            yield HedgeCue(token.idx, token.idx + len(token.text), token.text, "reporting",
                           start, end)


def _hedge_verb_scope(token: Token) -> Token | None:
    """The complement a hedging verb governs (xcomp/ccomp/acomp/attr), else ``None``."""
    for child in token.children:
        if child.dep_ in ("xcomp", "ccomp", "acomp", "attr", "oprd"):
            return child
    return None


def hedge_cues(
    doc: Doc, start_char: int, end_char: int, *, text: str | None = None
) -> list[Span]:
    """The epistemic hedge cues whose scope overlaps ``doc.text[start_char:end_char]``.

    Looks at every sentence the range touches; a cue counts when the text it governs
    overlaps the range (so a hedge on the main verb of a claim, or "appears to" above
    it, is found, but a modal in an unrelated clause is not).  Returns model
    :class:`~claimgraph.model.Span` objects into ``doc.text``, sorted and unique.
    Pass ``text`` (equal to ``doc.text``) when calling often: ``Doc.text`` rebuilds the
    whole string on every access.
    """
    found: dict[tuple[int, int], Span] = {}
    for sent in _sents_in(doc, start_char, end_char):
        for cue in iter_hedge_cues(sent):
            scope_start = max(cue.scope_start, sent.start_char)
            scope_end = min(cue.scope_end, sent.end_char)
            if not sent.start_char <= cue.start < sent.end_char:
                continue
            if scope_start < end_char and start_char < scope_end:
                if text is None:
                    text = doc.text
                found[(cue.start, cue.end)] = cue.span(text)
    return [found[k] for k in sorted(found)]


_SCOPES_KEY = "claimgraph.hedging.scopes"


def line_sentences(doc: Doc) -> list[DocSpan]:
    """The doc's sentences, also cut at line breaks (a missing full stop must not glue a
    paragraph to the next, and paragraphs never share a hedge's scope).

    Computed once per ``Doc`` and cached on it: treat the list as read-only.
    """
    cached: list[DocSpan] | None = doc.user_data.get(_SCOPES_KEY)
    if cached is not None:
        return cached
    out: list[DocSpan] = []
    for sent in doc.sents:
        start = sent.start
        for token in sent:
            if token.is_space and "\n" in token.text:
                if token.i > start:
                    out.append(doc[start : token.i])
                start = token.i + 1
        if start < sent.end:
            out.append(doc[start : sent.end])
    doc.user_data[_SCOPES_KEY] = out
    return out


def _sents_in(doc: Doc, start_char: int, end_char: int) -> list[DocSpan]:
    """Sentences touching the range, cut at line breaks (paragraphs never share a scope)."""
    return [s for s in line_sentences(doc) if s.start_char < end_char and start_char < s.end_char]


# ---------------------------------------------------------------------------
# Event features and the certainty model
# ---------------------------------------------------------------------------


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
    #: The fold of the MEANTIME DEV data the weights were fitted on (``train``/``all``).
    fitted_on: str = "train"

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
                fitted_on=str((data.get("training") or {}).get("fold", "train")),
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
            ref = resources.files("claimgraph") / "models" / "hedging" / "weights.json"
            text = ref.read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, json.JSONDecodeError) as err:
        raise ModelError(
            f"cannot load the hedging model: {err}; retrain it with "
            "`python -m claimgraph.hedging_train`"
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
    "HedgeCue",
    "event_features",
    "event_token",
    "features_for",
    "hedge_cues",
    "is_uncertain",
    "iter_hedge_cues",
    "line_sentences",
    "load_model",
    "uncertainty",
]
