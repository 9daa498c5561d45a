"""Turn user input into :class:`~claimgraph.model.Article` objects or recorded failures.

:func:`load_inputs` takes paths, ``-`` (stdin, read as bytes) and URLs, picks a format
(plain text, HTML, JSONL, RSS/Atom, WARC) by scheme, extension and content sniffing,
and yields one :class:`Article` per document, or a :class:`Failure` that says why an
input could not be read.  One bad input never stops the batch.

``Article.text`` is normalised exactly once, here (``\\r\\n`` → ``\\n``, trailing
whitespace stripped); every offset later stages report refers to that text and it is
never changed again.  ``raw_sha256`` is the sha256 of the raw input bytes.
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
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final

from .config import IngestConfig
from .errors import (
    BinaryInputError,
    ClaimgraphError,
    ConfigError,
    EmptyInputError,
    InputError,
    InputTooLargeError,
    LanguageError,
)
from .extract import extract_html
from .fetch import fetch_url, url_scheme
from .model import Article, Failure, SourceKind

if TYPE_CHECKING:
    from lingua import LanguageDetector

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

_MAGIC: Final = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx)"),
    (b"\x7fELF", "an executable"),
    (b"OggS", "an audio/video file"),
    (b"ID3", "an MP3 file"),
    (b"\x00\x00\x01\x00", "an icon image"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
)
_BOMS: Final = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_HTML_START = re.compile(
    rb"<(!doctype\s+html|html|head|body|meta|title|div|p|article|section"
    rb"|main|span|a|h[1-6]|table|ul|script|style|link)[\s>/]",
    re.I,
)
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:rdf)[\s>]", re.I)

#: Texts shorter than this (characters) are too short to judge the language reliably.
MIN_LANGUAGE_CHARS: Final = 120
_LANGUAGE_SAMPLE: Final = 2000
_LANGUAGE_CONFIDENCE: Final = 0.6
# C0/C1 controls other than \t \n \v \f \r, replacement characters, lone surrogates.
_CONTROL = re.compile("[\x01-\x08\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff]")
#: Share of control/replacement characters above which decoded text counts as binary.
_MAX_CONTROL_SHARE: Final = 0.01


# ---------------------------------------------------------------------------
# Bytes → text
# ---------------------------------------------------------------------------


def sniff_binary(data: bytes) -> str | None:
    """A description of what ``data`` looks like if it is a known binary format."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return "a RIFF media file"
    if data[:2] == b"\x1f\x8b":
        return "a gzip archive"
    return None


def _check_decoded(text: str, *, name: str | None) -> str:
    if "\x00" in text:
        raise BinaryInputError(
            "input contains NUL bytes; this looks like a binary file", input=name
        )
    bad = len(_CONTROL.findall(text))
    if text and bad > _MAX_CONTROL_SHARE * len(text):
        raise BinaryInputError(
            f"input contains {bad} control or undecodable characters; this looks like a binary "
            "file, not text",
            input=name,
        )
    return text


def decode_bytes(
    data: bytes, *, name: str | None = None, declared_charset: str | None = None, html: bool = False
) -> str:
    """Decode raw input bytes to text, or raise :class:`BinaryInputError`.

    Order: binary magic numbers are refused; a byte-order mark wins (and is dropped);
    then the declared charset (HTTP header, or ``<meta charset>`` when ``html``); then
    strict UTF-8; then charset detection.  Text full of control characters is binary.
    """
    what = sniff_binary(data)
    if what is not None:
        raise BinaryInputError(f"input looks like {what}, not text or HTML", input=name)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _check_decoded(data[len(bom) :].decode(encoding), name=name)
            except UnicodeDecodeError as err:
                raise BinaryInputError(
                    f"input has a {encoding} byte-order mark but is not valid "
                    f"{encoding} ({err.reason} at byte {err.start})",
                    input=name,
                ) from err
    if b"\x00" in data:
        raise BinaryInputError(
            "input contains NUL bytes; this looks like a binary file", input=name
        )
    candidates: list[str] = []
    if declared_charset:
        candidates.append(declared_charset)
    if html:
        match = _META_CHARSET.search(data[:4096])
        if match:
            candidates.append(match.group(1).decode("ascii", "replace"))
    candidates.append("utf-8")
    for encoding in candidates:
        try:
            return _check_decoded(data.decode(encoding), name=name)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise BinaryInputError(
            "input is not valid UTF-8 and no other text encoding fits; is it a binary file? "
            "Convert it to UTF-8 and try again",
            input=name,
        )
    logger.debug("%s: decoded as %s (detected)", name, best.encoding)
    return _check_decoded(str(best), name=name)


