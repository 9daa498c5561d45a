"""HTML → clean article text plus metadata, using trafilatura.

Page furniture (the author-bio box, comment forms, related-post lists, share bars,
newsletter sign-ups) is found from the HTML *structure*: class and id names such as
``author-box``, ``about-author``, ``comments``, ``comment-respond``, ``related``,
``share``, and unlabelled boxes that open with a ``By X`` / ``About the author``
heading.  Each such box is cut out of the tree before trafilatura sees it and kept as a
:class:`~claimgraph.model.MetadataBlock`, so it is never part of ``Article.text`` but is
still there for credibility checks.  The headline, which trafilatura often repeats as
the first line of the text, is dropped from the text (it is ``Article.title``).

:func:`article_from_html` decodes the bytes, extracts the page and builds the
:class:`~claimgraph.model.Article` with the checks of :mod:`claimgraph.ingest.text`.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from lxml.html import HtmlElement

from claimgraph.config import IngestConfig
from claimgraph.errors import (
    EmptyInputError,
    ExtractionError,
    InputError,
    InputTooLargeError,
    ModelError,
)
from claimgraph.ingest.html_parse import parse_html
from claimgraph.ingest.text import check_decoded, check_text, decode_bytes, normalise_text
from claimgraph.model import Article, MetadataBlock, SourceKind

logger = logging.getLogger(__name__)

#: Name and version of the extraction behaviour (bump when the output changes).
EXTRACTOR_NAME = "claimgraph.extract.trafilatura.v1"

BlockKind = Literal["author_bio", "comments", "related", "share", "other"]

# Class/id tokens that mark furniture, by block kind; matched against each token of
# an element's ``class`` and its ``id``.  Order matters: the first kind that matches wins.
_FURNITURE_TOKENS: tuple[tuple[BlockKind, re.Pattern[str]], ...] = (
    (
        "author_bio",
        re.compile(
            r"^(author[-_]?(box|bio|info|card|description|details|profile|about|block|wrap"
            r"|widget|area|section)|about[-_]?(the[-_]?)?author|(post|entry|article)[-_]author"
            r"[-_]?(bio|box|info)?|(contributor|writer|journalist)[-_]?(bio|box|info)|bio|"
            r"biography|saboxplugin[-_]?wrap|abh_box|molongui.*)$"
        ),
    ),
    (
        "comments",
        re.compile(
            r"^(comments?|comment[-_].+|.+[-_]comments?|disqus.*|respond|commentform"
            r"|reply[-_]title|fb[-_]comments|discussion)$"
        ),
    ),
    (
        "related",
        re.compile(
            r"^(.*related.*|more[-_]?(stories|news|articles|posts|from.*)|recommended.*"
            r"|you[-_]may[-_](also[-_])?like|also[-_]read|read[-_]?(next|more[-_]stories)"
            r"|yarpp.*|crp[-_]list.*|post[-_]navigation|nav[-_]links|popular[-_]posts)$"
        ),
    ),
    (
        "share",
        re.compile(
            r"^(.*share.*|.*sharing.*|social([-_].+)?|addtoany.*|a2a[-_].*|sociable"
            r"|shareaholic.*)$"
        ),
    ),
    (
        "other",
        re.compile(r"^(newsletter.*|.*subscribe.*|signup.*|sign[-_]up.*|advert.*|sponsored.*)$"),
    ),
)

# Headings that open an unlabelled author box: "By Jane Doe", "About the author".
_BIO_HEADING = re.compile(r"^\s*(by|written by|about( the)? (author|writer)|about)\s+\S", re.I)
_HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "strong", "b"})
_CONTAINER_TAGS = frozenset({"div", "section", "aside", "footer"})
_NEVER_FURNITURE = frozenset({"html", "body", "main", "head"})
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "aside",
        "article",
        "header",
        "footer",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "dd",
        "dt",
        "dl",
        "figcaption",
        "tr",
        "table",
        "form",
        "label",
        "br",
        "nav",
        "pre",
        "address",
    }
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "input", "button", "select"})
#: A box this short is a byline ("By Jane Doe"), not an author bio.
_MIN_BIO_CHARS = 60

# Fallback for furniture lines trafilatura left at the *end* of the text.
_TRAILING_FURNITURE: tuple[tuple[BlockKind, re.Pattern[str]], ...] = (
    (
        "comments",
        re.compile(
            r"^(leave a (reply|comment)|post a comment|post comment|\d+ comments?|comments?"
            r"|your email address will not be published.*|required fields are marked.*"
            r"|cancel reply)$",
            re.I,
        ),
    ),
    ("share", re.compile(r"^(share( this( article| story)?)?( on \w+)?:?)$", re.I)),
    (
        "related",
        re.compile(
            r"^(related( posts| articles| stories)?|you may also like|read more|read next):?$", re.I
        ),
    ),
)

_WS = re.compile(r"[^\S\n]+")
_TITLE_SEPARATORS = re.compile(r"\s+[|–—\-:·»]\s+")


@dataclass(frozen=True)
class ExtractedPage:
    """What :func:`extract_html` found on a page."""

    text: str
    title: str | None = None
    byline: str | None = None
    published: str | None = None
    site: str | None = None
    language: str | None = None
    metadata_blocks: tuple[MetadataBlock, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------
# Text of an element
# ---------------------------------------------------------------------------


def element_text(element: HtmlElement) -> str:
    """The visible text of ``element``: one line per block, whitespace collapsed."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _SKIP_TAGS or not tag:
            if node.tail:
                parts.append(node.tail)
            return
        block = tag in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if block:
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    tail = element.tail
    element.tail = None
    try:
        walk(element)
    finally:
        element.tail = tail
    lines = (_WS.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


# ---------------------------------------------------------------------------
# Furniture detection
# ---------------------------------------------------------------------------


def _tokens(element: HtmlElement) -> list[str]:
    classes = (element.get("class") or "").lower().split()
    ident = (element.get("id") or "").lower().strip()
    return [*classes, ident] if ident else classes


def _token_kind(element: HtmlElement) -> BlockKind | None:
    tokens = _tokens(element)
    for kind, pattern in _FURNITURE_TOKENS:
        if any(pattern.match(token) for token in tokens):
            return kind
    return None


def _structural_bio(element: HtmlElement) -> bool:
    """An unlabelled box opening with a ``By X``/``About the author`` heading and prose."""
    if element.tag not in _CONTAINER_TAGS:
        return False
    children = [c for c in element if isinstance(c.tag, str)]
    if len(children) < 2 or children[0].tag not in _HEADING_TAGS:
        return False
    if not _BIO_HEADING.match(children[0].text_content() or ""):
        return False
    return any(
        c.tag == "p" and len(c.text_content().strip()) >= _MIN_BIO_CHARS for c in children[1:]
    )


def _paragraph_chars(element: HtmlElement) -> int:
    return sum(len(p.text_content()) for p in element.iter("p"))


def _classify(element: HtmlElement, total_paragraph_chars: int) -> BlockKind | None:
    tag = element.tag
    if not isinstance(tag, str) or tag in _NEVER_FURNITURE:
        return None
    kind = _token_kind(element)
    if kind is None and tag == "form":
        kind = "comments" if element.find(".//textarea") is not None else "other"
    if kind is None and _structural_bio(element):
        kind = "author_bio"
    if kind is None:
        return None
    # Never cut out the article itself: a box holding the headline or most of the
    # page's prose is a wrapper whose class merely mentions "share", "comments"...
    if element.find(".//h1") is not None or tag == "h1":
        return None
    if total_paragraph_chars and _paragraph_chars(element) > 0.5 * total_paragraph_chars:
        return None
    if kind == "author_bio" and len(element_text(element)) < _MIN_BIO_CHARS:
        return None  # a byline, which trafilatura reads as the author
    return kind


def find_furniture(tree: HtmlElement) -> list[tuple[HtmlElement, BlockKind]]:
    """The outermost furniture boxes in ``tree``, in document order, with their kind."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    total = _paragraph_chars(root)
    found: list[tuple[HtmlElement, BlockKind]] = []
    chosen: set[HtmlElement] = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if any(ancestor in chosen for ancestor in element.iterancestors()):
            continue
        kind = _classify(element, total)
        if kind is not None:
            chosen.add(element)
            found.append((element, kind))
    return found


def find_loose_bios(tree: HtmlElement) -> list[list[HtmlElement]]:
    """Unwrapped author bios: a ``By X``/``About the author`` heading and the prose
    paragraphs right after it, when they come after most of the page's prose (so a
    byline heading above the story is never taken)."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    total = _paragraph_chars(root)
    seen = 0
    found: list[list[HtmlElement]] = []
    for element in root.iter():
        if element.tag == "p":
            seen += len(element.text_content())
            continue
        if element.tag not in _HEADING_TAGS - {"strong", "b"} or not total or seen < 0.5 * total:
            continue
        heading = _WS.sub(" ", element.text_content()).strip()
        if len(heading) > 80 or not _BIO_HEADING.match(heading):
            continue
        group = [element]
        for sibling in element.itersiblings():
            if sibling.tag != "p":
                break
            group.append(sibling)
        if any(len(p.text_content().strip()) >= _MIN_BIO_CHARS for p in group[1:]):
            found.append(group)
    return found


