"""WARC archives (plain or gzipped): one article per HTML ``response`` or ``resource`` record.

A broken record becomes a :class:`~claimgraph.model.Failure` naming its byte offset,
and reading goes on from the next record (on seekable files; on a pipe the rest of the
archive is reported lost).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, BinaryIO

from claimgraph.config import IngestConfig
from claimgraph.errors import ClaimgraphError, InputError, InputTooLargeError, ModelError
from claimgraph.ingest.html import article_from_html
from claimgraph.model import Article, Failure

logger = logging.getLogger(__name__)

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_SCAN_CHUNK = 64 * 1024


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
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError as err:  # a dependency of claimgraph: only a broken install lacks it
        raise ModelError(
            "reading WARC archives needs the warcio package; pip install warcio"
        ) from err

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


__all__ = ["articles_from_warc"]
