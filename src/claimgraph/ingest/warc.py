"""WARC archives (plain or gzipped): one article per HTML ``response`` or ``resource`` record.

A broken record becomes a :class:`~claimgraph.model.Failure` naming its byte offset,
and reading goes on from the next record (on seekable files; on a pipe the rest of the
archive is reported lost).
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from typing import Any, BinaryIO

from claimgraph.config import IngestConfig
from claimgraph.errors import ClaimgraphError, InputError, InputTooLargeError, ModelError
from claimgraph.ingest.html import article_from_html
from claimgraph.ingest.stats import IngestStats
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


def _archive_iterator() -> Any:
    """warcio's ArchiveIterator, taught two things it does not tell on its own: that a
    gzipped archive ended inside a member (it would simply stop), and that a record's
    length did not match its bytes (it would print a line of its own on stderr)."""
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError as err:  # a dependency of claimgraph: only a broken install lacks it
        raise ModelError(
            "reading WARC archives needs the warcio package; pip install warcio"
        ) from err

    class CheckedArchive(ArchiveIterator):  # type: ignore[misc]
        INC_RECORD = ""  # counted in err_count and reported as a failure instead
        truncated = False

        def close(self) -> None:
            decompressor = getattr(self.reader, "decompressor", None)
            if decompressor is not None and not getattr(decompressor, "eof", True):
                self.truncated = True  # the stream ended inside a gzip member
            super().close()

    return CheckedArchive


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """warcio writes some complaints straight to stderr (a failed decompression, for one);
    claimgraph reports each problem as a failure, in one line, so keep them to the log."""
    sink = io.StringIO()
    with contextlib.redirect_stderr(sink):
        yield
    if sink.getvalue().strip():
        logger.debug("warcio: %s", " ".join(sink.getvalue().split()))


def _check_length(record: Any, *, name: str) -> None:
    """Raise :class:`InputError` when ``record`` has no valid Content-Length: warcio would
    then read to the end of the archive as this record's content, and every record after
    it would be lost inside it."""
    length = record.rec_headers.get_header("Content-Length")
    if length is None or not length.strip().isdigit():
        raise InputError(
            f"Content-Length is {'missing' if length is None else repr(length)}", input=name
        )


def _missing_bytes(record: Any) -> int:
    """How many bytes of ``record`` (by its Content-Length) the archive does not hold."""
    raw = record.raw_stream
    while raw.read(_SCAN_CHUNK):
        pass
    return int(getattr(raw, "limit", 0) or 0)


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
    stream: BinaryIO,
    *,
    config: IngestConfig,
    source_name: str,
    stats: IngestStats | None = None,
) -> Iterator[Article | Failure]:
    """Yield one Article per HTML ``response`` record in a WARC (plain or gzipped).

    A record that cannot be read or extracted, or that the archive cuts short, becomes a
    Failure (``input`` is ``source@offset``) and the next record is read; a break in the
    archive structure on a non-seekable stream ends the archive with one Failure, and so
    does an archive that ends inside a gzip member.  Records that are not HTML pages
    (requests, metadata, DNS, images, redirects) are counted in ``stats.skipped``.
    """
    archive_class = _archive_iterator()

    seekable = _seekable(stream)
    gzipped = False
    if seekable:
        start = stream.tell()
        gzipped = stream.read(2) == b"\x1f\x8b"
        stream.seek(start)
    records = articles = failures = 0
    while True:
        archive = archive_class(stream)
        reader = iter(archive)
        broken: Exception | None = None
        overrun: int | None = None  # where the next record starts inside an over-long one
        length_errors = 0
        while True:
            try:
                with _quiet():
                    record = next(reader)
                    _check_length(record, name=f"{source_name}@{archive.offset}")
            except StopIteration:
                break
            # warcio is not hardened against hostile bytes (it raises AttributeError,
            # ValueError, zlib.error, ...): any error here means the archive is broken here.
            except Exception as err:
                broken = err
                break
            records += 1
            name = f"{source_name}@{archive.offset}"
            if archive.err_count > length_errors:
                length_errors = archive.err_count
                failures += 1
                yield Failure(
                    input=name,
                    code=InputError.code,
                    message="unexpected bytes before this record: the previous record's "
                    "Content-Length does not match its content, so it may be cut",
                )
            uri: str | None = None
            record_at = archive.offset
            try:
                uri = record.rec_headers.get_header("WARC-Target-URI")
                with _quiet():
                    article = _record_article(record, config=config, name=name)
                    missing = _missing_bytes(record)
                if missing:
                    # Either the archive is cut, or the Content-Length is too large and
                    # the records after this one are inside it: look for the next one.
                    inside = (
                        _next_record_start(stream, record_at + 1, gzipped=gzipped)
                        if seekable
                        else None
                    )
                    if inside is not None:
                        overrun = inside
                        raise InputError(
                            f"Content-Length ({int(record.length or 0):,} bytes) runs past "
                            "the next record, which starts inside it; skipped to that record",
                            input=name,
                        )
                    raise InputError(
                        f"truncated WARC record: the archive ends {missing:,} bytes before "
                        f"the end of this {int(record.length or 0):,}-byte record",
                        input=name,
                    )
            except ClaimgraphError as err:
                failures += 1
                message = f"{uri}: {err.message}" if uri else err.message
                yield Failure(input=name, code=err.code, message=message)
                if overrun is not None:
                    break
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
            elif stats is not None:
                stats.skipped["WARC records that are not HTML pages"] += 1
        with _quiet():
            archive.close()
        if overrun is not None:
            stream.seek(overrun)
            continue
        if archive.err_count > length_errors and broken is None:
            failures += 1
            yield Failure(
                input=f"{source_name}@{archive.offset}",
                code=InputError.code,
                message="unexpected bytes after the last record read: a record's "
                "Content-Length does not match its content, so records after it may be lost",
            )
        if archive.truncated and broken is None:
            failures += 1
            yield Failure(
                input=f"{source_name}@{archive.offset}",
                code=InputError.code,
                message="truncated archive: it ends inside a gzip member, so the record "
                "there is cut and any after it are lost",
            )
        if broken is None:
            break
        failures += 1
        failed_at = archive.offset
        text = broken.message if isinstance(broken, ClaimgraphError) else str(broken)
        detail = (text.splitlines() or [type(broken).__name__])[0][:200]
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
