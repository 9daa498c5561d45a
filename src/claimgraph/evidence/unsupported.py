"""Unsupported claims: remarks that no evidence backs a claim, linked to the claims they
are about ("no evidence has been provided", "without offering proof", "these
unsubstantiated claims")."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from claimgraph.evidence.claims import (
    ACCUSATION_NOUNS,
    ANAPHORIC_DETS,
    CLAIM_NOUNS,
    EVIDENCE_NOUNS,
    UNSUPPORTED_ADJECTIVES,
    VERIFY_VERBS,
    is_accusation,
    overlaps,
    paragraph_of,
    paragraph_starts,
    same_speaker,
)
from claimgraph.model import Span, Statement
from claimgraph.nlp.token_strings import token_lowers

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

logger = logging.getLogger(__name__)


def _negated_evidence(token: Token) -> bool:
    """Whether an evidence noun is denied: "no evidence", "without evidence", "did not
    provide proof", "lack of evidence"."""
    if any(c.dep_ == "det" and c.lower_ == "no" for c in token.children):
        return True
    if any(c.dep_ == "amod" and c.lower_ in ("little", "scant", "insufficient") for c in
           token.children):
        return True
    node = token
    for _ in range(3):
        head = node.head
        if head.i == node.i:
            break
        if head.lower_ in ("without", "lack", "absence", "lacking", "lacked", "lacks"):
            return True
        if head.pos_ in ("VERB", "AUX") and any(c.dep_ == "neg" for c in head.children):
            return True
        if head.pos_ in ("VERB", "AUX"):
            # "without offering evidence": offering -> pcomp of "without"
            return head.dep_ == "pcomp" and head.head.lower_ == "without"
        node = head
    return False


#: Every word that can be a marker of :func:`_unsupported_markers`.
_MARKER_WORDS = EVIDENCE_NOUNS | UNSUPPORTED_ADJECTIVES | VERIFY_VERBS


def _unsupported_markers(doc: Doc, text: str) -> list[tuple[Token, Span]]:
    """``(marker token, justification span)`` of every "no evidence" remark; ``text`` is
    ``doc.text``."""
    out: list[tuple[Token, Span]] = []
    for i, low in enumerate(token_lowers(doc)):
        if low not in _MARKER_WORDS:
            continue  # no Token object for the words it cannot be
        token = doc[i]
        hit = False
        if low in EVIDENCE_NOUNS and token.pos_ in ("NOUN", "PROPN"):
            hit = _negated_evidence(token)
        elif low in UNSUPPORTED_ADJECTIVES:
            hit = True
        elif low in VERIFY_VERBS and token.pos_ == "VERB":
            hit = any(c.dep_ == "neg" for c in token.children)
        if not hit:
            continue
        clause = token
        # tokens are compared by index: spaCy makes a new Token object on every access
        while clause.head.i != clause.i and clause.pos_ not in ("VERB", "AUX"):
            clause = clause.head
        left, right = clause.left_edge.idx, clause.right_edge.idx + len(clause.right_edge)
        sent = token.sent
        left, right = max(left, sent.start_char), min(right, sent.end_char)
        out.append((token, Span.of(text, left, right)))
    return out


def link_unsupported(
    doc: Doc, text: str, statements: list[Statement], accusing: set[str]
) -> dict[str, list[Span]]:
    """Statement id -> spans of the remarks saying that no evidence backs it; ``text`` is
    the text ``doc`` parses (passed in: ``doc.text`` joins every token anew)."""
    paragraphs = paragraph_starts(text)
    links: dict[str, list[Span]] = {}
    ordered = sorted(statements, key=lambda s: (s.cue.start, s.id))
    for marker, justification in _unsupported_markers(doc, text):
        sent = marker.sent
        inside = [s for s in ordered if s.content.start <= marker.idx < s.content.end]
        same = [s for s in ordered if s not in inside
                and overlaps((s.content.start, s.content.end), (sent.start_char, sent.end_char))]
        anaphors = [t for t in sent if t.lower_ in CLAIM_NOUNS and t.pos_ == "NOUN" and any(
            c.lower_ in ANAPHORIC_DETS and c.dep_ in ("det", "poss") for c in t.children)]
        targets: list[Statement] = []
        if same and not anaphors and marker.lower_ not in UNSUPPORTED_ADJECTIVES:
            targets = same
        elif marker.lower_ in UNSUPPORTED_ADJECTIVES and marker.head.lower_ not in CLAIM_NOUNS:
            targets = same
        if not targets and (anaphors or not same):
            para = paragraph_of(paragraphs, sent.start_char)
            before = [s for s in ordered if s.cue.start < sent.start_char and s not in inside]
            near = [s for s in before if paragraph_of(paragraphs, s.cue.start) == para]
            if not near and before:
                last_para = paragraph_of(paragraphs, before[-1].cue.start)
                near = [s for s in before if paragraph_of(paragraphs, s.cue.start) == last_para]
            if near:
                last = near[-1]
                plural = any(t.tag_ in ("NNS", "NNPS") for t in anaphors) or not anaphors
                if not plural:
                    targets = [last]
                else:
                    targets = [s for s in near if same_speaker(s, last) or s is last]
                    if any(t.lower_ in ACCUSATION_NOUNS for t in anaphors):
                        targets += [s for s in before if s not in targets
                                    and same_speaker(s, last) and is_accusation(s, accusing, doc)]
        for statement in targets:
            links.setdefault(statement.id, []).append(justification)
        logger.debug("unsupported remark %r -> %d statements", justification.text[:40],
                     len(targets))
    return links


__all__ = ["link_unsupported"]
