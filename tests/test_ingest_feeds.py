"""Tests for claimgraph.ingest.feed, .warc and .jsonl (RSS/Atom entries, WARC records, JSONL)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from claimgraph.config import IngestConfig
from claimgraph.errors import InputError
from claimgraph.ingest import load_inputs
from claimgraph.ingest.feed import articles_from_feed
from claimgraph.ingest.warc import articles_from_warc
from claimgraph.model import Article, Failure

ROOT = Path(__file__).resolve().parents[1]
CONFIG = IngestConfig()
SENTENCE = (
    "The ferry operator said on Friday that crossings would resume next week, although "
    "the harbour master warned that repairs to the north pier were not finished."
)

RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Coast News</title><link>https://coast.example/</link>
<item><title>Ferries to resume</title><link>https://coast.example/ferries</link>
<author>desk@coast.example (Lena Frost)</author>
<pubDate>Fri, 04 Jul 2025 10:00:00 +0000</pubDate>
<description><![CDATA[<p>{SENTENCE}</p>
<p>Passengers were told to check times online.</p>]]></description>
</item>
<item><title>Empty item</title><link>https://coast.example/empty</link><description></description></item>
<item><title>Pier repairs</title><link>https://coast.example/pier</link>
<description>{SENTENCE}</description></item>
</channel></rss>"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Coast Atom</title>
<id>urn:uuid:coast</id><updated>2025-07-05T09:00:00Z</updated>
<entry><title>Harbour master speaks</title><id>urn:uuid:1</id>
<link href="https://coast.example/harbour-master"/>
<updated>2025-07-05T09:00:00Z</updated><author><name>Ravi Sen</name></author>
<summary>Short summary only.</summary>
<content type="html">&lt;p&gt;{SENTENCE}&lt;/p&gt;</content>
</entry></feed>"""


def page(title: str) -> bytes:
    return (
        f"<html lang='en'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{SENTENCE}</p><p>{SENTENCE}</p></article></body></html>"
    ).encode()


