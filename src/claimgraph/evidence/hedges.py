"""Hedge cues and their syntactic scope.

:func:`hedge_cues` finds the *epistemic* hedges ("allegedly", "may have", "appears",
"reportedly", "possibly", ...) whose syntactic scope covers a stretch of text, and
:func:`claim_hedges` those that put a claim in doubt (a conditional, "would", a third
party's belief do not).  The claim hedges are the ``hedged`` half of the certainty
reading, :func:`claimgraph.evidence.certainty.read`, which the evidence stage uses to
mark claims ``hedged`` and ``claimgraph eval hedging`` scores.  Reported speech is not
by itself a hedge.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from claimgraph.evidence.hedge_words import (
    BELIEF_NOUNS,
    BELIEF_VERBS,
    CERTAINTY_WORDS,
    CLAIM_HEDGE_ADVERBS,
    CLAIM_MODALS,
    CONDITIONAL_MARKS,
    DEONTIC_MODALS,
    EPISTEMIC_CUES,
    EPISTEMIC_MODALS,
    FIRST_PERSON,
    FRONTED_CLAUSES,
    HEDGE_ADJECTIVES,
    HEDGE_ADVERBS,
    HEDGE_VERBS,
    INDICATION_NOUNS,
    INDICATION_VERBS,
    INDICATORS,
    INSISTING,
    LOOK_VERBS,
    MODALS,
    PASSIVE_REPORTING,
    POLL_NOUNS,
    PROPOSAL_VERBS,
    QUESTION_WORDS,
    REPORTED_SELF,
    SOUND_VERBS,
    SURVEY_WORDS,
    UNCERTAINTY_IDIOMS,
    WEAKENERS,
    WH_TAGS,
)
from claimgraph.model import Span
from claimgraph.nlp.token_strings import token_lowers, token_texts

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as DocSpan

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------
# Hedge cues with scope (used by the evidence stage; the words: hedge_words.py)
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
    """The clause of ``token``: its subtree without coordinated clauses ("X may A, and B"),
    adverbial clauses ("if ...", "because ...": a condition or a reason is not what the
    hedge qualifies) and clauses fronted before it."""
    def left_out(c: Token) -> bool:
        return ((c.dep_ in ("conj", "cc", "punct") and c.i > token.i) or c.dep_ == "advcl"
                or (c.dep_ in FRONTED_CLAUSES and c.i < token.i))

    kept = [c for c in token.children if not left_out(c)]
    left = min([token.i, *(t.left_edge.i for t in kept)])
    right = max([token.i, *(t.right_edge.i for t in kept)])
    for c in token.children:  # the scope is contiguous: it stops at a left-out clause
        if left_out(c) and c.dep_ != "punct":
            if c.i < token.i:
                left = max(left, c.right_edge.i + 1)
            else:
                right = min(right, c.left_edge.i - 1)
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


#: First words of :data:`UNCERTAINTY_IDIOMS` (most tokens start none).
IDIOM_STARTS = frozenset(idiom[0] for idiom in UNCERTAINTY_IDIOMS)


#: Every word that can be a cue of :func:`iter_hedge_cues` (each branch there tests one of
#: these lists first): the scan builds ``Token`` objects for these words only.
_CUE_WORDS = (
    EPISTEMIC_MODALS | CLAIM_HEDGE_ADVERBS | HEDGE_ADJECTIVES | CERTAINTY_WORDS | HEDGE_VERBS
    | LOOK_VERBS | INDICATION_NOUNS | IDIOM_STARTS | CONDITIONAL_MARKS | PASSIVE_REPORTING
)


def iter_hedge_cues(sent: DocSpan | Doc) -> Iterator[HedgeCue]:
    """Every epistemic hedge cue in ``sent`` with the stretch of text it governs.

    Scope: a modal or hedging adverb governs the clause of the word it attaches to; a
    hedging verb or adjective ("appears", "likely") governs its complement; a
    conditional "if" governs its clause; a passive reporting verb ("is said to")
    governs its complement.
    """
    if not len(sent):
        return
    first, last = sent[0], sent[-1]
    doc = first.doc
    lowers = token_lowers(doc)
    for i in range(first.i, last.i + 1):
        low = lowers[i]
        if low not in _CUE_WORDS:
            continue
        token = doc[i]
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
        elif low in CERTAINTY_WORDS and (_weakened(token) or _negated_certainty(token)):
            # "almost certainly", "virtually certain", "not sure", "isn't clear"
            yield _cue(token, "adjective" if token.pos_ == "ADJ" else "adverb", head)
        elif low in HEDGE_VERBS and token.pos_ in ("VERB", "AUX") and _hedge_verb_scope(token):
            comp = _hedge_verb_scope(token)
            if comp is not None:
                start, end = _subtree_chars(comp)
                yield HedgeCue(token.idx, token.idx + len(token.text), token.text, "verb",
                               start, end)
        elif low in LOOK_VERBS and (clause := _like_clause(token)) is not None:
            start, end = _subtree_chars(clause)
            yield HedgeCue(token.idx, token.idx + len(token.text), token.text, "verb",
                           start, end)
        elif low in INDICATION_NOUNS and token.pos_ == "NOUN" and (
            clause := _indicated_clause(token)
        ) is not None:
            start, end = _subtree_chars(clause)
            yield HedgeCue(token.idx, token.idx + len(token.text), token.text, "noun",
                           start, end)
        elif low in IDIOM_STARTS and (idiom := _idiom_at(token)) is not None:
            yield HedgeCue(token.idx, idiom.idx + len(idiom.text),
                           doc[i : idiom.i + 1].text, "idiom",
                           first.idx, last.idx + len(last.text))
        elif low in CONDITIONAL_MARKS and token.dep_ == "mark":
            yield _cue(token, "conditional", head)
        elif _is_passive_reporting(token):
            comp = next(c for c in token.children if c.dep_ in ("xcomp", "ccomp"))
            start, end = _subtree_chars(comp)
            yield HedgeCue(token.idx, token.idx + len(token.text), token.text, "reporting",
                           start, end)


def _indicated_clause(token: Token) -> Token | None:
    """The "that" clause a noun of indication governs where the text itself points to the
    signs ("there are signs that ...", "signs are growing that ..."): the noun is the
    subject, or the existential "there are"'s; seeing signs ("if we see signs that")
    or casting something as one ("cast the win as a sign that") reports someone's
    reading."""
    if token.dep_ not in ("nsubj", "attr"):
        return None
    for holder in (token, token.head):
        clause = _marked_clause(holder, ("acl", "ccomp"), "that")
        if clause is not None:
            return clause
    return None


def _marked_clause(holder: Token, deps: tuple[str, ...], mark: str) -> Token | None:
    """The first clause under ``holder`` (a dependent of one of ``deps``) that its
    subordinator ``mark`` introduces ("that ...", "like ..."), if any."""
    for child in holder.children:
        if child.dep_ in deps and any(
            c.dep_ == "mark" and c.lower_ == mark for c in child.children
        ):
            return child
    return None


def _idiom_at(token: Token) -> Token | None:
    """The last token of an idiom of :data:`UNCERTAINTY_IDIOMS` that starts at ``token``."""
    doc = token.doc
    for idiom in UNCERTAINTY_IDIOMS:
        end = token.i + len(idiom)
        if end <= len(doc) and all(doc[token.i + k].lower_ == w for k, w in enumerate(idiom)):
            return doc[end - 1]
    return None


def _weakened(token: Token) -> bool:
    """A word of certainty weakened by an adverb: "almost certainly", "virtually certain"."""
    return any(c.dep_ == "advmod" and c.lower_ in WEAKENERS for c in token.children)


def _negated_certainty(token: Token) -> bool:
    """A predicative word of certainty that is denied: "They aren't sure ...", "It is not
    clear whether ...".  Its head (the copula) carries the negation."""
    if token.pos_ != "ADJ" or token.dep_ not in ("acomp", "attr"):
        return False
    return any(c.dep_ == "neg" for c in (*token.children, *token.head.children))


