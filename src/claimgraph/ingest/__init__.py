"""Turn user input into :class:`~claimgraph.model.Article` objects or recorded failures.

:func:`load_inputs` takes paths, ``-`` (stdin, read as bytes) and URLs, picks a format
(plain text, HTML, JSONL, RSS/Atom, WARC) by scheme, extension and content sniffing,
and yields one :class:`Article` per document, or a :class:`Failure` that says why an
input could not be read.  One bad input never stops the batch.

One module per input kind: :mod:`~claimgraph.ingest.text` (decoding, the one
normalisation of ``Article.text``, the checks), :mod:`~claimgraph.ingest.html`
(trafilatura extraction), :mod:`~claimgraph.ingest.jsonl`, :mod:`~claimgraph.ingest.feed`
(RSS/Atom), :mod:`~claimgraph.ingest.warc` and :mod:`~claimgraph.ingest.fetch` (URLs);
this module only picks the kind and dispatches.  ``raw_sha256`` is the sha256 of the raw
input bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Final

from claimgraph.config import IngestConfig
from claimgraph.errors import (
    ClaimgraphError,
    ConfigError,
    EmptyInputError,
    InputError,
    InputTooLargeError,
)
from claimgraph.ingest.feed import articles_from_feed
from claimgraph.ingest.fetch import fetch_url, url_scheme
from claimgraph.ingest.html import article_from_html
from claimgraph.ingest.jsonl import articles_from_jsonl
from claimgraph.ingest.stats import IngestStats
from claimgraph.ingest.text import (
    MIN_LANGUAGE_CHARS,
    UTF8_BOM,
    article_from_text,
    check_text,
    decode_bytes,
    detect_language,
    normalise_text,
    sniff_binary,
)
from claimgraph.ingest.warc import articles_from_warc
from claimgraph.model import Article, Failure, SourceKind

logger = logging.getLogger(__name__)

#: Values accepted for ``input_format``.
INPUT_FORMATS: Final = ("auto", "text", "html", "jsonl", "feed", "warc")
# fmt: off
_FORMAT_ALIASES: Final = {
    "txt": "text", "rss": "feed", "atom": "feed", "xml": "feed", "ndjson": "jsonl",
}
_EXTENSIONS: Final = {
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".xml": "feed", ".rss": "feed", ".atom": "feed",
    ".warc": "warc", ".warc.gz": "warc",
    ".txt": "text", ".text": "text", ".md": "text",
}
# fmt: on
_STREAMED: Final = frozenset({"jsonl", "warc"})
_SNIFF_BYTES: Final = 64 * 1024

_HTML_START = re.compile(
    rb"<(!doctype\s+html|html|head|body|meta|title|div|p|article|section"
    rb"|main|span|a|h[1-6]|table|ul|script|style|link)[\s>/]",
    re.I,
)
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:rdf)[\s>]", re.I)

# ---------------------------------------------------------------------------
# Format detection
# ---------------------------------------------------------------------------


def _extension_format(name: str) -> str | None:
    lower = name.lower()
    for ext in sorted(_EXTENSIONS, key=len, reverse=True):
        if lower.endswith(ext):
            return _EXTENSIONS[ext]
    return None


def sniff_format(head: bytes) -> str:
    """Guess the format of a document from its first bytes: html, feed, warc, jsonl or text."""
    if head.startswith(b"WARC/"):
        return "warc"
    if head[:2] == b"\x1f\x8b":
        try:
            start = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head[:4096], 16)
        except zlib.error:
            return "text"
        return "warc" if start.startswith(b"WARC/") else "text"
    head = head.removeprefix(UTF8_BOM)
    stripped = head.lstrip()
    if stripped.startswith(b"<?xml"):
        return (
            "feed"
            if _FEED_ROOT.search(stripped[:4096])
            else ("html" if b"<html" in stripped[:4096].lower() else "feed")
        )
    if _FEED_ROOT.match(stripped):
        return "feed"
    while stripped.startswith(b"<!--") and b"-->" in stripped:
        stripped = stripped.split(b"-->", 1)[1].lstrip()
    if _HTML_START.match(stripped):
        return "html"
    if stripped.startswith(b"{"):
        first = stripped.split(b"\n", 1)[0]
        try:
            if isinstance(json.loads(first), dict):
                return "jsonl"
        except ValueError:
            pass
    return "text"


def _content_type_format(mime: str | None) -> str | None:
    if not mime:
        return None
    if mime in ("text/html", "application/xhtml+xml"):
        return "html"
    if mime in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return "feed"
    if mime in ("application/x-ndjson", "application/jsonl", "application/x-jsonlines"):
        return "jsonl"
    if mime == "application/warc":
        return "warc"
    if mime == "text/plain":
        return "text"
    return None


# ---------------------------------------------------------------------------
# Streams
# ---------------------------------------------------------------------------


class _PrefixedStream(io.RawIOBase):
    """Replays bytes already read (for sniffing), then continues with the stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._pos = 0
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._pos < len(self._head):
            n = min(len(buffer), len(self._head) - self._pos)
            buffer[:n] = self._head[self._pos : self._pos + n]
            self._pos += n
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_capped(stream: BinaryIO, *, name: str, config: IngestConfig) -> bytes:
    data = stream.read(config.max_bytes + 1)
    if len(data) > config.max_bytes:
        raise InputTooLargeError(
            f"input is over {config.max_bytes:,} bytes (ingest.max_bytes); "
            "split it or raise the limit",
            input=name,
        )
    return data


