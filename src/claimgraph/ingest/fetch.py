"""Fetch a URL's raw bytes: http and https only, public addresses only, with a deadline
and a size cap.

The fetcher is safe to point at URLs from people who do not own the machine: the host of
the URL and of every redirect is resolved once and refused when an address is loopback,
private, link-local, multicast, reserved or unspecified (IPv4, IPv6, IPv4 inside IPv6,
and the integer, hex and short forms that resolve to them), and the connection goes to
the checked address (no second DNS lookup, no proxy).  ``ingest.allow_private_urls``
turns the check off for people who analyse their own network.

The body is streamed and the download stops as soon as it passes
``IngestConfig.max_bytes``, so an oversized page never sits in memory whole.  The raw
bytes and their sha256 are kept (:class:`FetchResult`) so nothing fetched is lost.
Every failure is a :class:`~claimgraph.errors.FetchError` (or
:class:`~claimgraph.errors.InputTooLargeError`) that says what went wrong and names
the URL: DNS failure, refused connection, timeout, HTTP status, bad scheme.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import logging
import re
import socket
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any

from claimgraph.config import IngestConfig
from claimgraph.errors import FetchError, InputTooLargeError

logger = logging.getLogger(__name__)

#: The only URL schemes claimgraph fetches.
ALLOWED_SCHEMES = ("http", "https")
_CHUNK = 64 * 1024
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


@dataclass(frozen=True)
class FetchResult:
    """What a successful fetch returned: the raw body and how it was served."""

    url: str
    final_url: str
    status: int
    content_type: str | None
    charset: str | None
    body: bytes
    sha256: str


def url_scheme(spec: str) -> str | None:
    """The URL scheme of ``spec`` (lower case), or ``None`` if it does not look like a URL.

    One-letter schemes are Windows drive letters (``C:\\news.txt``), not URLs.
    """
    match = _SCHEME_RE.match(spec.strip())
    if match is None or len(match.group(1)) == 1:
        return None
    return match.group(1).lower()


def check_url(url: str) -> str:
    """Return ``url`` stripped if it is an http(s) URL with a host; else raise FetchError.

    The message names the refused scheme (``ftp``, ``file``, ``javascript``, ...).  A user
    name and password (``http://user:pw@host/``) are dropped, with a warning.
    """
    url = url.strip()
    scheme = url_scheme(url)
    if scheme is None:
        raise FetchError("not a URL: expected http:// or https://", input=url)
    if scheme not in ALLOWED_SCHEMES:
        raise FetchError(
            f"unsupported URL scheme {scheme!r}: only http and https URLs can be fetched",
            input=url,
        )
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as err:
        raise FetchError(f"malformed URL: {err}", input=url) from err
    if not parts.hostname:
        raise FetchError("URL has no host name", input=url)
    if parts.username is not None or parts.password is not None:
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        netloc = host if parts.port is None else f"{host}:{parts.port}"
        stripped = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
        logger.warning(
            "%s: dropped the user name and password from the URL (claimgraph never sends "
            "credentials); fetching %s",
            stripped,
            stripped,
        )
        return stripped
    return url


#: Redirects followed at most, per fetch.
MAX_REDIRECTS = 5
#: IPv6 prefix of NAT64 (RFC 6052): the last 32 bits are an IPv4 address.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def address_refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why claimgraph refuses to connect to ``ip`` (``"loopback"``, ``"private"``, ...),
    or ``None`` when it is a public unicast address.

    IPv6 addresses that embed an IPv4 address (IPv4-mapped, 6to4, Teredo, NAT64) are
    judged by the IPv4 address too.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = [ip.ipv4_mapped, ip.sixtofour]
        if ip.teredo is not None:
            embedded += list(ip.teredo)
        if ip in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        for inner in embedded:
            if inner is not None and (why := address_refusal(inner)) is not None:
                return f"{why} (inside {ip})"
    for test, name in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_reserved", "reserved"),
        ("is_private", "private"),
    ):
        if getattr(ip, test):
            return name
    if not ip.is_global:
        return "non-public"
    return None


class _Guard:
    """One fetch's connection policy and deadline.

    Every connection (the first and each redirect's) resolves its host once, refuses
    the host when any of its addresses is not public (unless ``allow_private``), and
    connects to an address it checked, so a second DNS answer cannot differ from the
    checked one.  When the deadline passes, a watchdog shuts every socket of the fetch
    down, which ends a read that a slowly trickling server would otherwise keep alive.
    """

    def __init__(self, *, allow_private: bool, total_s: float) -> None:
        self.allow_private = allow_private
        self.total_s = total_s
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(total_s, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Guard:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def addresses(self, host: str, port: int) -> list[tuple[int, tuple[Any, ...]]]:
        """``(family, sockaddr)`` of ``host``, each checked; raises :class:`FetchError`."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as err:
            raise FetchError(
                f"could not resolve host {host!r} (DNS lookup failed); check the URL"
            ) from err
        checked: list[tuple[int, tuple[Any, ...]]] = []
        for family, _, _, _, sockaddr in infos:
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            why = address_refusal(ip)
            if why is not None and not self.allow_private:
                raise FetchError(
                    f"refused to fetch from {host!r}: it resolves to {ip}, a {why} address "
                    "(claimgraph fetches public addresses only; to analyse pages on your own "
                    "network use --allow-private-urls or ingest.allow_private_urls = true)"
                )
            checked.append((family, sockaddr))
        if not checked:
            raise FetchError(f"could not resolve host {host!r} (no addresses)")
        return checked

    def create_connection(
        self,
        address: tuple[str, int],
        timeout: float | None = None,
        source_address: tuple[str, int] | None = None,
    ) -> socket.socket:
        """What ``http.client`` calls to connect: the checked addresses of ``address``."""
        host, port = address
        error: OSError | None = None
        for family, sockaddr in self.addresses(host, port):
            sock = socket.socket(family, socket.SOCK_STREAM)
            with self._lock:
                if self.expired:
                    sock.close()
                    raise TimeoutError("the fetch's deadline passed")
                self._sockets.append(sock)
            try:
                if timeout is not None:
                    sock.settimeout(timeout)
                if source_address is not None:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as err:
                error = err
                sock.close()
        raise error if error is not None else OSError(f"cannot connect to {host}")

    def http_connection(self, host: str, **kwargs: Any) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection(host, **kwargs)
        connection._create_connection = self.create_connection  # type: ignore[attr-defined]
        return connection

    def https_connection(self, host: str, **kwargs: Any) -> http.client.HTTPSConnection:
        # TLS still verifies the certificate against ``host`` (the name, not the address)
        connection = http.client.HTTPSConnection(host, **kwargs)
        connection._create_connection = self.create_connection  # type: ignore[attr-defined]
        return connection


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, guard: _Guard) -> None:
        super().__init__()
        self.guard = guard

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.guard.http_connection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, guard: _Guard) -> None:
        super().__init__()
        self.guard = guard

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        context = getattr(self, "_context", None)  # urllib's default TLS context
        return self.do_open(self.guard.https_connection, req, context=context)


