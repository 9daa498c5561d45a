"""HTML to a tree, leniently: fragments, deep nesting and broken markup keep their text.

trafilatura's loader parses most pages; a fragment without ``<html>``/``<body>`` and
nesting deeper than libxml2's default limit (which it drops silently) are parsed again
with the limit raised, and past libxml2's hard limit the text is collected by Python's own
tokenizer, which keeps no tree and so has no depth limit.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

from lxml import etree
from lxml.html import HtmlElement

from claimgraph.errors import ExtractionError

#: Nesting at which libxml2 stops building the tree unless asked for more (it stops at
#: 256 and drops everything deeper); a tree this deep is parsed again leniently.
_DEEP = 250


def parse_html(html: str) -> HtmlElement:
    """Parse ``html`` with trafilatura's lenient loader; ExtractionError if it is not HTML.

    A fragment without ``<html>``/``<body>`` (``<p>...</p>``) and nesting deeper than
    libxml2's default limit, which that loader drops, are parsed again by
    :func:`_lenient_tree`, so their text is kept.
    """
    from trafilatura.utils import load_html

    try:
        tree = load_html(html)
    except (ValueError, TypeError, etree.LxmlError):
        tree = None
    if tree is None or not isinstance(tree, HtmlElement) or _max_depth(tree) >= _DEEP:
        tree = _lenient_tree(html)
    if tree is None:
        raise ExtractionError("cannot parse the page as HTML: no document structure found")
    return tree


def _max_depth(tree: HtmlElement) -> int:
    depth = deepest = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def _lenient_tree(html: str) -> HtmlElement | None:
    """The page parsed by lxml with libxml2's depth limit raised (fragments are wrapped in
    ``<html><body>``); where even that gives up (nesting past libxml2's hard limit), a
    tree rebuilt from the page's text by :class:`_TextCollector`, which has no depth
    limit.  ``None`` when neither finds anything."""
    import lxml.html

    parser = lxml.html.HTMLParser(
        recover=True, huge_tree=True, remove_comments=True, remove_pis=True, collect_ids=False
    )
    try:
        tree = lxml.html.document_fromstring(html, parser=parser)
    except (ValueError, TypeError, etree.LxmlError):
        tree = None
    gave_up = any("depth" in str(error).lower() for error in parser.error_log)
    if tree is not None and not gave_up:
        return tree
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    if not collector.paragraphs:
        return tree
    title = f"<title>{escape(collector.title)}</title>" if collector.title else ""
    body = "".join(f"<p>{escape(p)}</p>" for p in collector.paragraphs)
    flat = lxml.html.document_fromstring(f"<html><head>{title}</head><body>{body}</body></html>")
    return flat if isinstance(flat, HtmlElement) else None


class _TextCollector(HTMLParser):
    """The title and paragraphs of a page by Python's own HTML tokenizer (no tree, so no
    depth limit): text outside scripts and styles, a new paragraph at each block tag."""

    _BLOCKS = frozenset(
        "p div br li ul ol h1 h2 h3 h4 h5 h6 article section main header footer td tr "
        "table blockquote pre figure figcaption dd dt".split()
    )
    _SKIPPED = frozenset({"script", "style", "noscript", "template", "svg"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.title = ""
        self._current: list[str] = []
        self._skipping = 0
        self._in_title = False

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.paragraphs.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self._skipping += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self._BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self._skipping = max(self._skipping - 1, 0)
        elif tag == "title":
            self._in_title = False
        elif tag in self._BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if self._in_title:
            self.title += data
        else:
            self._current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


__all__ = ["parse_html"]
