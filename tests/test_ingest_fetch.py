"""Tests for claimgraph.ingest.fetch against local http.servers on loopback addresses.

The servers are private by nature, so the tests that fetch from them allow private
addresses; the guard's own tests check that nothing private is fetched by default.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from claimgraph.config import IngestConfig
from claimgraph.errors import FetchError, InputTooLargeError
from claimgraph.ingest import fetch as fetch_module
from claimgraph.ingest import load_inputs
from claimgraph.ingest.fetch import address_refusal, check_url, fetch_url, url_scheme
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
CONFIG = IngestConfig(timeout_s=5.0, max_bytes=20_000, allow_private_urls=True)
#: Requests each test server received, by path (to check that refused URLs were not fetched).
SEEN: list[str] = []


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
        SEEN.append(self.path)
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
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path.startswith("/to-other?"):
            self.send_response(302)
            self.send_header("Location", self.path.partition("?")[2])
            self.end_headers()
        elif self.path == "/trickle":
            # 8 bytes every quarter second, for a long time: every single read is well
            # within the per-read timeout, only the whole fetch's deadline can end it
            self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n")
            try:
                for _ in range(800):
                    self.wfile.write(b"<p>word ")
                    self.wfile.flush()
                    time.sleep(0.25)
            except (BrokenPipeError, ConnectionResetError):
                pass
        else:
            self._send(404, b"<html><body>not here</body></html>")


def _serve(host: str) -> Iterator[str]:
    httpd = ThreadingHTTPServer((host, 0), _Handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    yield from _serve("127.0.0.1")


@pytest.fixture(scope="module")
def other_server() -> Iterator[str]:
    """A second server on another loopback address (127.0.0.0/8 is all loopback)."""
    yield from _serve("127.0.0.2")


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
        fetch_url(f"{server}/slow", config=IngestConfig(timeout_s=0.3, allow_private_urls=True))
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


# --- the guard (issue 17: SSRF) ---------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::1]", "2130706433", "0x7f000001", "127.1", "0.0.0.0",
     "[::ffff:127.0.0.1]"],
)
def test_fetch_refuses_loopback_in_every_form(server: str, host: str) -> None:
    port = server.rsplit(":", 1)[1]
    SEEN.clear()
    with pytest.raises(FetchError, match=r"refused to fetch .* address") as info:
        fetch_url(f"http://{host}:{port}/ok", config=IngestConfig(timeout_s=3))
    assert "--allow-private-urls" in str(info.value)
    assert SEEN == []  # refused before connecting


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "non-public"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("239.1.1.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::", "loopback"),
        ("64:ff9b::a00:1", "private"),
    ],
)
def test_fetch_address_refusal_names_the_kind(address: str, why: str) -> None:
    import ipaddress

    assert address_refusal(ipaddress.ip_address(address)).startswith(why)


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700::1111"])
def test_fetch_address_refusal_allows_public(address: str) -> None:
    import ipaddress

    assert address_refusal(ipaddress.ip_address(address)) is None


def test_fetch_refuses_a_redirect_to_a_private_address(
    server: str, other_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Treat 127.0.0.1 as public for this test, so that only the redirect's target is private.
    real = fetch_module.address_refusal
    monkeypatch.setattr(
        fetch_module, "address_refusal", lambda ip: None if str(ip) == "127.0.0.1" else real(ip)
    )
    SEEN.clear()
    with pytest.raises(FetchError, match=r"refused to fetch from '127\.0\.0\.2'"):
        fetch_url(f"{server}/to-other?{other_server}/ok", config=IngestConfig(timeout_s=3))
    assert SEEN == ["/to-other?" + f"{other_server}/ok"]  # the second server saw nothing


def test_fetch_follows_a_redirect_to_another_port_when_allowed(
    server: str, other_server: str
) -> None:
    result = fetch_url(f"{server}/to-other?{other_server}/ok", config=CONFIG)
    assert result.final_url == f"{other_server}/ok" and result.body == BODY


def test_fetch_trickling_server_is_cut_at_twice_the_timeout(server: str) -> None:
    start = time.monotonic()
    with pytest.raises(FetchError, match="gave up after 2 s"):
        fetch_url(f"{server}/trickle", config=IngestConfig(timeout_s=1, allow_private_urls=True))
    assert time.monotonic() - start < 3.5


def test_fetch_redirect_loop_is_one_line(server: str) -> None:
    with pytest.raises(FetchError, match="too many redirects") as info:
        fetch_url(f"{server}/loop", config=CONFIG)
    assert "\n" not in str(info.value)


def test_fetch_drops_userinfo_with_a_warning(
    server: str, caplog: pytest.LogCaptureFixture
) -> None:
    host_port = server.removeprefix("http://")
    with caplog.at_level("WARNING", logger="claimgraph.ingest.fetch"):
        result = fetch_url(f"http://user:secret@{host_port}/ok", config=CONFIG)
    assert result.url == f"{server}/ok"
    assert result.body == BODY
    assert "dropped the user name and password" in caplog.text
    assert "secret" not in caplog.text


def test_fetch_load_inputs_refuses_private_by_default(server: str) -> None:
    (failure,) = load_inputs([f"{server}/ok"], config=IngestConfig())
    assert isinstance(failure, Failure) and failure.code == FetchError.code
    assert "loopback" in failure.message
