"""Fetch a URL's raw bytes: http and https only, with a timeout and a size cap.

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
import logging
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message

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

    The message names the refused scheme (``ftp``, ``file``, ``javascript``, ...).
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
    return url


class _SafeRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s) URLs (urllib would also follow ftp:)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        check_url(urllib.parse.urljoin(req.full_url, newurl))
        return super().redirect_request(req, fp, code, msg, headers, newurl)  # type: ignore[arg-type]


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_SafeRedirectHandler())


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


def _read_capped(
    response: http.client.HTTPResponse,
    *,
    url: str,
    max_bytes: int,
    deadline: float,
    timeout_s: float,
) -> bytes:
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
        if time.monotonic() > deadline:
            raise FetchError(f"timed out after {timeout_s:g} s reading the response", input=url)
        chunk = response.read(_CHUNK)
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

    The body is streamed and capped at ``config.max_bytes``; the whole exchange must
    finish within ``config.timeout_s`` seconds per network wait, and within twice that
    overall.  Raises :class:`FetchError` for a bad scheme or URL, DNS failure, refused
    connection, timeout or HTTP error status, and :class:`InputTooLargeError` when the
    body is over the cap.
    """
    url = check_url(url)
    timeout_s = config.timeout_s
    deadline = time.monotonic() + 2 * timeout_s
    request = urllib.request.Request(
        url, headers={"User-Agent": config.user_agent, "Accept": "*/*"}
    )
    logger.debug("fetching %s", url)
    try:
        with _opener().open(request, timeout=timeout_s) as response:
            body = _read_capped(
                response,
                url=url,
                max_bytes=config.max_bytes,
                deadline=deadline,
                timeout_s=timeout_s,
            )
            mime, charset = _content_type(response.headers)
            status = int(response.status)
            final_url = response.geturl()
    except urllib.error.HTTPError as err:
        raise FetchError(
            f"HTTP {err.code} {err.reason} from the server; check the URL", input=url
        ) from err
    except urllib.error.URLError as err:
        raise FetchError(_describe_reason(err.reason, url, timeout_s), input=url) from err
    except TimeoutError as err:
        raise FetchError(
            f"timed out after {timeout_s:g} s waiting for the server", input=url
        ) from err
    except http.client.HTTPException as err:
        raise FetchError(f"bad HTTP response: {type(err).__name__} {err}", input=url) from err
    except ValueError as err:  # http.client.InvalidURL and friends
        raise FetchError(f"malformed URL: {err}", input=url) from err
    except OSError as err:
        raise FetchError(_describe_reason(err, url, timeout_s), input=url) from err
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


__all__ = ["ALLOWED_SCHEMES", "FetchResult", "check_url", "fetch_url", "url_scheme"]