def _like_clause(token: Token) -> Token | None:
    """The clause a verb of seeming introduces with "like" ("looks like we won"), if any."""
    return _marked_clause(token, ("ccomp", "advcl"), "like")


def _hedge_verb_scope(token: Token) -> Token | None:
    """The complement a hedging verb governs (xcomp/ccomp/acomp/attr), else ``None``."""
    for child in token.children:
        if child.dep_ in ("xcomp", "ccomp", "acomp", "attr", "oprd"):
            return child
    return None


def _subject(token: Token) -> Token | None:
    return next((c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")), None)


def _believer_above(token: Token, start_char: int, end_char: int) -> bool:
    """A third party's belief inside ``[start_char, end_char)`` that governs ``token``
    ("72 percent believe he could win", "the expectation that she was almost certain to
    ..."): the hedge is theirs, not the claim's."""
    node = token
    for _ in range(12):
        if node.head.i == node.i:
            return False
        node = node.head
        if not start_char <= node.idx < end_char:
            continue
        if node.lower_ in BELIEF_NOUNS and node.pos_ == "NOUN":
            return True
        if node.lower_ in BELIEF_VERBS:
            subj = _subject(node)
            if subj is not None and subj.lower_ not in FIRST_PERSON and not any(
                c.dep_ == "auxpass" for c in node.children
            ):
                return True
    return False


def _open_degree(token: Token) -> bool:
    """A hedging adjective or adverb that asks or compares, not hedges: "how likely",
    "less likely to vote", "possible to be kind and tough" (a capacity, not a doubt)."""
    if any(c.lower_ in ("how", "more", "less", "most", "least") for c in token.children):
        return True
    after = [c for c in (*token.children, *token.head.children) if c.i > token.i]
    return token.lower_ in ("possible", "impossible") and not any(
        c.dep_ == "ccomp" for c in after) and any(c.dep_ == "xcomp" for c in after)


def _proposes(token: Token) -> bool:
    """"suggested that X should ...": a proposal, not a tentative indication."""
    for comp in token.children:
        if comp.dep_ == "ccomp" and any(
            c.dep_ == "aux" and c.lower_ in DEONTIC_MODALS for c in comp.children
        ):
            return True
        if comp.dep_ == "xcomp" and comp.tag_ == "VBG":
            return True  # "suggested boycotting Apple"
    return False


_CLOSING = frozenset({'"', "'", "”", "’", ")", "]", "''"})


def _in_question(token: Token) -> bool:
    """Whether ``token`` stands in a sentence that asks (it ends with a question mark,
    quotes aside): a question asserts nothing."""
    for last in reversed(token.sent):
        if last.is_space or last.text in _CLOSING:
            continue
        return last.text.endswith("?")
    return False


#: Public name of :func:`_in_question` (the claim-hedge model reads it as a feature).
in_question = _in_question


def _wh_clause(node: Token) -> bool:
    """Whether ``node`` heads an embedded question: "who might replace him", "who they
    thought was", or "how"/"when"/"why" after a word that asks ("asked how it could");
    not a relative clause ("the man who might win"), nor "how" after a word that tells
    ("revealed how Utah may be")."""
    if node.dep_ == "relcl":
        return False
    for c in node.children:
        if c.i < node.i and c.tag_ in WH_TAGS and c.lower_ != "that":
            if c.tag_ != "WRB" or node.head.lower_ in QUESTION_WORDS:
                return True
    return False


def _infinitive(token: Token) -> bool:
    """A verb in the infinitive with "to" ("not to appear confrontational"): what
    someone wants to seem, not how the text presents a claim."""
    return token.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)


def _poll_term(token: Token) -> bool:
    return token.lower_ == "likely" and token.dep_ == "amod" and token.head.lower_ in POLL_NOUNS


def _comparative(token: Token) -> bool:
    """A modal in the second half of a comparison ("as many men as she could"): what
    someone was able to do, not a possibility."""
    clause = token.head
    if not any(c.dep_ == "mark" and c.lower_ == "as" for c in clause.children):
        return False
    governor = clause.head
    return any(c.lower_ == "as" and c.i < clause.i for c in (governor, *governor.subtree)
               if c.dep_ == "advmod")


def _survey_speaker(token: Token) -> bool:
    """Whether the belief verb ``token`` reports what a share of people polled said
    ("some 20 percent ... said they believe ..."): their belief, not a speaker's hedge."""
    node = token
    for _ in range(6):
        if node.head.i == node.i:
            return False
        node = node.head
        subj = _subject(node)
        if node.pos_ in ("VERB", "AUX") and subj is not None and subj.i != token.i:
            if subj in token.subtree:
                continue
            return any(t.lower_ in SURVEY_WORDS or t.like_num for t in subj.subtree)
    return False


def _open_clause(token: Token) -> bool:
    """A modal inside an open question ("asked whether it could") asserts nothing."""
    return any(c.dep_ == "mark" and c.lower_ in ("whether", "if") for c in token.head.children)


def _circumstance(token: Token) -> bool:
    """"a week when voters could register": a circumstance, not a possibility."""
    return token.head.dep_ in ("relcl", "advcl") and any(
        t.dep_ == "advmod" and t.lower_ in ("when", "where", "whenever") and t.i < token.i
        for t in token.head.subtree)


def _insisting(token: Token) -> bool:
    """A belief verb that insists: "I do think", "I truly believe"."""
    return any((c.dep_ == "aux" and c.lower_ in ("do", "does", "did"))
               or (c.dep_ == "advmod" and c.lower_ in INSISTING) for c in token.children)


def hedges_claim(cue: HedgeCue, token: Token, *, reported: bool = False) -> bool:
    """Whether ``cue`` (found at ``token``) puts a claim in doubt, in the sense of the
    evidence status ``hedged``: conditionals and open questions ("if", "whether") do
    not, nor modals other than :data:`CLAIM_MODALS` or inside an open question, nor a
    belief verb whose subject is not the speaker or that asks or insists ("do I
    think", "I do think"), nor a degree word that asks or compares ("how likely", "less
    likely"), nor "suggest" proposing what should be done.  Every other cue does.
    ``reported``: the claim is reported speech, where "he thinks" can be the speaker's own
    hedge ("Beck said he wouldn't expect ...")."""
    if cue.kind == "conditional" or _in_question(token):
        return False
    if cue.kind == "modal":
        return (token.lower_ in CLAIM_MODALS and not _open_clause(token)
                and not _circumstance(token) and not _comparative(token)
                and not _wh_clause(token.head))
    if cue.kind in ("adjective", "adverb") and (
        _open_degree(token) or _wh_clause(token.head) or _poll_term(token)
    ):
        return False
    if cue.kind == "verb" and (_wh_clause(token) or _infinitive(token)):
        return False  # "who they thought was", "an effort not to appear confrontational"
    if cue.kind == "verb" and token.lower_ in PROPOSAL_VERBS and _proposes(token):
        return False
    if cue.kind == "verb" and token.lower_ in INDICATION_VERBS:
        return _impersonal_subject(token)  # "she indicated that ..." said it
    if cue.kind == "verb" and token.lower_ in BELIEF_VERBS:
        if any(c.dep_ == "auxpass" for c in token.children):
            return True  # "is expected to", "is believed to": the writer keeps a distance
        # "I think" hedges; "Do I think ...?" asks and "I do think" insists.
        insisting = _insisting(token) or any(
            c.dep_ == "dobj" and c.tag_ in ("WP", "WDT")  # "what he believed"
            for c in token.children)
        if reported and token.tag_ == "VBD" and not any(c.dep_ == "aux" for c in token.children):
            return False  # "he acknowledged that he expected ...": a past belief, reported
        selves = REPORTED_SELF if reported else FIRST_PERSON
        return not insisting and not (reported and _survey_speaker(token)) and any(
            c.dep_ == "nsubj" and c.lower_ in selves for c in token.children
        )
    return True


def hedge_cues(
    doc: Doc, start_char: int, end_char: int, *, text: str | None = None, claim: bool = False,
    reported: bool = False,
) -> list[Span]:
    """The epistemic hedge cues whose scope overlaps ``doc.text[start_char:end_char]``.

    Looks at every sentence the range touches; a cue counts when the text it governs
    overlaps the range (so a hedge on the main verb of a claim, or "appears to" above
    it, is found, but a modal in an unrelated clause is not).  Returns model
    :class:`~claimgraph.model.Span` objects into ``doc.text``, sorted and unique.
    Pass ``text`` (equal to ``doc.text``) when calling often: ``Doc.text`` rebuilds the
    whole string on every access.  ``claim=True`` keeps only the cues that hedge a claim
    (:func:`hedges_claim`), as the evidence stage's ``hedged`` status does.
    """
    found: dict[tuple[int, int], Span] = {}
    for sent in sentences_in(doc, start_char, end_char):
        for cue in iter_hedge_cues(sent):
            scope_start = max(cue.scope_start, sent.start_char)
            scope_end = min(cue.scope_end, sent.end_char)
            if not sent.start_char <= cue.start < sent.end_char:
                continue
            if claim:
                token = doc.char_span(cue.start, cue.end, alignment_mode="expand")
                root = token.root if token is not None else None
                # Reported speech: the belief verb must head the reported words themselves.
                heads_claim = root is not None and (
                    root.head.i == root.i or not start_char <= root.head.idx < end_char)
                if root is None or not hedges_claim(cue, root,
                                                    reported=reported and heads_claim):
                    continue
                if _believer_above(root, start_char, end_char):
                    continue
            if scope_start < end_char and start_char < scope_end:
                if text is None:
                    text = doc.text
                found[(cue.start, cue.end)] = cue.span(text)
    return [found[k] for k in sorted(found)]


def _impersonal_subject(token: Token) -> bool:
    """Whether the subject of verb ``token`` is evidence that indicates ("the poll
    indicates that ..."), not someone who said something ("she indicated that ...")."""
    subj = _subject(token)
    return subj is not None and subj.lower_ in INDICATORS


def _cue_word_hedges(token: Token) -> bool:
    """Whether a word of a statement's cue hedges the statement's content: an epistemic
    cue ("appears", "hints at", not "suggested that X should"), a possibility modal
    ("she could very well re-nominate"), or the passive of expectation ("is expected
    to")."""
    low = token.lower_
    if _in_question(token) or _infinitive(token):
        return False
    if low in EPISTEMIC_CUES:
        return not (low in PROPOSAL_VERBS and _proposes(token))
    if low in INDICATION_VERBS:
        return _impersonal_subject(token)
    if low in SOUND_VERBS:  # "sounds unworkable", "sounded like"; not "sounded a note"
        return any(c.dep_ in ("acomp", "attr", "xcomp", "oprd") for c in token.children) or (
            _like_clause(token) is not None)
    if low in CLAIM_MODALS and token.dep_ in ("aux", "auxpass"):
        return not _open_clause(token)
    return low == "expected" and any(c.dep_ == "auxpass" for c in token.children)


def claim_hedges(
    doc: Doc, start_char: int, end_char: int, *, text: str | None = None,
    cue: tuple[int, int] | None = None, sentence: tuple[int, int] | None = None,
) -> list[Span]:
    """The hedges of a claim at ``[start_char, end_char)``: what the evidence status
    ``hedged`` rests on, and the hedge part of :func:`claimgraph.evidence.certainty.read`.

    The claim hedges of :func:`hedge_cues` (``claim=True``) whose scope covers the claim,
    and, when the claim is the content of a statement whose cue spans ``cue`` (reported
    speech), the hedging words of that cue: an epistemic cue word ("appears", "hints
    at"), a possibility modal or a hedging adverb on it, the passive "is expected to".
    A cue of :func:`hedge_cues` inside the statement's own cue counts only as such a
    word ("said" is an attribution).  ``sentence`` keeps only cues inside that range.
    """
    if text is None:
        text = doc.text
    found = hedge_cues(doc, start_char, end_char, text=text, claim=True,
                       reported=cue is not None)
    if cue is not None:
        cue_span = doc.char_span(cue[0], cue[1], alignment_mode="expand")
        cue_tokens = list(cue_span) if cue_span is not None else []
        words = {(t.idx, t.idx + len(t.text)) for t in cue_tokens if _cue_word_hedges(t)}
        found = [h for h in found
                 if not (h.start < cue[1] and cue[0] < h.end) or (h.start, h.end) in words]
        for token in cue_tokens:
            if _cue_word_hedges(token):
                found.append(Span.of(text, token.idx, token.idx + len(token.text)))
            found.extend(Span.of(text, c.idx, c.idx + len(c.text)) for c in token.children
                         if c.lower_ in CLAIM_HEDGE_ADVERBS and c.dep_ == "advmod")
    if sentence is not None:
        found = [h for h in found if sentence[0] <= h.start < sentence[1]]
    unique = {(h.start, h.end): h for h in found}
    return [unique[k] for k in sorted(unique)]


_SCOPES_KEY = "claimgraph.evidence.hedges.scopes"


def line_sentences(doc: Doc) -> list[DocSpan]:
    """The doc's sentences, also cut at line breaks (a missing full stop must not glue a
    paragraph to the next, and paragraphs never share a hedge's scope).

    Computed once per ``Doc`` and cached on it: treat the list as read-only.
    """
    cached: list[DocSpan] | None = doc.user_data.get(_SCOPES_KEY)
    if cached is not None:
        return cached
    out: list[DocSpan] = []
    words = token_texts(doc)
    for sent in doc.sents:
        start = sent.start
        for i in range(sent.start, sent.end):
            if "\n" in words[i] and doc[i].is_space:
                if i > start:
                    out.append(doc[start:i])
                start = i + 1
        if start < sent.end:
            out.append(doc[start : sent.end])
    doc.user_data[_SCOPES_KEY] = out
    return out


_ENDS_KEY = "claimgraph.hedging.scope_ends"


def sentences_in(doc: Doc, start_char: int, end_char: int) -> list[DocSpan]:
    """Sentences touching the range, cut at line breaks (paragraphs never share a scope)."""
    sents = line_sentences(doc)
    ends: list[int] | None = doc.user_data.get(_ENDS_KEY)
    if ends is None or len(ends) != len(sents):
        ends = doc.user_data[_ENDS_KEY] = [s.end_char for s in sents]
    out = []
    for sent in sents[bisect.bisect_right(ends, start_char) :]:  # the first ending after start
        if sent.start_char >= end_char:
            break
        out.append(sent)
    return out


__all__ = [
    "BELIEF_VERBS",
    "CLAIM_HEDGE_ADVERBS",
    "CLAIM_MODALS",
    "EPISTEMIC_CUES",
    "EPISTEMIC_MODALS",
    "HEDGE_ADVERBS",
    "MODALS",
    "HedgeCue",
    "claim_hedges",
    "hedge_cues",
    "hedges_claim",
    "in_question",
    "iter_hedge_cues",
    "line_sentences",
    "sentences_in",
]
