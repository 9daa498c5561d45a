"""RSS and Atom feeds: one article per entry, from its full content (or summary) and link."""

from __future__ import annotations

import hashlib
import html
import logging
import re
import time
from collections.abc import Iterator
from typing import Any

from claimgraph.config import IngestConfig
from claimgraph.errors import ClaimgraphError, InputError, ModelError
from claimgraph.ingest.html import article_from_html
from claimgraph.ingest.text import article_from_text
from claimgraph.model import Article, Failure

logger = logging.getLogger(__name__)

_RSS_AUTHOR = re.compile(r"^\S+@\S+\s+\((.+)\)$")


def _entry_date(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return time.strftime("%Y-%m-%d", parsed)
            except (TypeError, ValueError):
                continue
    return None


def _entry_author(entry: Any) -> str | None:
    raw = (entry.get("author") or "").strip()
    # RSS 2.0 writes "email (Name)"; feedparser's author_detail mangles some of those.
    match = _RSS_AUTHOR.match(raw)
    if match:
        return match.group(1).strip() or None
    if "@" in raw and " " not in raw:
        return None  # an address alone is not a byline
    detail = entry.get("author_detail") or {}
    return raw or (detail.get("name") or "").strip() or None


def _entry_body(entry: Any) -> tuple[str, bool]:
    """The entry's richest body and whether it is HTML: full content before summary."""
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        if value.strip():
            return value, "html" in (content.get("type") or "text/html")
    summary = entry.get("summary") or ""
    detail = entry.get("summary_detail") or {}
    return summary, "html" in (detail.get("type") or "text/html")


def _entry_article(
    entry: Any, *, feed_title: str | None, config: IngestConfig, name: str
) -> Article:
    body, is_html = _entry_body(entry)
    if not body.strip():
        raise InputError("feed entry has no content or summary", input=name)
    link = entry.get("link") or None
    title = (entry.get("title") or "").strip() or None
    if is_html:
        # trafilatura wants a whole document, not a fragment (see its load_html docs).
        page = (
            f"<html><head><title>{html.escape(title or '')}</title></head>"
            f"<body><article>{body}</article></body></html>"
        )
        article = article_from_html(
            page, url=link, config=config, source_name=name, source_kind="rss"
        )
    else:
        article = article_from_text(
            body, url=link, title=title, config=config, source_name=name, source_kind="rss"
        )
    return article.model_copy(
        update={
            "title": title or article.title,
            "byline": _entry_author(entry) or article.byline,
            "published": _entry_date(entry) or article.published,
            "site": feed_title or article.site,
            "raw_sha256": hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest(),
        }
    )


def articles_from_feed(
    data: bytes, *, config: IngestConfig, source_name: str
) -> Iterator[Article | Failure]:
    """Yield one Article per RSS/Atom entry in ``data`` (a Failure for a bad entry).

    Raises :class:`InputError` when ``data`` is not a feed at all (no entries and a
    parse error).
    """
    try:
        import feedparser
    except ImportError as err:  # a dependency of claimgraph: only a broken install lacks it
        raise ModelError(
            "reading RSS/Atom feeds needs the feedparser package; pip install feedparser"
        ) from err

    try:
        parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    except Exception as err:  # feedparser's XML backends raise assorted errors
        raise InputError(f"cannot parse the feed: {err}", input=source_name) from err
    entries = list(parsed.get("entries") or [])
    if not entries:
        problem = parsed.get("bozo_exception")
        detail = f" ({problem})" if parsed.get("bozo") and problem else ""
        raise InputError(f"not an RSS/Atom feed, or it has no entries{detail}", input=source_name)
    feed_title = ((parsed.get("feed") or {}).get("title") or "").strip() or None
    for number, entry in enumerate(entries, start=1):
        name = entry.get("link") or entry.get("id") or f"{source_name}#{number}"
        try:
            yield _entry_article(entry, feed_title=feed_title, config=config, name=name)
        except ClaimgraphError as err:
            yield Failure(
                input=f"{source_name}#{number}", code=err.code, message=f"{name}: {err.message}"
            )


__all__ = ["articles_from_feed"]
