"""A bound on sentence length, set before the parser runs.

Several stages look at a cue's whole sentence and its neighbours (the role tagger's
window, the second stage's source candidates, hedge scopes), so their cost grows with
the square of a sentence's length.  Text with no sentence punctuation (a transcript, a
list without full stops, a hostile input) would otherwise be one sentence of any length,
and 20,000 characters of it took 17 s where a punctuated text of that size takes under
one.  This component marks a sentence start after :data:`MAX_SENTENCE_TOKENS` tokens
without a full stop, question or exclamation mark, semicolon or line break; the parser
keeps the marks, so no sentence is longer.  News prose never reaches the bound.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.language import Language

if TYPE_CHECKING:
    from spacy.tokens import Doc

#: Name of the component in the spaCy pipeline.
COMPONENT = "claimgraph_sentence_cap"
#: Tokens after which a sentence without a boundary of its own is cut.
MAX_SENTENCE_TOKENS = 200
#: Tokens after which a new sentence may start naturally.
_BOUNDARIES = frozenset({".", "!", "?", ";", "…"})


@Language.component(COMPONENT)
def cap_sentences(doc: Doc) -> Doc:
    """Mark a sentence start after every :data:`MAX_SENTENCE_TOKENS` tokens that hold no
    natural boundary (see the module docstring)."""
    since = 0
    for token in doc:
        if since >= MAX_SENTENCE_TOKENS and not token.is_space:
            token.is_sent_start = True
            since = 0
        text = token.text
        if text in _BOUNDARIES or "\n" in text:
            since = 0
        else:
            since += 1
    return doc


def add_sentence_cap(nlp: Language) -> None:
    """Put :func:`cap_sentences` first in ``nlp`` (it needs tokens only)."""
    if COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(COMPONENT, first=True)


__all__ = ["COMPONENT", "MAX_SENTENCE_TOKENS", "add_sentence_cap", "cap_sentences"]