def normalise_text(text: str) -> str:
    """The one normalisation ``Article.text`` gets: BOM dropped, ``\\r\\n``/``\\r`` → ``\\n``,
    trailing whitespace stripped from every line, leading and trailing blank space removed."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    from lingua import Language, LanguageDetectorBuilder

    languages = [
        Language.ENGLISH, Language.GERMAN, Language.FRENCH, Language.SPANISH,
        Language.ITALIAN, Language.PORTUGUESE, Language.DUTCH, Language.RUSSIAN,
        Language.UKRAINIAN, Language.POLISH, Language.TURKISH, Language.ARABIC,
        Language.CHINESE, Language.JAPANESE, Language.INDONESIAN, Language.SWEDISH,
    ]  # fmt: skip
    # Low-accuracy mode (trigrams only) builds in ~0.1 s instead of seconds, and is
    # reliable on texts of MIN_LANGUAGE_CHARS and more, the only ones we judge.
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_preloaded_language_models()
        .with_low_accuracy_mode()
        .build()
    )


def detect_language(text: str) -> tuple[str, str, float] | None:
    """``(iso_code, name, confidence)`` of ``text``'s language, or ``None`` if too short."""
    sample = text[:_LANGUAGE_SAMPLE]
    if sum(ch.isalpha() for ch in sample) < MIN_LANGUAGE_CHARS:
        return None
    values = _detector().compute_language_confidence_values(sample)
    if not values:
        return None
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), best.language.name.title(), best.value


def check_text(text: str, *, config: IngestConfig, name: str | None = None) -> str | None:
    """Check normalised text; return its detected language code (``None`` if undecided).

    Raises :class:`EmptyInputError` for empty or too-short text,
    :class:`BinaryInputError` for control characters and :class:`LanguageError` for
    confidently non-English text (when ``config.check_language``).
    """
    if not text:
        raise EmptyInputError("input is empty (or only whitespace); nothing to analyse", input=name)
    if len(text) < config.min_chars:
        raise EmptyInputError(
            f"text is only {len(text)} characters; at least {config.min_chars} are needed "
            "(ingest.min_chars)",
            input=name,
        )
    _check_decoded(text, name=name)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise BinaryInputError(
            f"text contains unencodable characters ({err.reason})", input=name
        ) from err
    detected = detect_language(text)
    if detected is None:
        return None
    code, language, confidence = detected
    if config.check_language and code != "en" and confidence >= _LANGUAGE_CONFIDENCE:
        raise LanguageError(
            f"text appears to be {language} ({code}, confidence {confidence:.2f}), not English; "
            "claimgraph analyses English news. Set ingest.check_language = false to try anyway",
            input=name,
        )
    return code if confidence >= _LANGUAGE_CONFIDENCE else None


def _guess_title(text: str) -> str | None:
    first, sep, _ = text.partition("\n\n")
    if sep and "\n" not in first and len(first) <= 200 and not first.rstrip().endswith((".", ":")):
        return first.strip() or None
    return None


# ---------------------------------------------------------------------------
# Single documents
# ---------------------------------------------------------------------------