def _remove_furniture(tree: HtmlElement) -> list[MetadataBlock]:
    blocks: list[MetadataBlock] = []
    for element, kind in find_furniture(tree):
        text = element_text(element)
        if text:
            blocks.append(MetadataBlock(kind=kind, text=text))
        element.drop_tree()  # keeps the element's tail text in the page
    for group in find_loose_bios(tree):
        text = "\n".join(filter(None, (element_text(element) for element in group)))
        blocks.append(MetadataBlock(kind="author_bio", text=text))
        for element in group:
            element.drop_tree()
    return blocks


# ---------------------------------------------------------------------------
# Metadata helpers
# ---------------------------------------------------------------------------


def _norm(value: str) -> str:
    return re.sub(r"\W+", " ", value.casefold()).strip()


def _meta(tree: HtmlElement, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name"):
            for node in tree.iterfind(f".//meta[@{attr}='{name}']"):
                content = (node.get("content") or "").strip()
                if content:
                    return content
    return None


def _site_name(tree: HtmlElement, title: str | None, found: str | None) -> str | None:
    site = found or _meta(tree, "og:site_name", "application-name", "twitter:site")
    if site:
        return site.lstrip("@").strip() or None
    page_title = tree.findtext(".//title")
    if page_title and title:
        pieces = _TITLE_SEPARATORS.split(page_title.strip())
        if len(pieces) > 1:
            if _norm(" ".join(pieces[:-1])) == _norm(title):
                return pieces[-1].strip() or None
            if _norm(" ".join(pieces[1:])) == _norm(title):
                return pieces[0].strip() or None
    for path in (
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' site-title ')]",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' site-branding ')]",
        "//a[@rel='home']",
    ):
        for node in tree.xpath(path):
            text = _WS.sub(" ", node.text_content()).strip()
            if 0 < len(text) <= 80:
                return text
    return None


