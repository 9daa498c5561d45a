"""Multi-document inputs → one :class:`Article` (or :class:`Failure`) per item.

JSONL gives one article per line.  A feed gives one article per entry, from the entry's
full content (or its summary) and its link.  A WARC gives one article per ``response``
record served as HTML; a broken record becomes a :class:`Failure` naming its byte
offset, and reading goes on from the next record (on seekable files; on a pipe the rest
of the archive is reported lost).
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import time
from collections.abc import Iterator
from typing import Any, BinaryIO

from .config import IngestConfig
from .errors import BinaryInputError, ClaimgraphError, InputError, InputTooLargeError
from .ingest import article_from_html, article_from_text
from .model import Article, Failure

logger = logging.getLogger(__name__)

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_SCAN_CHUNK = 64 * 1024
_RSS_AUTHOR = re.compile(r"^\S+@\S+\s+\((.+)\)$")


# ---------------------------------------------------------------------------
# JSONL
# ---------------------------------------------------------------------------


def articles_from_jsonl(
    stream: BinaryIO, *, config: IngestConfig, source_name: str
) -> Iterator[Article | Failure]:
    """Yield one Article per line of ``{id, url?, title?, text|html}`` JSON objects.

    A record's ``id`` becomes ``Article.source_name``.  A bad line (invalid JSON, no
    id, no text, a text that fails the checks) becomes a Failure whose ``input`` is
    ``file:line``; the rest of the file is still read.  Blank lines are skipped.
    """
    for lineno, line in enumerate(stream, start=1):
        where = f"{source_name}:{lineno}"
        if lineno == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if not line.strip():
            continue
        try:
            yield _jsonl_record(line, where=where, config=config)
        except ClaimgraphError as err:
            yield Failure(input=where, code=err.code, message=err.message)


def _jsonl_record(line: bytes, *, where: str, config: IngestConfig) -> Article:
    if len(line) > config.max_bytes:
        raise InputTooLargeError(
            f"record is {len(line):,} bytes, over the {config.max_bytes:,}-byte limit "
            "(ingest.max_bytes)",
            input=where,
        )
    try:
        record = json.loads(line)
    except UnicodeDecodeError as err:
        raise BinaryInputError(f"line is not valid UTF-8 ({err.reason})", input=where) from err
    except json.JSONDecodeError as err:
        raise InputError(
            f"line is not valid JSON: {err.msg} at column {err.colno}", input=where
        ) from err
    if not isinstance(record, dict):
        raise InputError(f"expected a JSON object, got {type(record).__name__}", input=where)
    ident = record.get("id")
    if not isinstance(ident, str | int) or isinstance(ident, bool) or str(ident) == "":
        raise InputError("record needs an 'id' (a string or integer)", input=where)
    url, title = record.get("url"), record.get("title")
    if url is not None and not isinstance(url, str):
        raise InputError(f"record {ident!r}: 'url' must be a string", input=where)
    if title is not None and not isinstance(title, str):
        raise InputError(f"record {ident!r}: 'title' must be a string", input=where)
    text, markup = record.get("text"), record.get("html")
    try:
        if isinstance(text, str):
            return article_from_text(
                text,
                url=url,
                title=title,
                config=config,
                source_name=str(ident),
                source_kind="jsonl",
            )
        if isinstance(markup, str):
            article = article_from_html(
                markup, url=url, config=config, source_name=str(ident), source_kind="jsonl"
            )
            return article.model_copy(update={"title": title}) if title else article
    except InputError as err:
        raise type(err)(f"record {ident!r}: {err.message}", input=where) from err
    raise InputError(f"record {ident!r} needs a 'text' or 'html' string", input=where)


# ---------------------------------------------------------------------------
# RSS / Atom
# ---------------------------------------------------------------------------


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
    import feedparser

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


# ---------------------------------------------------------------------------
# WARC
# ---------------------------------------------------------------------------


def _seekable(stream: BinaryIO) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _next_record_start(stream: BinaryIO, start: int, *, gzipped: bool) -> int | None:
    """Offset of the next record header at or after ``start``, or ``None`` at the end."""
    # A gzipped WARC is one gzip member per record; a plain one has "WARC/1.x" lines.
    marker, shift = (b"\x1f\x8b\x08", 0) if gzipped else (b"\nWARC/1.", 1)
    position = max(start - shift, 0)
    stream.seek(position)
    carry = b""
    while True:
        chunk = stream.read(_SCAN_CHUNK)
        if not chunk:
            return None
        window = carry + chunk
        index = window.find(marker)
        if index >= 0:
            return position - len(carry) + index + shift
        carry = window[-(len(marker) - 1) :]
        position += len(chunk)


def _record_article(record: Any, *, config: IngestConfig, name: str) -> Article | None:
    """An Article for an HTML response record; ``None`` for records that are not pages."""
    rec_type = record.rec_type
    if record.format not in ("warc", "arc2warc"):
        raise InputError(f"not a WARC record (format {record.format!r})", input=name)
    if rec_type is None:
        raise InputError("broken WARC record: no WARC-Type header", input=name)
    if rec_type not in ("response", "resource"):
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI")
    if rec_type == "response":
        if record.http_headers is None:
            return None  # e.g. a dns: response
        status = record.http_headers.get_statuscode() or ""
        content_type = record.http_headers.get_header("Content-Type") or ""
        if not status.startswith("2"):
            logger.debug("%s: skipping HTTP %s record", uri, status)
            return None
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    mime, _, params = content_type.partition(";")
    if mime.strip().lower() not in _HTML_TYPES:
        return None
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    payload = record.content_stream().read(config.max_bytes + 1)
    if len(payload) > config.max_bytes:
        raise InputTooLargeError(
            f"record payload is over {config.max_bytes:,} bytes (ingest.max_bytes)", input=name
        )
    return article_from_html(
        payload,
        url=uri,
        config=config,
        source_name=uri or name,
        source_kind="warc",
        declared_charset=charset,
    )


def articles_from_warc(
    stream: BinaryIO, *, config: IngestConfig, source_name: str
) -> Iterator[Article | Failure]:
    """Yield one Article per HTML ``response`` record in a WARC (plain or gzipped).

    A record that cannot be read or extracted becomes a Failure (``input`` is
    ``source@offset``) and the next record is read; a break in the archive structure
    on a non-seekable stream ends the archive with one Failure.
    """
    from warcio.archiveiterator import ArchiveIterator

    seekable = _seekable(stream)
    gzipped = False
    if seekable:
        start = stream.tell()
        gzipped = stream.read(2) == b"\x1f\x8b"
        stream.seek(start)
    records = articles = failures = 0
    while True:
        archive = ArchiveIterator(stream)
        reader = iter(archive)
        broken: Exception | None = None
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            # warcio is not hardened against hostile bytes (it raises AttributeError,
            # ValueError, zlib.error, ...): any error here means the archive is broken here.
            except Exception as err:
                broken = err
                break
            records += 1
            name = f"{source_name}@{archive.offset}"
            uri: str | None = None
            try:
                uri = record.rec_headers.get_header("WARC-Target-URI")
                article = _record_article(record, config=config, name=name)
            except ClaimgraphError as err:
                failures += 1
                message = f"{uri}: {err.message}" if uri else err.message
                yield Failure(input=name, code=err.code, message=message)
                continue
            except Exception as err:  # a payload warcio cannot decode (see above)
                failures += 1
                yield Failure(
                    input=name, code=InputError.code, message=f"cannot read the record ({err!r})"
                )
                continue
            if article is not None:
                articles += 1
                yield article
        if broken is None:
            break
        failures += 1
        failed_at = archive.offset
        detail = (str(broken).splitlines() or [type(broken).__name__])[0][:200]
        if not seekable:
            yield Failure(
                input=f"{source_name}@{failed_at}",
                code=InputError.code,
                message=f"broken WARC record ({detail}); the rest of the stream was skipped",
            )
            return
        resume = _next_record_start(stream, failed_at + 1, gzipped=gzipped)
        yield Failure(
            input=f"{source_name}@{failed_at}",
            code=InputError.code,
            message=f"broken WARC record ({detail}); skipped to the next record",
        )
        if resume is None:
            break
        stream.seek(resume)
    if articles == 0 and failures == 0:
        raise InputError(
            f"no HTML pages found in the archive ({records} records read); "
            "is this a WARC file with HTML responses?",
            input=source_name,
        )


__all__ = ["articles_from_feed", "articles_from_jsonl", "articles_from_warc"]
