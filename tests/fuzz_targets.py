"""Fuzz targets for every parser of untrusted input, shared by tests/test_fuzz.py (a few
hundred cases per target on every run) and benchmarks/fuzz.py (a long run).

Each target takes bytes (or text) from the fuzzer, runs one parser, and checks the
property every parser must keep: it raises nothing but claimgraph's own errors (and
only those its contract names), and what it returns is well formed.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from claimgraph.config import IngestConfig
from claimgraph.errors import ClaimgraphError, ConfigError, FetchError, InputError
from claimgraph.ingest import load_inputs
from claimgraph.ingest.text import normalise_text
from claimgraph.model import Article, Failure

CONFIG = IngestConfig(check_language=False, min_chars=1)


def _ingest(data: bytes, input_format: str) -> None:
    results = list(
        load_inputs(["-"], config=CONFIG, stdin=io.BytesIO(data), input_format=input_format)
    )
    assert results, "an input gave neither an article nor a failure"
    for result in results:
        assert isinstance(result, Article | Failure), type(result)
        if isinstance(result, Article):
            assert result.text and result.text == normalise_text(result.text)
            for block in result.metadata_blocks:
                assert isinstance(block.text, str)
        else:
            assert result.code.startswith("CG")


def target_text(data: bytes) -> None:
    _ingest(data, "text")


def target_html(data: bytes) -> None:
    _ingest(data, "html")


def target_jsonl(data: bytes) -> None:
    _ingest(data, "jsonl")


def target_feed(data: bytes) -> None:
    _ingest(data, "feed")


def target_warc(data: bytes) -> None:
    _ingest(data, "warc")


def target_auto(data: bytes) -> None:
    _ingest(data, "auto")


def target_url(data: bytes) -> None:
    from claimgraph.ingest.fetch import check_url, url_scheme

    text = data.decode("utf-8", errors="replace")
    url_scheme(text)
    try:
        checked = check_url(text)
    except FetchError:
        return
    assert checked.split(":", 1)[0].lower() in ("http", "https")


def target_config(data: bytes) -> None:
    from claimgraph.config import load_config

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cg.toml"
        path.write_bytes(data)
        try:
            load_config(path)
        except ConfigError:
            return


def target_dictionary(data: bytes) -> None:
    from claimgraph.actors.dictionary import load_dictionaries

    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".csv", ".txt"):
            path = Path(tmp) / f"actors{suffix}"
            path.write_bytes(data)
            try:
                dictionary = load_dictionaries([path], builtin=False)
            except ConfigError:
                continue
            assert dictionary.report.entries > 0


#: Every target, by name.
TARGETS: dict[str, Callable[[bytes], None]] = {
    name.removeprefix("target_"): fn
    for name, fn in sorted(globals().items())
    if name.startswith("target_") and callable(fn)
}

#: Well-formed inputs the fuzzer mutates, so that it reaches past the first byte.
SEEDS: dict[str, list[bytes]] = {
    "text": [b"The mayor said on Tuesday that the harbour would reopen next week."],
    "html": [
        b"<html><head><title>Harbour</title></head><body><article><p>The mayor said on "
        b"Tuesday that the harbour would reopen.</p></article></body></html>",
        b"<p>The mayor said the harbour would reopen.</p>",
    ],
    "jsonl": [
        json.dumps({"id": 1, "text": "The mayor said the harbour would reopen."}).encode()
        + b"\n"
        + json.dumps({"id": "b", "html": "<p>Officials said talks resume.</p>"}).encode()
    ],
    "feed": [
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>News</title><item>"
        b"<title>Harbour</title><link>https://example.org/a</link><description>The mayor "
        b"said the harbour would reopen.</description></item></channel></rss>"
    ],
    "url": [b"https://example.org/news/story?id=1#top", b"http://[::1]:8080/a"],
    "config": [b'[ingest]\ntimeout_s = 5\n[attribution]\nweights = "w"\n'],
    "dictionary": [b"Harbour Authority,HRB,ORGANIZATION\n", b"HARBOUR_AUTHORITY_ [HRB]\n"],
}
SEEDS["auto"] = SEEDS["html"] + SEEDS["jsonl"] + SEEDS["feed"]


def warc_seed() -> bytes:
    """A two-record WARC (built on demand: it needs warcio)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for i in range(2):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.0")
        page = f"<html><body><p>The mayor said story {i} would run.</p></body></html>"
        writer.write_record(
            writer.create_warc_record(
                f"http://example.org/{i}",
                "response",
                payload=io.BytesIO(page.encode()),
                http_headers=headers,
            )
        )
    return buffer.getvalue()


def mutate(seed: bytes, cuts: list[tuple[int, int, bytes]]) -> bytes:
    """``seed`` with each ``(position, length, replacement)`` applied in turn."""
    data = seed
    for position, length, replacement in cuts:
        at = position % (len(data) + 1)
        data = data[:at] + replacement + data[at + length :]
    return data


def run(name: str, data: bytes) -> None:
    """Run target ``name`` on ``data``; an exception other than claimgraph's is a finding."""
    try:
        TARGETS[name](data)
    except (InputError, ConfigError):
        pass  # a clear refusal is a correct answer
    except ClaimgraphError as err:  # any other claimgraph error: a finding for review
        raise AssertionError(f"{name}: unexpected {type(err).__name__}: {err}") from err
