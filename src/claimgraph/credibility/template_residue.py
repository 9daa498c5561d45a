"""Detectors for the residue that machine-made news sites leave in their pages.

Content farms that publish language-model output unattended leave tell-tale traces
(NewsGuard's "unreliable AI-generated news" criteria): template slots never filled in
("As a staff writer at, we ..."), placeholders ("[Site Name]", "{author}"), chatbot
leftovers ("As an AI language model ...", "I'm sorry, but I cannot ..."), generic
first-person marketing bios without a single concrete fact, and stock closers
("In conclusion, ...", "only time will tell").  Each detector is a general pattern over
plain text; :func:`find_residue` returns character offsets into the text it was given,
so the caller can map them to ``Article.text`` or to a metadata block.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Literal

logger = logging.getLogger(__name__)

ResidueKind = Literal[
    "empty_slot", "placeholder", "chatbot_leftover", "generic_bio", "boilerplate_closer"
]

#: Short human-readable description of each kind (used in explanations).
KIND_LABELS: dict[str, str] = {
    "empty_slot": "empty template slot",
    "placeholder": "unfilled placeholder",
    "chatbot_leftover": "chatbot leftover",
    "generic_bio": "generic marketing bio",
    "boilerplate_closer": "boilerplate closer",
}


@dataclass(frozen=True)
class ResidueHit:
    """One piece of template residue: ``text == source[start:end]``."""

    kind: ResidueKind
    start: int
    end: int
    text: str
    detail: str


_I = re.IGNORECASE

# Words after which a sentence-final preposition is ordinary English ("what we looked at.").
_STRANDING_WORDS = frozenset(
    """look looked looking looks laugh laughed laughing stare stared staring aim aimed point
    pointed thought think thinking heard hear approve approved care cared paid pay paying
    wait waited waiting ask asked asking call called hope hoped made make consist dream
    dreamed afraid aware proud fond tired sure known talk talked talking speak spoken
    spoke arrive arrived get got getting good bad what which whom that this those these
    it them him her me us you one all some most none more much worth full capable ahead
    instead because out up off""".split()
)

# A preposition directly followed by a comma/semicolon/colon, or ending a sentence or
# the text: the slot a template meant to fill with a site or brand name.
_EMPTY_SLOT = re.compile(
    r"\b(?P<prev>[A-Za-z']+)\s+(?P<prep>at|for|of|with|from|on)\s*"
    r"(?P<punct>[,;:](?=\s)(?!\s+(?:and|or|but|then|if|nor)\b)"
    r"|\.(?=\s|$)|!(?=\s|$)|(?=[ \t]*(?:\n|$)))",
    _I,
)
_WELCOME_SLOT = re.compile(
    r"\b(?:welcome to|visit us at|brought to you by|team at)\s*(?=[,.!;:]|$)", _I
)

_PLACEHOLDER = re.compile(
    r"\[(?:your |the |insert |site |website |company |brand |author |publication |news )*"
    r"(?:site|website|company|brand|author|publication|name|city|date|link|url|keyword)"
    r"(?: name| here| url)?\]"
    r"|\{\{?\s*(?:site|site_name|author|author_name|name|title|keyword|city|date|brand)\s*\}?\}"
    r"|<(?:site|author|brand|company)[ _-]?name>"
    r"|\bINSERT(?: [A-Z]+)*\b"
    r"|\blorem ipsum\b",
    _I,
)
_PLACEHOLDER_UPPER = re.compile(r"INSERT")  # "insert" in lower case is an ordinary verb

_CHATBOT = re.compile(
    r"\bas an? (?:AI|artificial intelligence)(?: language)?(?: model| assistant| chatbot)?\b"
    r"|\bI(?: cannot|can't|can not|am unable to|'m unable to) "
    r"(?:fulfil|fulfill|complete|comply with|assist with|help with|provide|generate|create|write)"
    r"\b[^.!?]{0,60}(?:request|content|article)"
    r"|\bI(?:'m| am) sorry,? but(?= (?:I|as an?)\b)"
    r"|\bI apologi[sz]e,? but(?= (?:I|as an?)\b)"
    r"|\b(?:as of )?my (?:last )?(?:knowledge|training)(?: data)? (?:cutoff|cut-off|update)\b"
    r"|\bI (?:do not|don't) have (?:access to )?(?:real-time|current|browsing)\b"
    r"|\bregenerate response\b"
    r"|\b(?:certainly|sure)! here(?:'s| is) (?:a|an|the|your)\b"
    r"|\bhere is (?:a|an|the) (?:rewritten|revised|rephrased|paraphrased) "
    r"(?:version|article|text)\b",
    _I,
)

_BIO_CUES = re.compile(
    r"\bI(?:'m| am) (?:dedicated|passionate|committed|excited|thrilled) (?:to|about)\b"
    r"|\bmy passion (?:lies|is)\b"
    r"|\b(?:crafting|creating|delivering|writing) "
    r"(?:engaging|compelling|captivating|thought-provoking|high-quality|informative)\b"
    r"|\bcaptivates? (?:our |my |the )?(?:readers|audience)\b"
    r"|\bwith a (?:knack|passion|flair|keen eye) for\b"
    r"|\bjoin me (?:on|as)\b"
    r"|\bI strive to\b"
    r"|\bthought-provoking\b"
    r"|\bfresh perspective\b"
    r"|\b(?:inform|informs|informed),? (?:and |& )?"
    r"(?:inspire|inspires|entertain|entertained|engage)\b"
    r"|\bpower of storytelling\b",
    _I,
)
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|my|me)\b")
#: Minimum distinct marketing cues before a first-person text counts as a generic bio.
MIN_BIO_CUES = 2

_CLOSER = re.compile(
    r"(?:^|(?<=[.!?]\s)|(?<=\n))(?:in conclusion|in summary|to sum up|all in all|in a nutshell),"
    r"|\bone thing is (?:clear|certain)\b"
    r"|\bonly time will tell\b"
    r"|\bthe future (?:looks|remains) (?:bright|uncertain)\b"
    r"|\bin today's (?:fast-paced|digital|ever-changing|rapidly changing) (?:world|landscape|age)\b"
    r"|\bstay tuned for (?:more|further) updates\b",
    _I,
)


def _empty_slots(text: str) -> list[ResidueHit]:
    hits: list[ResidueHit] = []
    for match in _EMPTY_SLOT.finditer(text):
        prev = match.group("prev").lower()
        punct = match.group("punct")
        if prev in _STRANDING_WORDS:
            continue
        if punct in (".", "!", "") and match.group("prep").lower() not in ("at", "for", "of"):
            continue  # "with."/"from." end sentences too often for a general rule
        start, end = match.start("prep"), match.end("prep")
        if punct:
            end = match.end("punct")
        hits.append(
            ResidueHit(
                "empty_slot",
                start,
                end,
                text[start:end],
                f"'{match.group('prep')}' followed directly by "
                + (f"'{punct}'" if punct else "the end of a line or of the text"),
            )
        )
    for match in _WELCOME_SLOT.finditer(text):
        hits.append(
            ResidueHit(
                "empty_slot",
                match.start(),
                match.end(),
                match.group(0),
                "phrase with no name after it",
            )
        )
    return hits


def _placeholders(text: str) -> list[ResidueHit]:
    hits = []
    for match in _PLACEHOLDER.finditer(text):
        value = match.group(0)
        if value.lower().startswith("insert") and not _PLACEHOLDER_UPPER.match(value):
            continue
        hits.append(
            ResidueHit("placeholder", match.start(), match.end(), value, "template placeholder")
        )
    return hits


def _generic_bio(text: str) -> list[ResidueHit]:
    cues = list(_BIO_CUES.finditer(text))
    distinct = {m.group(0).lower() for m in cues}
    if len(distinct) < MIN_BIO_CUES or not _FIRST_PERSON.search(text):
        return []
    return [
        ResidueHit(
            "generic_bio",
            m.start(),
            m.end(),
            m.group(0),
            f"first-person marketing phrase ({len(distinct)} such phrases in this text)",
        )
        for m in cues
    ]


def find_residue(text: str, *, bio: bool = True) -> list[ResidueHit]:
    """All template-residue hits in ``text``, sorted by offset then kind.

    ``bio`` enables the generic-bio detector (pass ``False`` for comment threads).
    Offsets are character offsets into ``text``.
    """
    hits: list[ResidueHit] = []
    hits += _empty_slots(text)
    hits += _placeholders(text)
    hits += [
        ResidueHit(
            "chatbot_leftover", m.start(), m.end(), m.group(0), "text a chatbot writes to its user"
        )
        for m in _CHATBOT.finditer(text)
    ]
    if bio:
        hits += _generic_bio(text)
    hits += [
        ResidueHit("boilerplate_closer", m.start(), m.end(), m.group(0), "stock essay closer")
        for m in _CLOSER.finditer(text)
    ]
    unique = {(h.start, h.end, h.kind): h for h in hits}
    return [unique[key] for key in sorted(unique)]


__all__ = ["KIND_LABELS", "MIN_BIO_CUES", "ResidueHit", "ResidueKind", "find_residue"]