def _load_document(
    data: bytes,
    *,
    fmt: str,
    name: str,
    config: IngestConfig,
    url: str | None = None,
    source_kind: SourceKind,
    charset: str | None = None,
    stats: IngestStats | None = None,
) -> Iterator[Article | Failure]:
    if fmt == "feed":
        yield from articles_from_feed(data, config=config, source_name=name)
    elif fmt == "jsonl":
        yield from articles_from_jsonl(io.BytesIO(data), config=config, source_name=name)
    elif fmt == "warc":
        yield from articles_from_warc(
            io.BytesIO(data), config=config, source_name=name, stats=stats
        )
    elif fmt == "html":
        yield article_from_html(
            data,
            url=url,
            config=config,
            source_name=name,
            source_kind=source_kind,
            declared_charset=charset,
        )
    else:
        if not data.strip():
            raise EmptyInputError(
                "input is empty (or only whitespace); nothing to analyse", input=name
            )
        text = decode_bytes(data, name=name, declared_charset=charset)
        yield article_from_text(
            text,
            url=url,
            config=config,
            source_name=name,
            source_kind=source_kind,
            raw_sha256=hashlib.sha256(data).hexdigest(),
        )


def _load_url(
    spec: str, *, fmt: str, config: IngestConfig, stats: IngestStats | None
) -> Iterator[Article | Failure]:
    result = fetch_url(spec, config=config)
    if fmt == "auto":
        fmt = _content_type_format(result.content_type) or sniff_format(result.body[:_SNIFF_BYTES])
        if fmt == "text" and result.content_type not in (None, "text/plain"):
            fmt = sniff_format(result.body[:_SNIFF_BYTES])
    yield from _load_document(
        result.body, fmt=fmt, name=spec, config=config, url=result.final_url,
        source_kind="url", charset=result.charset, stats=stats,
    )  # fmt: skip


def _directory_files(directory: Path, stats: IngestStats | None) -> list[str]:
    """The files under ``directory`` (recursively, sorted, hidden ones left out) whose
    extension names an input kind; others are counted in ``stats.skipped``."""
    found: list[str] = []
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory).parts
        if any(part.startswith(".") for part in relative) or not path.is_file():
            continue
        if _extension_format(path.name) is None:
            if stats is not None:
                stats.skipped["files of other kinds in directories"] += 1
            continue
        found.append(str(path))
    return found


