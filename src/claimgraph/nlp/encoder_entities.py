"""The encoder's entities made the named entities of a ``Doc``.

The cue encoder's entity head (distilled from the small English pipeline's ``ner``)
tags word pieces, which :func:`claimgraph.nlp.encoder.entity_spans` reads into character
spans; :func:`set_entities` puts them on the parse, widened to whole tokens and repaired
where the parse shows more than the word-by-word tags do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Entity types that name something (the rest are dates, numbers and amounts).
NAME_TYPES = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)
#: Fine-grained tags of proper nouns.
_PROPER = frozenset({"NNP", "NNPS"})


def set_entities(doc: Any, entities: tuple[tuple[int, int, str], ...]) -> None:
    """Make ``entities`` (character spans) the named entities of ``doc``.

    Each span is widened to whole tokens; overlaps go to the longer span
    (``spacy.util.filter_spans``); every other token is outside an entity.  Where ``doc``
    is tagged and parsed, two repairs of the encoder's word-by-word tags follow
    (:func:`_repair`): a name runs on over the proper nouns it is a compound of, and every
    mention of a name in the document takes the type most of its mentions have.
    """
    from spacy.util import filter_spans

    spans = []
    for start, end, label in entities:
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None and len(span) and span.text.strip():
            spans.append(span)
    spans = filter_spans(spans)
    if doc.has_annotation("TAG") and doc.has_annotation("DEP"):
        spans = _repair(doc, spans)
    doc.set_ents(spans, default="outside")


def _repair(doc: Any, spans: list[Any]) -> list[Any]:
    """Name spans extended over the proper nouns they are a compound of ("Islamic" in
    "Islamic State"; not into another entity), and each name's type made the most
    frequent one among the mentions that read the same (ignoring case and a leading
    "the"), a one-word mention that ends a longer person name (a surname) counting that
    name as a person mention and going to the person on a tie."""
    from collections import Counter

    from spacy.tokens import Span

    taken = np.zeros(len(doc) + 1, dtype=bool)
    for span in spans:
        taken[span.start : span.end] = True
    grown = []
    for span in spans:
        end = span.end
        if span.label_ in NAME_TYPES and doc[end - 1].tag_ in _PROPER:
            while (
                end < len(doc)
                and not taken[end]
                and doc[end].tag_ in _PROPER
                and doc[end - 1].dep_ == "compound"
                and doc[end - 1].head.i == end
            ):
                taken[end] = True
                end += 1
        grown.append(span if end == span.end else Span(doc, span.start, end, label=span.label_))

    def key(span: Any) -> str:
        words = span.text.lower().split()
        return " ".join(words[1:] if len(words) > 1 and words[0] == "the" else words)

    votes: dict[str, Counter[str]] = {}
    surnames: dict[str, Counter[str]] = {}
    for span in grown:
        if span.label_ in NAME_TYPES:
            votes.setdefault(key(span), Counter())[span.label_] += 1
            if span.label_ == "PERSON" and len(span) > 1:
                surnames.setdefault(span[-1].lower_, Counter())["PERSON"] += 1
    out = []
    for span in grown:
        label = span.label_
        if label in NAME_TYPES:
            counts = votes[key(span)].copy()
            surname = len(span) == 1 and span[0].lower_ in surnames
            if surname:
                counts.update(surnames[span[0].lower_])
            (best, n), *rest = counts.most_common()
            if surname and counts["PERSON"] >= n:
                label = "PERSON"  # ties go to the person whose full name is given
            elif best != label and (not rest or n > rest[0][1]):
                label = best
        out.append(span if label == span.label_ else Span(doc, span.start, span.end, label=label))
    return out


__all__ = ["NAME_TYPES", "set_entities"]
