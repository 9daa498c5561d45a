"""What the evidence rules share: their word lists, the claims they collect evidence for,
and look-ups over the article's actors.

Lexicons are general English; nothing here depends on one article's wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from claimgraph.evidence.hedges import EPISTEMIC_CUES, line_sentences
from claimgraph.model import Actor, EvidenceStatus, Span, Statement

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as DocSpan

#: Head nouns of unnamed sources.
ANONYMOUS_NOUNS = frozenset({
    "source", "sources", "official", "officials", "critic", "critics", "expert", "experts",
    "analyst", "analysts", "observer", "observers", "insider", "insiders", "diplomat",
    "diplomats", "people", "person", "witness", "witnesses", "resident", "residents",
    "report", "reports", "media", "authorities", "some", "many", "others", "someone",
    "spokesman", "spokeswoman", "spokesperson", "aide", "aides", "investigators",
    "commentators", "activists", "opponents", "supporters", "rumours", "rumors", "members",
})


#: Cues that make a statement a denial.
DENY_WORDS = frozenset({
    "deny", "denies", "denied", "denying", "denial", "reject", "rejects", "rejected",
    "rejecting", "dismiss", "dismisses", "dismissed", "dismissing", "refute", "refutes",
    "refuted", "rebut", "rebuts", "rebutted", "repudiate", "repudiated", "disputes",
    "disputed", "debunked",
})


#: Stems of cues that make a statement an accusation or contested claim.
ACCUSE_STEMS = ("accus", "blam", "claim", "alleg", "charg", "impl", "insist", "suggest",
                "assert")


#: Nouns that refer back to statements ("these claims").
CLAIM_NOUNS = frozenset({
    "claim", "claims", "accusation", "accusations", "allegation", "allegations",
    "assertion", "assertions", "charge", "charges", "statement", "statements", "remarks",
    "comments", "theory", "theories", "narrative", "version", "suggestion", "suggestions",
    "story", "reports",
})


ACCUSATION_NOUNS = frozenset({"accusation", "accusations", "allegation", "allegations",
                              "charge", "charges", "claims", "claim"})


ANAPHORIC_DETS = frozenset({"these", "those", "the", "such", "this", "that", "his", "her",
                            "their", "its"})


EVIDENCE_NOUNS = frozenset({"evidence", "proof", "proofs", "substantiation", "corroboration",
                            "documentation", "basis", "grounds"})


UNSUPPORTED_ADJECTIVES = frozenset({
    "unsubstantiated", "unfounded", "baseless", "groundless", "unproven", "unverified",
    "uncorroborated", "unsupported", "evidence-free", "unconfirmed",
})


VERIFY_VERBS = frozenset({"verify", "verified", "confirm", "confirmed", "corroborate",
                          "corroborated", "substantiate", "substantiated"})


#: Evaluative and predictive vocabulary that marks a writer's own judgement.
EVALUATIVE_WORDS = frozenset({
    "clear", "clearly", "obvious", "obviously", "evident", "undoubtedly", "certainly",
    "surely", "inevitable", "inevitably", "determined", "deliberately", "blatant",
    "so-called", "dangerous", "reckless", "absurd", "ridiculous", "outrageous", "shameful",
    "disgraceful", "alarming", "troubling", "worrying", "crucial", "essential", "must",
    "unprecedented", "propaganda", "narrative", "lies", "false", "misleading",
    "disinformation", "justify", "justifying", "aimed", "regime", "escalate", "escalation",
    "threat", "threatens", "dire", "catastrophic", "disastrous", "tragic", "failure",
    "failed", "successful", "remarkable", "shocking", "unacceptable", "legitimate",
    "illegitimate", "brutal", "aggressive", "hypocritical", "cynical", "desperate",
    "should", "could", "might", "may", "would", "will", "likely", "unlikely", "potential",
    "potentially", "possibly", "probably", "perhaps", "apparently", "seems", "appears",
    "suggests", "risk", "fear", "fears", "hope", "hopes",
})


#: Discourse markers that open the writer's own conclusion.
CONCLUSION_MARKERS = ("in conclusion", "in summary", "to conclude", "in short", "ultimately",
                      "all in all", "overall", "clearly", "one thing is clear",
                      "it is clear", "there is no doubt")


# Searched case-insensitively in the original text: ``str.lower()`` can change lengths
# ("İ" becomes two characters), which would shift every offset after it.
CONCLUSION_PATTERNS = tuple(re.compile(re.escape(m), re.IGNORECASE) for m in CONCLUSION_MARKERS)


_WORD = re.compile(r"[^\W\d_]{3,}")


_STOP = frozenset({"the", "and", "that", "for", "with", "was", "were", "has", "have", "had",
                   "this", "these", "those", "from", "its", "his", "her", "their", "any",
                   "been", "being", "are", "not", "but", "into", "over", "also", "who",
                   "which", "will", "would"})


@dataclass
class Claim:
    span: Span
    statement: Statement | None
    statuses: dict[EvidenceStatus, list[Span]] = field(default_factory=dict)
    hedges: list[Span] = field(default_factory=list)
    denied_by: list[str] = field(default_factory=list)
    denials: list[Span] = field(default_factory=list)

    def add(self, status: EvidenceStatus, spans: Iterable[Span] = ()) -> None:
        self.statuses.setdefault(status, []).extend(spans)


def stems(text: str) -> set[str]:
    return {w.lower()[:5] for w in _WORD.findall(text) if w.lower() not in _STOP}


def words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def tokens_between(doc: Doc, start: int, end: int) -> list[Token]:
    span = doc.char_span(start, end, alignment_mode="expand")
    return list(span) if span is not None else []


def paragraph_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer(r"\n\s*\n|\n", text))]


def paragraph_of(starts: list[int], pos: int) -> int:
    lo = 0
    for i, s in enumerate(starts):
        if s <= pos:
            lo = i
    return lo


def segments(doc: Doc) -> list[DocSpan]:
    """Sentences of ``doc``, also cut at line breaks (see :func:`hedging.line_sentences`)."""
    return list(line_sentences(doc))


def sentence_span(text: str, sent: DocSpan) -> Span:
    start, end = sent.start_char, sent.end_char
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span.of(text, start, end)


class ActorIndex:
    """Look-ups over ``analysis.actors``: by id, by mention and by name."""

    def __init__(self, actors: list[Actor]) -> None:
        self.by_id = {a.id: a for a in actors}
        self.mentions = [(m.span.start, m.span.end, a.id) for a in actors for m in a.mentions]

    def at(self, start: int, end: int) -> list[str]:
        return sorted({aid for s, e, aid in self.mentions if s < end and start < e})

    def names(self, actor_id: str) -> set[str]:
        actor = self.by_id.get(actor_id)
        if actor is None:
            return {actor_id.lower()}
        out = {actor.name.lower(), actor.name.split()[-1].lower()}
        out.update(m.span.text.lower() for m in actor.mentions if m.kind == "name")
        return out

    def side(self, statement: Statement) -> set[str]:
        """The speaker's id, names and affiliations (ids and lowercase names)."""
        speaker = statement.speaker
        out: set[str] = set()
        if speaker is None:
            return out
        out.add(speaker.name.lower())
        if speaker.actor_id:
            out.add(speaker.actor_id)
            actor = self.by_id.get(speaker.actor_id)
            if actor is not None:
                for aff in actor.affiliations:
                    out.add(aff.lower() if aff not in self.by_id else aff)
                    for other in self.by_id.values():
                        if other.name.lower() == aff.lower():
                            out.add(other.id)
        return out


