"""Tests for claimgraph.ingest.fetch against a local http.server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from claimgraph.config import IngestConfig
from claimgraph.errors import FetchError, InputTooLargeError
from claimgraph.ingest import load_inputs
from claimgraph.ingest.fetch import check_url, fetch_url, url_scheme
from claimgraph.model import Article, Failure

pytestmark = pytest.mark.network

BODY = (
    b"<!DOCTYPE html><html lang='en'><head><title>Harbour cranes fail</title></head><body>"
    b"<article><h1>Harbour cranes fail</h1><p>The harbour authority said on Monday that it "
    b"would review safety rules after two cranes failed during a storm.</p><p>Union leaders "
    b"said the review was long overdue and accused managers of ignoring warnings.</p>"
    b"</article></body></html>"
)
BIG = b"<html><body><p>" + b"word " * 10_000 + b"</p></body></html>"
CONFIG = IngestConfig(timeout_s=5.0, max_bytes=20_000)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
              length: bool = True) -> None:  # fmt: skip
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for start in range(0, len(body), 4096):
                self.wfile.write(body[start : start + 4096])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading, as it should for oversized bodies

    def do_GET(self) -> None:
        if self.path == "/ok":
            self._send(200, BODY)
        elif self.path == "/text":
            self._send(200, b"The harbour authority said on Monday it would review rules.",
                       "text/plain; charset=utf-8")  # fmt: skip
        elif self.path == "/big":
            self._send(200, BIG)
        elif self.path == "/big-unannounced":
            self._send(200, BIG, length=False)
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, BODY)
        elif self.path == "/to-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://example.org/file")
            self.end_headers()
        elif self.path == "/redirect":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.end_headers()
        else:
            self._send(404, b"<html><body>not here</body></html>")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_fetch_ok_page_keeps_raw_bytes_and_hash(server: str) -> None:
    result = fetch_url(f"{server}/ok", config=CONFIG)
    assert result.status == 200
    assert result.body == BODY
    assert result.sha256 == hashlib.sha256(BODY).hexdigest()
    assert result.content_type == "text/html"
    assert result.charset == "utf-8"


def test_fetch_follows_http_redirects(server: str) -> None:
    result = fetch_url(f"{server}/redirect", config=CONFIG)
    assert result.final_url == f"{server}/ok"
    assert result.body == BODY


def test_fetch_refuses_redirect_to_other_scheme(server: str) -> None:
    with pytest.raises(FetchError, match="'ftp'"):
        fetch_url(f"{server}/to-ftp", config=CONFIG)


def test_fetch_http_404_is_fetch_error(server: str) -> None:
    with pytest.raises(FetchError, match="HTTP 404") as info:
        fetch_url(f"{server}/missing", config=CONFIG)
    assert info.value.input == f"{server}/missing"


@pytest.mark.parametrize("path", ["/big", "/big-unannounced"])
def test_fetch_oversized_body_is_too_large(server: str, path: str) -> None:
    with pytest.raises(InputTooLargeError, match="20,000"):
        fetch_url(f"{server}{path}", config=CONFIG)


def test_fetch_slow_response_times_out(server: str) -> None:
    start = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        fetch_url(f"{server}/slow", config=IngestConfig(timeout_s=0.3))
    assert time.monotonic() - start < 2.5


def test_fetch_connection_refused() -> None:
    with pytest.raises(FetchError, match="refused"):
        fetch_url("http://127.0.0.1:9/", config=CONFIG)


def test_fetch_dns_failure() -> None:
    with pytest.raises(FetchError, match=r"resolve|connect"):
        fetch_url("http://no-such-host.invalid/", config=IngestConfig(timeout_s=3))


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("ftp://example.org/x", "ftp"),
        ("file:///etc/hosts", "file"),
        ("javascript:alert(1)", "javascript"),
    ],
)
def test_fetch_non_http_scheme_named(url: str, scheme: str) -> None:
    with pytest.raises(FetchError, match=f"'{scheme}'"):
        check_url(url)


@pytest.mark.parametrize("url", ["http://", "http://host:notaport/", "not a url"])
def test_fetch_malformed_url(url: str) -> None:
    with pytest.raises(FetchError):
        check_url(url)


def test_fetch_url_scheme_ignores_drive_letters() -> None:
    assert url_scheme(r"C:\news\story.txt") is None
    assert url_scheme("HTTPS://example.org") == "https"


def test_fetch_load_inputs_url_html_and_text(server: str) -> None:
    results = list(
        load_inputs([f"{server}/ok", f"{server}/text", f"{server}/missing"], config=CONFIG)
    )
    html, text, missing = results
    assert isinstance(html, Article) and isinstance(text, Article)
    assert html.source_kind == "url" and html.url == f"{server}/ok"
    assert html.title == "Harbour cranes fail"
    assert html.raw_sha256 == hashlib.sha256(BODY).hexdigest()
    assert text.text.startswith("The harbour authority said")
    assert isinstance(missing, Failure) and missing.code == FetchError.code


def test_fetch_load_inputs_unreachable_url_is_failure() -> None:
    (failure,) = load_inputs(["http://127.0.0.1:9/"], config=CONFIG)
    assert isinstance(failure, Failure)
    assert failure.code == FetchError.code and failure.input == "http://127.0.0.1:9/"