class _SafeRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follow at most :data:`MAX_REDIRECTS` redirects, to http(s) URLs only (urllib would
    also follow ftp:); every hop's host is checked again when it connects."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        target = check_url(urllib.parse.urljoin(req.full_url, newurl))
        return super().redirect_request(req, fp, code, msg, headers, target)  # type: ignore[arg-type]


def _opener(guard: _Guard) -> urllib.request.OpenerDirector:
    # No proxies: the connection must go to the address that was checked.
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _GuardedHTTPHandler(guard),
        _GuardedHTTPSHandler(guard),
        _SafeRedirectHandler(),
    )


def _describe_reason(reason: object, url: str, timeout_s: float) -> str:
    host = urllib.parse.urlsplit(url).netloc
    if isinstance(reason, socket.gaierror):
        return f"could not resolve host {host!r} (DNS lookup failed); check the URL"
    if isinstance(reason, ConnectionRefusedError):
        return f"connection refused by {host}; is the server running?"
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"timed out after {timeout_s:g} s connecting to {host}"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error talking to {host}: {reason}"
    if isinstance(reason, OSError) and reason.strerror:
        return f"could not connect to {host}: {reason.strerror}"
    return f"could not fetch from {host}: {reason}"


def _content_type(headers: Message) -> tuple[str | None, str | None]:
    if headers.get("Content-Type") is None:
        return None, None
    mime = headers.get_content_type().lower()
    charset = headers.get_content_charset()
    return mime, charset.lower() if charset else None