def _load_path(
    spec: str, *, fmt: str, config: IngestConfig, stats: IngestStats | None
) -> Iterator[Article | Failure]:
    path = Path(spec)
    if path.is_dir():
        files = _directory_files(path, stats)
        if not files:
            raise InputError(
                "directory holds no text, HTML, JSONL, feed or WARC files", input=spec
            )
        yield from _iter_inputs(files, fmt=fmt, config=config, stdin=None, stats=stats)
        return
    try:
        size = path.stat().st_size
        handle = path.open("rb")
    except FileNotFoundError as err:
        raise InputError(
            "no such file; check the path (or pass an http(s) URL)", input=spec
        ) from err
    except PermissionError as err:
        raise InputError("permission denied reading the file", input=spec) from err
    except OSError as err:
        raise InputError(f"cannot open the file: {err.strerror or err}", input=spec) from err
    with handle:
        if size == 0:
            raise EmptyInputError("file is empty; nothing to analyse", input=spec)
        if fmt == "auto":
            fmt = _extension_format(spec) or sniff_format(handle.read(_SNIFF_BYTES))
            handle.seek(0)
        if fmt in _STREAMED:
            yield from _load_stream(handle, fmt=fmt, name=spec, config=config, stats=stats)
            return
        if size > config.max_bytes:
            raise InputTooLargeError(
                f"file is {size:,} bytes, over the {config.max_bytes:,}-byte limit "
                "(ingest.max_bytes); split it or raise the limit",
                input=spec,
            )
        try:
            data = handle.read()
        except OSError as err:
            raise InputError(f"cannot read the file: {err.strerror or err}", input=spec) from err
    kind: SourceKind = "html" if fmt == "html" else "text"
    yield from _load_document(
        data, fmt=fmt, name=spec, config=config, source_kind=kind, stats=stats
    )


def _load_stream(
    stream: BinaryIO, *, fmt: str, name: str, config: IngestConfig, stats: IngestStats | None
) -> Iterator[Article | Failure]:
    if fmt == "jsonl":
        yield from articles_from_jsonl(stream, config=config, source_name=name)
    else:
        yield from articles_from_warc(stream, config=config, source_name=name, stats=stats)


def _load_stdin(
    stdin: BinaryIO, *, fmt: str, config: IngestConfig, stats: IngestStats | None
) -> Iterator[Article | Failure]:
    head = stdin.read(_SNIFF_BYTES)
    if fmt == "auto":
        fmt = sniff_format(head)
    stream: BinaryIO = io.BufferedReader(_PrefixedStream(head, stdin))
    if fmt in _STREAMED:
        yield from _load_stream(stream, fmt=fmt, name="-", config=config, stats=stats)
        return
    data = _read_capped(stream, name="-", config=config)
    if not data.strip():
        raise EmptyInputError("standard input is empty; nothing to analyse", input="-")
    yield from _load_document(
        data, fmt=fmt, name="-", config=config, source_kind="stdin", stats=stats
    )


def _load_one(
    spec: str,
    *,
    fmt: str,
    config: IngestConfig,
    stdin: BinaryIO | None,
    stats: IngestStats | None,
) -> Iterator[Article | Failure]:
    if spec == "-":
        yield from _load_stdin(
            stdin if stdin is not None else sys.stdin.buffer, fmt=fmt, config=config, stats=stats
        )
    elif url_scheme(spec) is not None and not Path(spec).exists():
        yield from _load_url(spec, fmt=fmt, config=config, stats=stats)
    else:
        yield from _load_path(spec, fmt=fmt, config=config, stats=stats)


def _iter_inputs(
    specs: Iterable[str],
    *,
    fmt: str,
    config: IngestConfig,
    stdin: BinaryIO | None,
    stats: IngestStats | None,
) -> Iterator[Article | Failure]:
    for spec in specs:
        try:
            yield from _load_one(spec, fmt=fmt, config=config, stdin=stdin, stats=stats)
        except ClaimgraphError as err:
            logger.debug("input %s failed: %s", spec, err)
            yield Failure(input=spec, code=err.code, message=err.message)
        except (OSError, EOFError, gzip.BadGzipFile) as err:  # a stream broke mid-read
            yield Failure(input=spec, code=InputError.code, message=f"cannot read the input: {err}")
        except Exception as err:  # a bug, here or in a library, must not end the batch
            logger.debug("input %s failed unexpectedly", spec, exc_info=True)
            yield Failure(
                input=spec,
                code=InputError.code,
                message=f"unexpected error reading the input: {type(err).__name__}: {err}",
            )