def same_speaker(a: Statement, b: Statement) -> bool:
    if a.speaker is None or b.speaker is None:
        return False
    if a.speaker.actor_id and b.speaker.actor_id:
        return a.speaker.actor_id == b.speaker.actor_id
    return a.speaker.name.lower() == b.speaker.name.lower()


def is_accusation(statement: Statement, accusing: set[str], doc: Doc | None = None) -> bool:
    """An accusation or contested claim: an ACCUSE act, or an accusing cue ("accused",
    "blames", "claims that ...") whose content is a clause."""
    if statement.id in accusing:
        return True
    words = statement.cue.text.lower().split()
    if not any(w.startswith(stem) for w in words for stem in ACCUSE_STEMS):
        return False
    if doc is None or not any(w.startswith("claim") for w in words):
        return True
    content = doc.char_span(statement.content.start, statement.content.end,
                            alignment_mode="expand")
    return content is not None and content.root.pos_ in ("VERB", "AUX")


__all__ = [
    "ACCUSATION_NOUNS",
    "ACCUSE_STEMS",
    "ANAPHORIC_DETS",
    "ANONYMOUS_NOUNS",
    "CLAIM_NOUNS",
    "CONCLUSION_MARKERS",
    "CONCLUSION_PATTERNS",
    "DENY_WORDS",
    "EPISTEMIC_CUES",
    "EVALUATIVE_WORDS",
    "EVIDENCE_NOUNS",
    "UNSUPPORTED_ADJECTIVES",
    "VERIFY_VERBS",
    "ActorIndex",
    "Claim",
    "is_accusation",
    "overlaps",
    "paragraph_of",
    "paragraph_starts",
    "same_speaker",
    "segments",
    "sentence_span",
    "stems",
    "tokens_between",
    "words",
]