def _read_capped(response: http.client.HTTPResponse, *, url: str, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.strip().isdigit() and int(declared) > max_bytes:
        raise InputTooLargeError(
            f"response is {int(declared):,} bytes (Content-Length), over the "
            f"{max_bytes:,}-byte limit; raise ingest.max_bytes to allow it",
            input=url,
        )
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read1(_CHUNK)  # what has arrived, not a full chunk
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise InputTooLargeError(
                f"response is over {max_bytes:,} bytes (stopped reading at {size:,}); "
                "raise ingest.max_bytes to allow it",
                input=url,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_url(url: str, *, config: IngestConfig) -> FetchResult:
    """Download ``url`` (http/https only) and return its raw body and headers.

    The host of the URL and of every redirect (at most :data:`MAX_REDIRECTS`) must resolve
    to public addresses only, unless ``config.allow_private_urls``; the connection goes to
    the address that was checked.  The body is streamed and capped at
    ``config.max_bytes``.  Each network wait is limited to ``config.timeout_s`` and the
    whole fetch to twice that, however slowly the server sends.  Raises
    :class:`FetchError` for a bad scheme or URL, a refused address, DNS failure, refused
    connection, timeout, too many redirects or HTTP error status, and
    :class:`InputTooLargeError` when the body is over the cap.
    """
    url = check_url(url)
    timeout_s = config.timeout_s
    total_s = 2 * timeout_s
    request = urllib.request.Request(
        url, headers={"User-Agent": config.user_agent, "Accept": "*/*"}
    )
    logger.debug("fetching %s", url)
    with _Guard(allow_private=config.allow_private_urls, total_s=total_s) as guard:
        try:
            with _opener(guard).open(request, timeout=timeout_s) as response:
                body = _read_capped(response, url=url, max_bytes=config.max_bytes)
                mime, charset = _content_type(response.headers)
                status = int(response.status)
                final_url = response.geturl()
            if guard.expired:  # a shut-down socket reads as the end of the body
                raise TimeoutError
        except FetchError as err:
            err.input = err.input or url
            raise
        except InputTooLargeError:
            raise
        except Exception as err:
            if guard.expired:
                raise FetchError(
                    f"gave up after {total_s:g} s: the server sent too slowly "
                    f"(a fetch may take at most 2 × ingest.timeout_s = {total_s:g} s)",
                    input=url,
                ) from err
            raise _fetch_error(err, url, timeout_s) from err
    logger.debug("fetched %s: %d bytes, %s", url, len(body), mime)
    return FetchResult(
        url=url,
        final_url=final_url,
        status=status,
        content_type=mime,
        charset=charset,
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
    )


def _fetch_error(err: Exception, url: str, timeout_s: float) -> FetchError:
    """One-line :class:`FetchError` for what urllib or the socket raised."""
    if isinstance(err, urllib.error.HTTPError):
        if 300 <= err.code < 400:
            return FetchError(
                f"too many redirects (a loop, or more than {MAX_REDIRECTS}); last HTTP "
                f"{err.code} at {err.url}",
                input=url,
            )
        return FetchError(f"HTTP {err.code} {err.reason} from the server; check the URL", input=url)
    if isinstance(err, urllib.error.URLError):
        if isinstance(err.reason, FetchError):
            err.reason.input = err.reason.input or url
            return err.reason
        return FetchError(_describe_reason(err.reason, url, timeout_s), input=url)
    if isinstance(err, TimeoutError):
        return FetchError(f"timed out after {timeout_s:g} s waiting for the server", input=url)
    if isinstance(err, http.client.HTTPException):
        return FetchError(f"bad HTTP response: {type(err).__name__} {err}", input=url)
    if isinstance(err, ValueError):  # http.client.InvalidURL and friends
        return FetchError(f"malformed URL: {err}", input=url)
    if isinstance(err, OSError):
        return FetchError(_describe_reason(err, url, timeout_s), input=url)
    return FetchError(f"could not fetch: {type(err).__name__}: {err}", input=url)


__all__ = [
    "ALLOWED_SCHEMES",
    "MAX_REDIRECTS",
    "FetchResult",
    "address_refusal",
    "check_url",
    "fetch_url",
    "url_scheme",
]
