"""Escaping for every human-facing format: what the article says is shown, never obeyed.

Article text is hostile input: it may hold HTML (``<script>``, ``<img onerror=...>``),
Markdown links to ``javascript:`` URLs, rich console markup (``[link=...]``) and terminal
control sequences (ESC, BEL).  JSON and JSONL keep the text exactly (their offsets refer
to it); the Markdown, terminal and HTML renderers pass every value through here.
"""

from __future__ import annotations

import html
import re

# C0 and C1 control characters except tab and newline, DEL, and the Unicode bidi
# overrides and isolates that can make a line display differently from what it holds.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Characters with a meaning in Markdown (CommonMark's backslash-escapable punctuation
# that can start or end markup: emphasis, code, links, images, headings, tables, HTML).
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def clean_text(text: str) -> str:
    """``text`` without control characters (tab and newline kept)."""
    return _CONTROL.sub("", text)


def escape_html(text: str) -> str:
    """``text`` safe inside HTML element content and quoted attribute values."""
    return html.escape(clean_text(text), quote=True)


def escape_markdown(text: str) -> str:
    """``text`` that renders as itself in Markdown: no markup, links or raw HTML.

    ``&``, ``<`` and ``>`` become entities (so no renderer passes HTML through or reads
    an entity of the text's own) and the other Markdown punctuation is backslash-escaped
    (so no link such as ``[x](javascript:...)``, emphasis or table cell is built).
    """
    return _MARKDOWN.sub(r"\\\1", html.escape(clean_text(text), quote=False))


def escape_console(text: str) -> str:
    """``text`` safe for a rich console: control characters gone, markup escaped."""
    from rich.markup import escape

    return escape(clean_text(text))


__all__ = ["clean_text", "escape_console", "escape_html", "escape_markdown"]
