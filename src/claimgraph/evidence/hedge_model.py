"""Claim hedges read by a learned model: which words of doubt put a claim in doubt.

:func:`learned_hedges` is the default way the certainty reading
(:func:`claimgraph.evidence.certainty.read`) finds a claim's hedges.  Every word of the
hedging vocabulary (:mod:`claimgraph.evidence.hedge_words`: modals, hedging adverbs and
adjectives, verbs of seeming and belief, words of certainty, nouns of indication, idioms
of uncertainty) in the sentences of the claim and of its statement's cue is a
candidate; a logistic regression over the candidate's word, its place (inside the
claim, in the cue, elsewhere in the sentence), its syntax (dependency, head, subject,
negation, a perfect "may have", a question, the clause it sits in) and the scope the
hedge-cue scanner (:func:`claimgraph.evidence.hedges.iter_hedge_cues`) gives it, says
whether it hedges the claim.  The claim is hedged when one candidate reaches the
threshold.  The hand-written filter :func:`claimgraph.evidence.hedges.claim_hedges`
stays available (``[hedging] claim_hedges = "rules"``).

The weights are fitted on the hand-labelled claim sets under ``benchmarks/data`` by
:mod:`claimgraph.training.claim_hedges` (threshold and regularisation chosen by
cross-validation grouped by article); they live in ``models/hedging/claim_hedges.json``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from claimgraph.evidence import hedge_words as words
from claimgraph.evidence.hedges import (
    HedgeCue,
    _believer_above,
    _circumstance,
    _comparative,
    _cue_word_hedges,
    _impersonal_subject,
    _infinitive,
    _insisting,
    _negated_certainty,
    _open_clause,
    _open_degree,
    _poll_term,
    _proposes,
    _survey_speaker,
    _weakened,
    _wh_clause,
    in_question,
    iter_hedge_cues,
    sentences_in,
)
from claimgraph.evidence.linear import SparseLogistic
from claimgraph.model import Span
from claimgraph.nlp.token_strings import token_lowers
from claimgraph.resources import HEDGING_MODEL_DIR

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

#: Name and version of the claim-hedge model; bump when features or weights change.
MODEL_NAME = "claimgraph.claim_hedges.logreg.v2"

#: Words that can hedge a claim (every list of the hedging vocabulary); idioms of
#: uncertainty are candidates where the cue scanner finds them.
CANDIDATE_WORDS = frozenset(
    words.EPISTEMIC_MODALS | words.HEDGE_ADVERBS | words.HEDGE_ADJECTIVES | words.HEDGE_VERBS
    | words.CERTAINTY_WORDS | words.LOOK_VERBS | words.INDICATION_NOUNS | words.BELIEF_VERBS
    | words.EPISTEMIC_CUES | words.INDICATION_VERBS | words.PASSIVE_REPORTING
    | words.BELIEF_NOUNS
    | {"hinted", "hint", "hints", "implying", "implies", "implied", "guess", "suppose",
       "hope", "hopes", "fear", "fears", "whether", "wonder"}
)

_MARKS = frozenset({"if", "whether", "when", "because", "that", "unless", "as"})
_CLAUSES = frozenset({"advcl", "relcl", "ccomp", "xcomp", "acl"})
#: Dependencies of a word that qualifies the word it hangs on (a modal, an adverb).
_ON_HEAD = frozenset({"aux", "auxpass", "advmod", "neg"})


@dataclass(frozen=True)
class ClaimHedgeModel(SparseLogistic):
    """A linear model over :func:`candidate_features`: ``P(hedges) = sigmoid(w·x)``;
    stored as ``models/hedging/claim_hedges.json``."""

    KIND: ClassVar[str] = "claim-hedge"
    TRAINING: ClassVar[str] = "claimgraph.training.claim_hedges"


@functools.lru_cache(maxsize=4)
def load_hedge_model(path: str | None = None) -> ClaimHedgeModel:
    """The claim-hedge model at ``path``, or the packaged one (each loaded once).

    Raises :class:`ModelError` when it is missing or malformed.
    """
    return ClaimHedgeModel.load(
        HEDGING_MODEL_DIR / "claim_hedges.json" if path is None else Path(path))


@dataclass(frozen=True)
class Candidate:
    """A word that may hedge a claim: its token, the span to report and the scanner's cue
    (kind and scope) where it found one there."""

    token: Token
    span: tuple[int, int]
    cue: tuple[str, int, int] | None


def candidates(doc: Doc, start_char: int, end_char: int, *,
               cue: tuple[int, int] | None = None,
               sentence: tuple[int, int] | None = None) -> list[Candidate]:
    """The candidate hedges of the claim at ``[start_char, end_char)``: the hedging words
    of the sentences it (and its statement's ``cue``) touches, in order; ``sentence``
    keeps only those inside that range."""
    lo, hi = start_char, end_char
    if cue is not None:
        lo, hi = min(lo, cue[0]), max(hi, cue[1])
    lowers = token_lowers(doc)
    found: dict[int, Candidate] = {}
    for sent in sentences_in(doc, lo, hi):
        scanned: dict[int, HedgeCue] = {}
        for scanned_cue in iter_hedge_cues(sent):
            span = doc.char_span(scanned_cue.start, scanned_cue.end, alignment_mode="expand")
            if span is not None:
                scanned[span[0].i] = scanned_cue
        for i in range(sent.start, sent.end):
            hedge = scanned.get(i)
            if hedge is None and lowers[i] not in CANDIDATE_WORDS:
                continue
            token = doc[i]
            if sentence is not None and not sentence[0] <= token.idx < sentence[1]:
                continue
            if hedge is not None:
                found[i] = Candidate(token, (hedge.start, hedge.end),
                                     (hedge.kind, hedge.scope_start, hedge.scope_end))
            else:
                found[i] = Candidate(token, (token.idx, token.idx + len(token.text)), None)
    return [found[i] for i in sorted(found)]


def _subject(token: Token) -> Token | None:
    return next((c for c in token.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None)


def _person(token: Token | None) -> str:
    if token is None:
        return "none"
    low = token.lower_
    if low in ("i", "we"):
        return "1"
    if low == "you":
        return "2"
    if low in ("he", "she", "they"):
        return "3p"
    if low in ("it", "this", "that", "there"):
        return "it"
    return "noun"


def candidate_features(doc: Doc, candidate: Candidate, start_char: int, end_char: int,
                       cue: tuple[int, int] | None = None) -> dict[str, float]:
    """The model's features of one candidate hedge of the claim at ``[start_char,
    end_char)`` (``cue``: its statement's cue)."""
    t = candidate.token
    w, head = t.lower_, t.head
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    root = span.root if span is not None and len(span) else None
    if start_char <= t.idx < end_char:
        loc = "claim"
    elif cue is not None and cue[0] <= t.idx < cue[1]:
        loc = "cue"
    elif (root is not None and t.dep_ in _ON_HEAD
          and head.left_edge.i <= root.i <= head.right_edge.i):
        # On the word that governs the claim: a one-word event ("could" on "push", or
        # "might" on "prevent" for "recession").
        loc = "claim"
    else:
        loc = "out"
    subj = _person(_subject(head) if t.dep_ in ("aux", "auxpass", "advmod") else _subject(t))
    nxt = doc[t.i + 1].lower_ if t.i + 1 < len(doc) else "<e>"
    f: dict[str, float] = {
        "bias": 1.0, f"w={w}": 1.0, f"pos={t.pos_}": 1.0, f"dep={t.dep_}": 1.0,
        f"w_dep={w}|{t.dep_}": 1.0, f"loc={loc}": 1.0, f"w_loc={w}|{loc}": 1.0,
        f"hpos={head.pos_}": 1.0, f"htag={head.tag_}": 1.0, f"hdep={head.dep_}": 1.0,
        f"subj={subj}": 1.0, f"w_subj={w}|{subj}": 1.0, f"next={nxt}": 1.0,
    }
    if candidate.cue is not None:
        kind, scope_start, scope_end = candidate.cue
        f[f"kind={kind}"] = 1.0
        covered = max(0, min(scope_end, end_char) - max(scope_start, start_char))
        f["scope_cov"] = covered / max(1, end_char - start_char)
        f["scope_any"] = float(covered > 0)
    else:
        f["nokind"] = 1.0
    if t.dep_ in ("aux", "auxpass"):
        later = [c.lower_ for c in head.children if c.dep_ in ("aux", "auxpass") and c.i > t.i]
        negated = any(c.dep_ == "neg" for c in head.children)
        f["perfect"] = float("have" in later)
        f["neg"] = float(negated)
        f[f"w_neg={w}"] = float(negated)
        f["hlemma_be"] = float(head.lemma_ == "be" or head.lower_ in ("be", "been"))
    f["in_q"] = float(in_question(t))
    f["q_mark"] = float(t.sent.text.rstrip().endswith("?"))
    marks: set[str] = set()
    for above in t.ancestors:
        marks.update(c.lower_ for c in above.children if c.dep_ == "mark")
        if above.dep_ in _CLAUSES:
            f[f"anc={above.dep_}"] = 1.0
    for mark in marks & _MARKS:
        f[f"mark={mark}"] = 1.0
    for child in t.children:
        if child.dep_ in ("advmod", "neg"):
            f[f"child={child.lower_}"] = 1.0
    f.update(syntactic_tests(t, start_char, end_char, loc == "cue"))
    return f


def syntactic_tests(token: Token, start_char: int, end_char: int, in_cue: bool
                    ) -> dict[str, float]:
    """The hedge scanner's syntactic tests of a candidate, as features (``h_`` + name,
    present when true): a modal in an open "whether/if" clause, in a circumstance ("a
    week when voters could"), in a comparison; a question word above it; a degree that
    asks ("how likely"); a poll's term ("likely voters"); an infinitive; "suggest"
    proposing; an indication verb with an impersonal subject; a passive; an insisting
    belief ("I do think"); a believer above the claim; a surveyed speaker; a weakened or
    denied word of certainty; a hedging word of a statement's cue."""
    w, head = token.lower_, token.head
    tests: dict[str, bool] = {}
    if token.dep_ in ("aux", "auxpass"):
        tests["open_clause"] = _open_clause(token)
        tests["circumstance"] = _circumstance(token)
        tests["comparative"] = _comparative(token)
    tests["wh_head"] = _wh_clause(head)
    tests["wh_self"] = _wh_clause(token)
    tests["open_degree"] = _open_degree(token)
    tests["poll_term"] = _poll_term(token)
    tests["infinitive"] = _infinitive(token)
    if w in words.PROPOSAL_VERBS:
        tests["proposes"] = _proposes(token)
    if w in words.INDICATION_VERBS:
        tests["impersonal"] = _impersonal_subject(token)
    tests["passive"] = any(c.dep_ == "auxpass" for c in token.children)
    tests["insisting"] = _insisting(token)
    tests["believer_above"] = _believer_above(token, start_char, end_char)
    tests["survey"] = _survey_speaker(token)
    if w in words.CERTAINTY_WORDS:
        tests["weakened"] = _weakened(token)
        tests["negcert"] = _negated_certainty(token)
    if in_cue:
        tests["cue_word_hedges"] = _cue_word_hedges(token)
    return {f"h_{name}": 1.0 for name, true in tests.items() if true}


def learned_hedges(
    doc: Doc, start_char: int, end_char: int, *, text: str | None = None,
    cue: tuple[int, int] | None = None, sentence: tuple[int, int] | None = None,
    model: ClaimHedgeModel | None = None,
) -> list[Span]:
    """The hedges of the claim at ``[start_char, end_char)``: the candidates the model
    (``model`` or the packaged one) finds hedging it, as spans of ``doc.text``, sorted.
    ``cue``: the claim is the content of a statement whose cue spans it; ``sentence``
    keeps only hedges inside that range.  Pass ``text`` (``doc.text``) when calling often.
    """
    model = model or load_hedge_model()
    if text is None:
        text = doc.text
    out = []
    for candidate in candidates(doc, start_char, end_char, cue=cue, sentence=sentence):
        if candidate.span[0] <= start_char and end_char <= candidate.span[1]:
            continue  # a word does not hedge itself (a one-word event "appears")
        feats = candidate_features(doc, candidate, start_char, end_char, cue)
        if model.probability(feats) >= model.threshold:
            out.append(Span.of(text, *candidate.span))
    return out


__all__ = [
    "CANDIDATE_WORDS",
    "MODEL_NAME",
    "Candidate",
    "ClaimHedgeModel",
    "candidate_features",
    "candidates",
    "learned_hedges",
    "load_hedge_model",
    "syntactic_tests",
]