def build_warc(*, gzip: bool, broken: bool = True) -> bytes:
    """Two good pages around a request, an image, a 404 and (optionally) a broken record."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)

    def response(uri: str, body: bytes, content_type: str = "text/html; charset=utf-8",
                 status: str = "200 OK") -> None:  # fmt: skip
        headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            uri, "response", payload=io.BytesIO(body), http_headers=headers
        )
        writer.write_record(record)

    response("https://coast.example/one", page("Page one"))
    request = writer.create_warc_record(
        "https://coast.example/two", "request", payload=io.BytesIO(b"GET /two HTTP/1.1\r\n\r\n")
    )
    writer.write_record(request)
    response("https://coast.example/logo.png", b"\x89PNG\r\n\x1a\n", "image/png")
    response("https://coast.example/gone", b"<html>gone</html>", status="404 Not Found")
    if broken:
        if gzip:
            buffer.write(b"\x1f\x8b\x08\x00" + b"\x00garbage, not a gzip member" * 4)
        else:
            buffer.write(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 9999999\r\n\r\n")
            buffer.write(b"HTTP/1.1 200 OK\r\n\r\n<html>cut short</html>\r\n\r\n")
    response("https://coast.example/two", page("Page two"))
    return buffer.getvalue()


# -- feeds --------------------------------------------------------------------------


def test_feeds_rss_one_article_per_entry() -> None:
    results = list(articles_from_feed(RSS.encode(), config=CONFIG, source_name="coast.xml"))
    assert [type(r).__name__ for r in results] == ["Article", "Failure", "Article"]
    first, empty, plain = results
    assert isinstance(first, Article) and isinstance(plain, Article)
    assert first.url == "https://coast.example/ferries"
    assert first.title == "Ferries to resume"
    assert first.source_kind == "rss" and first.source_name == "https://coast.example/ferries"
    assert first.site == "Coast News" and first.published == "2025-07-04"
    assert first.byline == "Lena Frost"
    assert first.text == f"{SENTENCE}\n\nPassengers were told to check times online."
    assert isinstance(empty, Failure) and empty.input == "coast.xml#2"
    assert plain.text == SENTENCE


def test_feeds_atom_uses_content_before_summary() -> None:
    (entry,) = articles_from_feed(ATOM.encode(), config=CONFIG, source_name="coast.atom")
    assert isinstance(entry, Article)
    assert entry.text == SENTENCE
    assert entry.byline == "Ravi Sen"
    assert entry.url == "https://coast.example/harbour-master"
    assert entry.published == "2025-07-05"


def test_feeds_example_feed_file() -> None:
    results = list(load_inputs([str(ROOT / "examples" / "feed.xml")], config=CONFIG))
    assert len(results) == 2 and all(isinstance(r, Article) for r in results)
    assert results[0].byline == "Mara Ellison"  # type: ignore[union-attr]


def test_feeds_not_a_feed_is_input_error() -> None:
    with pytest.raises(InputError, match="not an RSS/Atom feed"):
        list(articles_from_feed(b"<?xml version='1.0'?><note>hi</note>", config=CONFIG,
                                source_name="note.xml"))  # fmt: skip


def test_feeds_rss_sniffed_from_stdin() -> None:
    results = list(load_inputs(["-"], config=CONFIG, stdin=io.BytesIO(RSS.encode())))
    assert sum(isinstance(r, Article) for r in results) == 2


# -- WARC ---------------------------------------------------------------------------


@pytest.mark.parametrize("gzip", [False, True])
def test_feeds_warc_html_responses_and_broken_record(gzip: bool) -> None:
    data = build_warc(gzip=gzip)
    results = list(articles_from_warc(io.BytesIO(data), config=CONFIG, source_name="crawl.warc"))
    articles = [r for r in results if isinstance(r, Article)]
    failures = [r for r in results if isinstance(r, Failure)]
    assert [a.url for a in articles] == ["https://coast.example/one", "https://coast.example/two"]
    assert [a.title for a in articles] == ["Page one", "Page two"]
    assert all(a.source_kind == "warc" for a in articles)
    assert len(failures) == 1
    assert failures[0].input.startswith("crawl.warc@")
    assert "broken WARC record" in failures[0].message


def test_feeds_warc_raw_hash_is_payload_hash() -> None:
    import hashlib

    data = build_warc(gzip=False, broken=False)
    first = next(articles_from_warc(io.BytesIO(data), config=CONFIG, source_name="w"))
    assert isinstance(first, Article)
    assert first.raw_sha256 == hashlib.sha256(page("Page one")).hexdigest()


def test_feeds_warc_file_via_load_inputs(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(build_warc(gzip=True))
    results = list(load_inputs([str(path)], config=CONFIG))
    assert sum(isinstance(r, Article) for r in results) == 2
    assert sum(isinstance(r, Failure) for r in results) == 1


def test_feeds_warc_on_pipe_stops_at_broken_record() -> None:
    data = build_warc(gzip=False)

    class Pipe(io.RawIOBase):
        def __init__(self) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    results = list(load_inputs(["-"], config=CONFIG, stdin=Pipe()))  # type: ignore[arg-type]
    assert isinstance(results[0], Article)
    assert isinstance(results[-1], Failure)
    assert "rest of the stream was skipped" in results[-1].message


def test_feeds_not_a_warc_is_failure(tmp_path: Path) -> None:
    path = tmp_path / "fake.warc"
    path.write_bytes(b"this is not a web archive at all")
    results = list(load_inputs([str(path)], config=CONFIG))
    assert results and all(isinstance(r, Failure) for r in results)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=4000))
def test_feeds_warc_reader_raises_only_input_errors(noise: bytes, cut: int) -> None:
    data = build_warc(gzip=False, broken=False)
    corrupted = data[:cut] + noise + data[cut:]
    try:
        results = list(articles_from_warc(io.BytesIO(corrupted), config=CONFIG, source_name="w"))
    except InputError:
        return
    assert all(isinstance(r, Article | Failure) for r in results)