def load_document(
    data: bytes,
    *,
    name: str,
    config: IngestConfig,
    input_format: str = "auto",
    stats: IngestStats | None = None,
) -> Iterator[Article | Failure]:
    """One file's bytes, read by someone else (a Spark job reads them from any Hadoop
    file system), as Articles or Failures, exactly as :func:`load_inputs` reads the file
    ``name``: the format by extension, then by content; a WARC record or JSONL line that
    cannot be read is a Failure of its own, and so is a file that cannot be read at all.
    """
    fmt = _FORMAT_ALIASES.get(input_format.lower(), input_format.lower())
    try:
        if fmt not in INPUT_FORMATS:
            raise ConfigError(f"unknown input format {input_format!r}")
        if not data:
            raise EmptyInputError("file is empty; nothing to analyse", input=name)
        if fmt == "auto":
            fmt = _extension_format(name) or sniff_format(data[:_SNIFF_BYTES])
        if fmt not in _STREAMED and len(data) > config.max_bytes:
            raise InputTooLargeError(
                f"file is {len(data):,} bytes, over the {config.max_bytes:,}-byte limit "
                "(ingest.max_bytes); split it or raise the limit",
                input=name,
            )
        kind: SourceKind = "html" if fmt == "html" else "text"
        yield from _load_document(
            data, fmt=fmt, name=name, config=config, source_kind=kind, stats=stats
        )
    except ClaimgraphError as err:
        yield Failure(input=name, code=err.code, message=err.message)
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        yield Failure(input=name, code=InputError.code, message=f"cannot read the input: {err}")
    except Exception as err:  # a bug, here or in a library, must not end the batch
        logger.debug("input %s failed unexpectedly", name, exc_info=True)
        yield Failure(
            input=name,
            code=InputError.code,
            message=f"unexpected error reading the input: {type(err).__name__}: {err}",
        )


def count_documents(specs: Iterable[str], *, input_format: str = "auto") -> int | None:
    """How many results :func:`load_inputs` will give for ``specs``, where that is cheap to
    know: one per single-document file, one per non-blank line of a JSONL file.  ``None``
    when an input is a feed, a WARC archive, a URL or stdin (their count shows only as
    they are read).  For progress bars; reads JSONL files once more.
    """
    fmt = _FORMAT_ALIASES.get(input_format.lower(), input_format.lower())
    total = 0
    for spec in specs:
        path = Path(spec)
        if spec == "-" or (url_scheme(spec) is not None and not path.exists()):
            return None
        if path.is_dir():
            inner = count_documents(_directory_files(path, None), input_format=input_format)
            if inner is None:
                return None
            total += max(inner, 1)
            continue
        if not path.is_file():
            total += 1  # it will be one failure
            continue
        kind = fmt
        if kind == "auto":
            kind = _extension_format(spec) or _sniff_file(path)
        if kind in ("feed", "warc"):
            return None
        total += _count_lines(path) if kind == "jsonl" else 1
    return total


def _sniff_file(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return sniff_format(handle.read(_SNIFF_BYTES))
    except OSError:
        return "text"


def _count_lines(path: Path) -> int:
    count = 0
    try:
        with path.open("rb") as handle:
            for line in handle:
                count += bool(line.strip())
    except OSError:
        return 1
    return max(count, 1)


def load_inputs(
    specs: Iterable[str],
    *,
    config: IngestConfig,
    stdin: BinaryIO | None = None,
    input_format: str = "auto",
    stats: IngestStats | None = None,
) -> Iterator[Article | Failure]:
    """Read each spec (a path, a directory, ``-`` for stdin, or a URL) and yield Articles
    or Failures.  A directory stands for its files, recursively, in name order.

    ``input_format`` is ``auto`` (by scheme, extension and content sniffing) or one of
    ``text``, ``html``, ``jsonl``, ``feed`` (RSS/Atom), ``warc``.  A bad input never
    raises: it becomes ``Failure(input=spec, code=..., message=...)`` and the batch goes
    on.  Records passed over on purpose (WARC records that are not pages) are counted
    in ``stats``.  Raises :class:`ConfigError` at once for an unknown ``input_format``.
    """
    fmt = _FORMAT_ALIASES.get(input_format.lower(), input_format.lower())
    if fmt not in INPUT_FORMATS:
        raise ConfigError(
            f"unknown input format {input_format!r}; choose one of: {', '.join(INPUT_FORMATS)}"
        )
    return _iter_inputs(specs, fmt=fmt, config=config, stdin=stdin, stats=stats)


__all__ = [
    "INPUT_FORMATS",
    "MIN_LANGUAGE_CHARS",
    "IngestStats",
    "article_from_html",
    "article_from_text",
    "articles_from_feed",
    "articles_from_jsonl",
    "articles_from_warc",
    "check_text",
    "count_documents",
    "decode_bytes",
    "detect_language",
    "load_document",
    "load_inputs",
    "normalise_text",
    "sniff_binary",
    "sniff_format",
]
