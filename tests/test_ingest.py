"""Tests for claimgraph.ingest (dispatch, text/JSONL/stdin, bad-input rules)."""

from __future__ import annotations

import hashlib
import io
import json
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimgraph.config import IngestConfig
from claimgraph.errors import (
    BinaryInputError,
    ConfigError,
    EmptyInputError,
    InputError,
    InputTooLargeError,
    LanguageError,
)
from claimgraph.ingest import (
    article_from_html,
    article_from_text,
    detect_language,
    load_inputs,
    normalise_text,
    sniff_format,
)
from claimgraph.model import Article, Failure

CONFIG = IngestConfig()
ENGLISH = (
    "The harbour authority said on Monday that it would review safety rules after two "
    "cranes failed during a storm. Union leaders said the review was long overdue and "
    "accused managers of ignoring earlier warnings from crane operators."
)
GERMAN = (
    "Die Hafenbehörde teilte am Montag mit, dass sie die Sicherheitsregeln überprüfen "
    "werde, nachdem zwei Kräne während eines Sturms ausgefallen waren. Die Gewerkschaft "
    "sagte, die Überprüfung sei längst überfällig gewesen."
)
HTML = (
    "<!DOCTYPE html><html lang='en'><head><title>Crane failures</title></head><body>"
    f"<article><h1>Crane failures</h1><p>{ENGLISH}</p><p>{ENGLISH}</p></article></body></html>"
)


def load(*specs: str, **kwargs) -> list[Article | Failure]:
    kwargs.setdefault("config", CONFIG)
    return list(load_inputs(specs, **kwargs))


def only_failure(results: list[Article | Failure]) -> Failure:
    assert len(results) == 1 and isinstance(results[0], Failure), results
    return results[0]


# -- plain text ---------------------------------------------------------------


def test_ingest_text_normalises_once() -> None:
    article = article_from_text(f"\ufeff  {ENGLISH}  \r\nSecond line.\t\r\n\r\n", config=CONFIG)
    assert article.text == f"{ENGLISH}\nSecond line."
    assert normalise_text(article.text) == article.text
    assert article.id == Article.make_id(article.text, None)
    assert article.language == "en"


def test_ingest_text_file_keeps_raw_hash_and_name(tmp_path: Path) -> None:
    raw = f"Crane failures\r\n\r\n{ENGLISH}\r\n".encode()
    path = tmp_path / "story.txt"
    path.write_bytes(raw)
    (article,) = load(str(path))
    assert isinstance(article, Article)
    assert article.raw_sha256 == hashlib.sha256(raw).hexdigest()
    assert article.source_kind == "text"
    assert article.source_name == str(path)
    assert article.title == "Crane failures"
    assert article.text.startswith("Crane failures\n\nThe harbour")


def test_ingest_example_text(example_txt: Path) -> None:
    (article,) = load(str(example_txt))
    assert isinstance(article, Article)
    assert article.title == "Lukashenko goes against Putin, claims terrorists escaping to Belarus"
    assert "Alexander Bortnikov, head of the FSB" in article.text


def test_ingest_text_utf8_bom_stripped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + ENGLISH.encode())
    (article,) = load(str(path))
    assert isinstance(article, Article) and article.text == ENGLISH


def test_ingest_text_other_encoding_detected(tmp_path: Path) -> None:
    text = ENGLISH + " The café owner said prices would rise — and soon."
    path = tmp_path / "cp1252.txt"
    path.write_bytes(text.encode("cp1252"))
    (article,) = load(str(path))
    assert isinstance(article, Article)
    assert "café owner" in article.text


def test_ingest_text_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes(ENGLISH.encode("utf-16"))
    (article,) = load(str(path))
    assert isinstance(article, Article) and article.text == ENGLISH


# -- bad input rules ------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  "])
def test_ingest_empty_file_is_empty_input_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    failure = only_failure(load(str(path)))
    assert failure.code == EmptyInputError.code
    assert failure.input == str(path)


@pytest.mark.parametrize("text", ["", "  \n\n \t"])
def test_ingest_empty_text_raises(text: str) -> None:
    with pytest.raises(EmptyInputError):
        article_from_text(text, config=CONFIG)


def test_ingest_text_shorter_than_min_chars() -> None:
    with pytest.raises(EmptyInputError, match="at least 20"):
        article_from_text("Too short.", config=CONFIG)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        b"\xff\xd8\xff\xe0" + bytes(range(256)),
        b"Some text\x00with NUL bytes\x00" * 10,
        bytes((i * 37 + 11) % 31 + 1 for i in range(2000)),  # control characters
    ],
)
def test_ingest_binary_file_is_binary_input_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "mystery.txt"
    path.write_bytes(data)
    assert only_failure(load(str(path))).code == BinaryInputError.code