def _title(tree: HtmlElement, found: str | None) -> str | None:
    if found:
        return found.strip() or None
    h1 = tree.find(".//h1")
    if h1 is not None:
        text = _WS.sub(" ", h1.text_content()).strip()
        if text:
            return text
    return _meta(tree, "og:title", "twitter:title")


def _language(tree: HtmlElement) -> str | None:
    lang = (
        tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    ).strip()
    primary = lang.split("-")[0].split("_")[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


# ---------------------------------------------------------------------------
# Text clean-up
# ---------------------------------------------------------------------------


def _paragraphs(raw: str) -> list[str]:
    lines = (_WS.sub(" ", line).strip() for line in raw.replace("\r", "\n").split("\n"))
    return [line for line in lines if line]


def _drop_leading_repeats(
    paragraphs: list[str], title: str | None, byline: str | None
) -> list[str]:
    """Drop the headline and a ``By X`` line when trafilatura repeats them up top."""
    keys = {_norm(title)} if title else set()
    if byline:
        keys |= {_norm(byline), _norm(f"by {byline}")}
    keys.discard("")
    while paragraphs[:1] and _norm(paragraphs[0]) in keys and len(paragraphs) > 1:
        paragraphs = paragraphs[1:]
    return paragraphs


def _split_trailing_furniture(paragraphs: list[str]) -> tuple[list[str], list[MetadataBlock]]:
    """Move comment/share/related residue lines at the end of the text to blocks."""
    moved: list[tuple[BlockKind, str]] = []
    while len(paragraphs) > 1:
        last = paragraphs[-1]
        kind = next((k for k, pat in _TRAILING_FURNITURE if pat.match(last)), None)
        if kind is None:
            break
        moved.append((kind, last))
        paragraphs = paragraphs[:-1]
    merged: list[tuple[BlockKind, str]] = []
    for kind, line in reversed(moved):
        if merged and merged[-1][0] == kind:
            merged[-1] = (kind, f"{merged[-1][1]}\n{line}")
        else:
            merged.append((kind, line))
    return paragraphs, [MetadataBlock(kind=kind, text=text) for kind, text in merged]


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def extract_html(html: str, *, url: str | None = None) -> ExtractedPage:
    """Extract the article from an HTML page (already decoded to ``str``).

    Returns the main text (paragraphs separated by a blank line, headline and byline
    repeats removed), title, byline, publication date (``YYYY-MM-DD``), site name, the
    page's declared language and the furniture blocks cut out of it.  Raises
    :class:`ExtractionError` ("no article text found") when nothing article-like is
    left, or when the page cannot be parsed at all.
    """
    try:
        from trafilatura import bare_extraction, baseline
        from trafilatura.metadata import extract_metadata
    except ImportError as err:  # a dependency of claimgraph: only a broken install lacks it
        raise ModelError(
            f"HTML extraction needs trafilatura, which cannot be imported ({err}); "
            "reinstall claimgraph"
        ) from err

    if not html.strip():
        raise ExtractionError("no article text found: the page is empty")
    tree = parse_html(html)
    try:
        metadata = extract_metadata(copy.deepcopy(tree), default_url=url)
        cleaned = copy.deepcopy(tree)
        blocks = _remove_furniture(cleaned)
        document = bare_extraction(
            copy.deepcopy(cleaned), url=url, include_comments=False, with_metadata=False
        )
        raw = getattr(document, "text", None) if document is not None else None
        if not raw:
            _, raw, _ = baseline(cleaned)
    # trafilatura and lxml raise assorted errors on hostile markup; any of them just
    # means this page has no extractable article, which the caller records.
    except Exception as err:
        logger.debug("extraction failed: %r", err)
        raise ExtractionError(f"no article text found: extraction failed ({err})") from err

    title = _title(tree, metadata.title if metadata else None)
    byline = (metadata.author or None) if metadata else None
    paragraphs = _drop_leading_repeats(_paragraphs(raw or ""), title, byline)
    paragraphs, trailing = _split_trailing_furniture(paragraphs)
    text = "\n\n".join(paragraphs)
    if not text:
        raise ExtractionError("no article text found on the page")
    return ExtractedPage(
        text=text,
        title=title,
        byline=byline,
        published=(metadata.date or None) if metadata else None,
        site=_site_name(tree, title, metadata.sitename if metadata else None),
        language=_language(tree),
        metadata_blocks=(*blocks, *trailing),
    )


def article_from_html(
    html: str | bytes,
    *,
    url: str | None = None,
    config: IngestConfig,
    source_name: str | None = None,
    source_kind: SourceKind = "html",
    declared_charset: str | None = None,
) -> Article:
    """Build an :class:`Article` from an HTML page (see :func:`extract_html`).

    Bytes are decoded here (BOM, ``declared_charset``, ``<meta charset>``, UTF-8,
    detection); ``raw_sha256`` is the hash of the bytes as given (of the UTF-8 encoding
    for ``str``).  Raises :class:`InputTooLargeError`, :class:`BinaryInputError`,
    :class:`ExtractionError`, :class:`EmptyInputError` or :class:`LanguageError`.
    """
    raw = html if isinstance(html, bytes) else html.encode("utf-8", "surrogatepass")
    if len(raw) > config.max_bytes:
        raise InputTooLargeError(
            f"page is {len(raw):,} bytes, over the {config.max_bytes:,}-byte limit "
            "(ingest.max_bytes)",
            input=source_name,
        )
    if isinstance(html, bytes):
        if not html.strip():
            raise EmptyInputError(
                "input is empty (or only whitespace); nothing to analyse", input=source_name
            )
        html = decode_bytes(html, name=source_name, declared_charset=declared_charset, html=True)
    else:
        check_decoded(html, name=source_name)
    if not html.strip():
        raise EmptyInputError(
            "input is empty (or only whitespace); nothing to analyse", input=source_name
        )
    try:
        page = extract_html(html, url=url)
    except InputError as err:
        err.input = err.input or source_name
        raise
    text = normalise_text(page.text)
    language = check_text(text, config=config, name=source_name)
    return Article(
        id=Article.make_id(text, url),
        text=text,
        url=url,
        title=page.title,
        byline=page.byline,
        site=page.site,
        published=page.published,
        language=language or page.language,
        source_kind=source_kind,
        source_name=source_name,
        raw_sha256=hashlib.sha256(raw).hexdigest(),
        metadata_blocks=list(page.metadata_blocks),
    )


__all__ = [
    "EXTRACTOR_NAME",
    "ExtractedPage",
    "element_text",
    "extract_html",
    "find_furniture",
    "find_loose_bios",
    "parse_html",
]
