"""Plain text: bytes decoded to text, the one normalisation, the checks, the Article.

``Article.text`` is normalised exactly once, here (:func:`normalise_text`: ``\\r\\n`` →
``\\n``, trailing whitespace stripped); every offset later stages report refers to that
text and it is never changed again.  Every other input kind ends in
:func:`article_from_text` or in :func:`claimgraph.ingest.html.article_from_html`, which
uses the same normalisation and checks.
"""

from __future__ import annotations

import hashlib
import logging
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from claimgraph.config import IngestConfig
from claimgraph.errors import BinaryInputError, EmptyInputError, LanguageError
from claimgraph.model import Article, SourceKind

if TYPE_CHECKING:
    from lingua import LanguageDetector

logger = logging.getLogger(__name__)

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
#: The UTF-8 byte-order mark (dropped wherever it starts an input).
UTF8_BOM: Final = b"\xef\xbb\xbf"
_BOMS: Final = (
    (UTF8_BOM, "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)

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


def check_decoded(text: str, *, name: str | None) -> str:
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
    strict UTF-8; then UTF-8 with a few damaged byte sequences replaced (logged as a
    warning with their number); then charset detection.  Text full of control
    characters is binary.
    """
    what = sniff_binary(data)
    if what is not None:
        raise BinaryInputError(f"input looks like {what}, not text or HTML", input=name)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return check_decoded(data[len(bom) :].decode(encoding), name=name)
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
            return check_decoded(data.decode(encoding), name=name)
        except (UnicodeDecodeError, LookupError):
            continue
    legacy = _legacy_decoding(data, name=name)
    if legacy is not None:
        check_decoded(legacy.replace("\ufffd", " "), name=name)  # counted and logged already
        return legacy
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise BinaryInputError(
            "input is not valid UTF-8 and no other text encoding fits; is it a binary file? "
            "Convert it to UTF-8 and try again",
            input=name,
        )
    logger.info("%s: not UTF-8; decoded as %s (detected)", name or "input", best.encoding)
    return check_decoded(str(best), name=name)


#: Share of damaged sequences up to which UTF-8 text is kept as UTF-8 (random bytes
#: hold valid UTF-8 sequences by chance, but far more invalid ones).
_MAX_DAMAGED_SHARE = 0.05
#: Share of ASCII bytes above which a text that is not UTF-8 is read as Windows-1252
#: (English news with a few accented letters; HTML5 reads latin-1 pages the same way).
_WESTERN_ASCII_SHARE = 0.9


def _legacy_decoding(data: bytes, *, name: str | None) -> str | None:
    """``data`` (not valid UTF-8) decoded the way it most likely was written, or ``None``
    to leave it to charset detection.

    Text that holds valid multi-byte UTF-8 sequences is UTF-8 with some damage: the
    damaged sequences are replaced with U+FFFD and their number is logged as a warning
    (a detector would read all of it in a legacy code page, as mojibake).  Otherwise,
    mostly ASCII text is Windows-1252.
    """
    replaced = data.decode("utf-8", errors="replace")
    damaged = replaced.count("\ufffd") - data.count("\ufffd".encode())
    multibyte = any(ord(ch) > 127 and ch != "\ufffd" for ch in replaced)
    if multibyte and damaged <= _MAX_DAMAGED_SHARE * len(replaced):
        logger.warning(
            "%s: %d byte sequence%s not valid UTF-8 and replaced with U+FFFD",
            name or "input",
            damaged,
            " is" if damaged == 1 else "s are",
        )
        return replaced
    if sum(byte < 128 for byte in data) >= _WESTERN_ASCII_SHARE * len(data):
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return None
        logger.info("%s: not UTF-8; decoded as Windows-1252", name or "input")
        return text
    return None


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
    check_decoded(text, name=name)
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



__all__ = [
    "MIN_LANGUAGE_CHARS",
    "UTF8_BOM",
    "article_from_text",
    "check_decoded",
    "check_text",
    "decode_bytes",
    "detect_language",
    "normalise_text",
    "sniff_binary",
]