def test_ingest_binary_html_raises() -> None:
    with pytest.raises(BinaryInputError, match="PNG"):
        article_from_html(b"\x89PNG\r\n\x1a\n\x00\x00", config=CONFIG)


def test_ingest_non_english_is_language_error() -> None:
    with pytest.raises(LanguageError, match="German"):
        article_from_text(GERMAN, config=CONFIG)


def test_ingest_language_check_can_be_disabled() -> None:
    article = article_from_text(GERMAN, config=IngestConfig(check_language=False))
    assert article.language == "de"


def test_ingest_short_text_language_not_judged() -> None:
    article = article_from_text("Der Kran ist kaputt, sagte er.", config=CONFIG)
    assert article.language is None


def test_ingest_language_detection_is_fast() -> None:
    detect_language(ENGLISH)  # build the detector once
    start = time.perf_counter()
    for _ in range(20):
        assert detect_language(ENGLISH * 8) is not None
    assert (time.perf_counter() - start) / 20 < 0.05


def test_ingest_large_html_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    with path.open("wb") as handle:
        handle.write(b"<html><body><p>" + b"x" * 100)
        handle.truncate(50 * 1024 * 1024)
    tracemalloc.start()
    try:
        failure = only_failure(load(str(path)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert failure.code == InputTooLargeError.code
    assert "52,428,800 bytes" in failure.message
    assert peak < 5 * 1024 * 1024


def test_ingest_large_html_string_raises() -> None:
    config = IngestConfig(max_bytes=1000)
    with pytest.raises(InputTooLargeError, match="over the 1,000-byte limit"):
        article_from_html("<p>" + "word " * 500 + "</p>", config=config)


def test_ingest_missing_file_is_input_error(tmp_path: Path) -> None:
    failure = only_failure(load(str(tmp_path / "nope.txt")))
    assert failure.code == InputError.code
    assert "no such file" in failure.message


def test_ingest_directory_is_input_error(tmp_path: Path) -> None:
    assert only_failure(load(str(tmp_path))).code == InputError.code


@pytest.mark.parametrize(
    "url", ["ftp://example.org/a.html", "file:///etc/passwd", "javascript:alert(1)"]
)
def test_ingest_non_http_scheme_is_fetch_error(url: str) -> None:
    failure = only_failure(load(url))
    assert failure.code == "CG104"
    assert url.split(":")[0] in failure.message


def test_ingest_bad_input_does_not_stop_batch(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(ENGLISH, encoding="utf-8")
    results = load(str(tmp_path / "missing.txt"), "ftp://x/y", str(good))
    assert [type(r).__name__ for r in results] == ["Failure", "Failure", "Article"]


def test_ingest_unknown_format_is_config_error() -> None:
    with pytest.raises(ConfigError, match="choose one of"):
        load_inputs(["x"], config=CONFIG, input_format="docx")


# -- HTML, sniffing, stdin --------------------------------------------------------


def test_ingest_html_file(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_text(HTML, encoding="utf-8")
    (article,) = load(str(path))
    assert isinstance(article, Article)
    assert article.source_kind == "html"
    assert article.title == "Crane failures"
    assert article.text.startswith("The harbour authority said")
    assert article.raw_sha256 == hashlib.sha256(HTML.encode()).hexdigest()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (HTML.encode(), "html"),
        (b"  <html><body><p>x</p></body></html>", "html"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel>', "feed"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom">', "feed"),
        (b"WARC/1.0\r\nWARC-Type: warcinfo\r\n", "warc"),
        (b'{"id": "a", "text": "hello"}\n{"id": "b"}', "jsonl"),
        (b"Plain text <b>with</b> a tag later.", "text"),
        (b"{not json at all", "text"),
    ],
)
def test_ingest_sniff_format(head: bytes, expected: str) -> None:
    assert sniff_format(head) == expected


def test_ingest_sniffs_html_without_extension(tmp_path: Path) -> None:
    path = tmp_path / "download"
    path.write_text(HTML, encoding="utf-8")
    (article,) = load(str(path))
    assert isinstance(article, Article) and article.source_kind == "html"


def test_ingest_explicit_format_overrides_extension(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(HTML, encoding="utf-8")
    (article,) = load(str(path), input_format="text")
    assert isinstance(article, Article) and article.text.startswith("<!DOCTYPE html>")


def test_ingest_stdin_read_as_bytes_unchanged() -> None:
    raw = f"{ENGLISH}\r\n".encode()
    (article,) = load("-", stdin=io.BytesIO(raw))
    assert isinstance(article, Article)
    assert article.source_kind == "stdin"
    assert article.source_name == "-"
    assert article.raw_sha256 == hashlib.sha256(raw).hexdigest()
    assert article.text == ENGLISH


def test_ingest_stdin_html() -> None:
    (article,) = load("-", stdin=io.BytesIO(HTML.encode()))
    assert isinstance(article, Article)
    assert article.title == "Crane failures" and article.source_kind == "stdin"


def test_ingest_stdin_empty_and_too_large() -> None:
    assert only_failure(load("-", stdin=io.BytesIO(b""))).code == EmptyInputError.code
    config = IngestConfig(max_bytes=1000)
    big = io.BytesIO(b"word " * 100_000)
    assert only_failure(load("-", stdin=big, config=config)).code == InputTooLargeError.code


# -- JSONL ----------------------------------------------------------------------


def test_ingest_jsonl_bad_line_is_failure_and_rest_goes_on(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "r1", "url": "https://news.example/1", "title": "One", "text": ENGLISH}),
        "{this is not json",
        "",
        json.dumps({"id": 7, "html": HTML}),
        json.dumps({"id": "r3"}),
        json.dumps({"id": "r4", "text": GERMAN}),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = load(str(path))
    assert [type(r).__name__ for r in results] == [
        "Article", "Failure", "Article", "Failure", "Failure",
    ]  # fmt: skip
    first, bad_json, second, no_text, german = results
    assert isinstance(first, Article) and isinstance(second, Article)
    assert first.source_name == "r1" and first.source_kind == "jsonl"
    assert first.url == "https://news.example/1" and first.title == "One"
    assert second.source_name == "7" and second.title == "Crane failures"
    assert isinstance(bad_json, Failure) and bad_json.input == f"{path}:2"
    assert "not valid JSON" in bad_json.message
    assert isinstance(no_text, Failure) and no_text.input == f"{path}:5"
    assert isinstance(german, Failure) and german.code == LanguageError.code
    assert "'r4'" in german.message


def test_ingest_jsonl_from_stdin() -> None:
    data = (json.dumps({"id": "s1", "text": ENGLISH}) + "\n").encode()
    (article,) = load("-", stdin=io.BytesIO(data))
    assert isinstance(article, Article) and article.source_name == "s1"


# -- properties -------------------------------------------------------------------

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MARKUP = st.text(alphabet=st.sampled_from(list("<>/=\"' abcpdivhtml!-&;#\n\x00é")), max_size=300)


@FAST
@given(st.binary(max_size=2000))
def test_ingest_html_loader_raises_only_input_errors_on_bytes(data: bytes) -> None:
    try:
        article = article_from_html(data, config=CONFIG)
    except InputError:
        return
    assert article.text == normalise_text(article.text)


@FAST
@given(st.one_of(st.text(max_size=500), MARKUP))
def test_ingest_html_loader_raises_only_input_errors_on_text(html: str) -> None:
    try:
        article_from_html(html, config=CONFIG)
    except InputError:
        pass


@FAST
@given(st.text(max_size=600))
def test_ingest_text_loader_raises_only_input_errors(text: str) -> None:
    try:
        article = article_from_text(text, config=CONFIG)
    except InputError:
        return
    assert article.text == normalise_text(text)
    assert normalise_text(article.text) == article.text


@FAST
@given(st.binary(max_size=1500))
def test_ingest_load_inputs_never_raises_on_bytes(data: bytes) -> None:
    results = list(load_inputs(["-"], config=CONFIG, stdin=io.BytesIO(data)))
    assert results and all(isinstance(r, Article | Failure) for r in results)


def test_ingest_sniff_html_after_comments_and_hostile_head() -> None:
    assert sniff_format(b"<!-- saved page -->\n<!-- x --><html><body></body></html>") == "html"
    start = time.perf_counter()
    assert sniff_format(b"<!---->" * 9000 + b"x") == "text"
    assert time.perf_counter() - start < 1.0


def test_ingest_count_documents_counts_documents_not_arguments(tmp_path):
    # issue 13: the progress bar's total is documents (JSONL lines), not input arguments
    from claimgraph.ingest import count_documents

    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": 1, "text": "a"}\n\n{"id": 2, "text": "b"}\n{"id": 3, "text": "c"}\n')
    story = tmp_path / "story.txt"
    story.write_text("A story.")
    assert count_documents([str(corpus), str(story)]) == 4
    assert count_documents([str(tmp_path / "missing.txt")]) == 1  # one failure
    feed = tmp_path / "feed.xml"
    feed.write_text("<rss><channel></channel></rss>")
    assert count_documents([str(story), str(feed)]) is None
    assert count_documents(["-"]) is None
    assert count_documents(["https://example.org/a"]) is None