def article_from_text(
    text: str,
    *,
    url: str | None = None,
    title: str | None = None,
    config: IngestConfig,
    source_name: str | None = None,
    source_kind: SourceKind = "text",
    raw_sha256: str | None = None,
) -> Article:
    """Build an :class:`Article` from plain text.

    The text is normalised once (:func:`normalise_text`) and checked
    (:func:`check_text`).  Without a ``title``, a short first line followed by a blank
    line is taken as the headline (it stays in the text).  ``raw_sha256`` defaults to
    the hash of ``text`` as UTF-8.  Raises :class:`InputError` subclasses.
    """
    if raw_sha256 is None:
        raw_sha256 = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    clean = normalise_text(text)
    language = check_text(clean, config=config, name=source_name)
    return Article(
        id=Article.make_id(clean, url),
        text=clean,
        url=url,
        title=title if title is not None else _guess_title(clean),
        language=language,
        source_kind=source_kind,
        source_name=source_name,
        raw_sha256=raw_sha256,
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
    """Build an :class:`Article` from an HTML page (see :func:`claimgraph.extract.extract_html`).

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
        _check_decoded(html, name=source_name)
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
    for bom, _ in _BOMS[:1]:
        head = head.removeprefix(bom)
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
) -> Iterator[Article | Failure]:
    if fmt == "feed":
        from .feeds import articles_from_feed

        yield from articles_from_feed(data, config=config, source_name=name)
    elif fmt == "jsonl":
        from .feeds import articles_from_jsonl

        yield from articles_from_jsonl(io.BytesIO(data), config=config, source_name=name)
    elif fmt == "warc":
        from .feeds import articles_from_warc

        yield from articles_from_warc(io.BytesIO(data), config=config, source_name=name)
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


def _load_url(spec: str, *, fmt: str, config: IngestConfig) -> Iterator[Article | Failure]:
    result = fetch_url(spec, config=config)
    if fmt == "auto":
        fmt = _content_type_format(result.content_type) or sniff_format(result.body[:_SNIFF_BYTES])
        if fmt == "text" and result.content_type not in (None, "text/plain"):
            fmt = sniff_format(result.body[:_SNIFF_BYTES])
    yield from _load_document(
        result.body, fmt=fmt, name=spec, config=config, url=result.final_url,
        source_kind="url", charset=result.charset,
    )  # fmt: skip


def _load_path(spec: str, *, fmt: str, config: IngestConfig) -> Iterator[Article | Failure]:
    path = Path(spec)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError("is a directory, not a file; pass the files inside it", input=spec)
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
            yield from _load_stream(handle, fmt=fmt, name=spec, config=config)
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
    yield from _load_document(data, fmt=fmt, name=spec, config=config, source_kind=kind)


def _load_stream(
    stream: BinaryIO, *, fmt: str, name: str, config: IngestConfig
) -> Iterator[Article | Failure]:
    from .feeds import articles_from_jsonl, articles_from_warc

    if fmt == "jsonl":
        yield from articles_from_jsonl(stream, config=config, source_name=name)
    else:
        yield from articles_from_warc(stream, config=config, source_name=name)


def _load_stdin(stdin: BinaryIO, *, fmt: str, config: IngestConfig) -> Iterator[Article | Failure]:
    head = stdin.read(_SNIFF_BYTES)
    if fmt == "auto":
        fmt = sniff_format(head)
    stream: BinaryIO = io.BufferedReader(_PrefixedStream(head, stdin))
    if fmt in _STREAMED:
        yield from _load_stream(stream, fmt=fmt, name="-", config=config)
        return
    data = _read_capped(stream, name="-", config=config)
    if not data.strip():
        raise EmptyInputError("standard input is empty; nothing to analyse", input="-")
    yield from _load_document(data, fmt=fmt, name="-", config=config, source_kind="stdin")


def _load_one(
    spec: str, *, fmt: str, config: IngestConfig, stdin: BinaryIO | None
) -> Iterator[Article | Failure]:
    if spec == "-":
        yield from _load_stdin(
            stdin if stdin is not None else sys.stdin.buffer, fmt=fmt, config=config
        )
    elif url_scheme(spec) is not None and not Path(spec).exists():
        yield from _load_url(spec, fmt=fmt, config=config)
    else:
        yield from _load_path(spec, fmt=fmt, config=config)


def _iter_inputs(
    specs: Iterable[str], *, fmt: str, config: IngestConfig, stdin: BinaryIO | None
) -> Iterator[Article | Failure]:
    for spec in specs:
        try:
            yield from _load_one(spec, fmt=fmt, config=config, stdin=stdin)
        except ClaimgraphError as err:
            logger.debug("input %s failed: %s", spec, err)
            yield Failure(input=spec, code=err.code, message=err.message)
        except (OSError, EOFError, gzip.BadGzipFile) as err:  # a stream broke mid-read
            yield Failure(input=spec, code=InputError.code, message=f"cannot read the input: {err}")


def load_inputs(
    specs: Iterable[str],
    *,
    config: IngestConfig,
    stdin: BinaryIO | None = None,
    input_format: str = "auto",
) -> Iterator[Article | Failure]:
    """Read each spec (a path, ``-`` for stdin, or a URL) and yield Articles or Failures.

    ``input_format`` is ``auto`` (by scheme, extension and content sniffing) or one of
    ``text``, ``html``, ``jsonl``, ``feed`` (RSS/Atom), ``warc``.  A bad input never
    raises: it becomes ``Failure(input=spec, code=..., message=...)`` and the batch goes
    on.  Raises :class:`ConfigError` at once for an unknown ``input_format``.
    """
    fmt = _FORMAT_ALIASES.get(input_format.lower(), input_format.lower())
    if fmt not in INPUT_FORMATS:
        raise ConfigError(
            f"unknown input format {input_format!r}; choose one of: {', '.join(INPUT_FORMATS)}"
        )
    return _iter_inputs(specs, fmt=fmt, config=config, stdin=stdin)


__all__ = [
    "INPUT_FORMATS",
    "MIN_LANGUAGE_CHARS",
    "article_from_html",
    "article_from_text",
    "check_text",
    "decode_bytes",
    "detect_language",
    "load_inputs",
    "normalise_text",
    "sniff_binary",
    "sniff_format",
]
