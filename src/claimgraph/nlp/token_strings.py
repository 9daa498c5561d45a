"""Per-token strings of a parsed ``Doc``, read once and shared by the stages that scan it.

spaCy builds a new ``Token`` object on every access (``doc[i]``, iterating a ``Doc`` or a
``Span``), and for a scan that tests a word list or a part of speech on every token of an
article that costs more than the test itself.  :func:`token_texts`, :func:`token_lowers`,
:func:`token_pos` and :func:`token_tags` read one attribute of all tokens at once
(``Doc.to_array``) and cache the strings on the ``Doc``, so that a scan builds ``Token``
objects only for the few tokens it looks at further.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

_KEY = "claimgraph.nlp.token_strings."


def _column(doc: Doc, attr: str) -> list[str]:
    """The string of spaCy attribute ``attr`` (``ORTH``, ``LOWER``, ``POS``, ``TAG``) of every token
    of ``doc``, cached on it (``doc.user_data``)."""
    cached: list[str] | None = doc.user_data.get(_KEY + attr)
    if cached is not None and len(cached) == len(doc):
        return cached
    keys = doc.to_array(attr).tolist()
    strings = doc.vocab.strings
    names = {key: strings[key] for key in set(keys)}  # each distinct value looked up once
    out = [names[key] for key in keys]
    doc.user_data[_KEY + attr] = out
    return out


def token_texts(doc: Doc) -> list[str]:
    """``Token.text`` of every token of ``doc``, in order (cached: treat as read-only)."""
    return _column(doc, "ORTH")


def token_lowers(doc: Doc) -> list[str]:
    """``Token.lower_`` of every token of ``doc``, in order (cached: treat as read-only)."""
    return _column(doc, "LOWER")


def token_pos(doc: Doc) -> list[str]:
    """``Token.pos_`` of every token of ``doc``, in order (cached: treat as read-only)."""
    return _column(doc, "POS")


def token_tags(doc: Doc) -> list[str]:
    """``Token.tag_`` of every token of ``doc``, in order (cached: treat as read-only)."""
    return _column(doc, "TAG")


__all__ = ["token_lowers", "token_pos", "token_tags", "token_texts"]
