"""The web app (FastAPI): server-rendered pages and a JSON API over one store.

:func:`create_app` builds it; ``claimgraph serve`` runs it with uvicorn.  Errors of the
hierarchy in :mod:`claimgraph.errors` become their HTTP status with one JSON shape under
``/api/`` (``{"error": {"code", "message"}}``) and the error page elsewhere.  Request
bodies are capped (413 past the cap); writing endpoints need the token when the app
listens beyond loopback; URLs are fetched by the same guarded fetcher as the CLI.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from claimgraph.config import Config
from claimgraph.errors import (
    AccessError,
    ClaimgraphError,
    CrossSiteError,
    InputError,
    InputTooLargeError,
    NotFoundError,
    error_class,
)
from claimgraph.model import Article, ArticleAnalysis, Failure

logger = logging.getLogger(__name__)

#: Largest request body accepted (an uploaded page, pasted text), in bytes.
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
#: Items per page of every list.
PAGE_SIZE = 20

Narratives = dict[str, Any]
NarrativeSource = Narratives | Callable[[], Narratives | None] | None


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``)."""
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class AppState:
    """What the routes share: the store, the config, the token and the narrative layer."""

    def __init__(
        self,
        db: str,
        *,
        config: Config,
        token: str | None,
        require_token: bool,
        narratives: NarrativeSource,
    ) -> None:
        from claimgraph.store import open_store

        self.store = open_store(db)
        self.config = config
        self.token = token
        self.require_token = require_token
        if narratives is not None and not callable(narratives):
            from claimgraph.web.narrative_data import check_narratives

            narratives = check_narratives(narratives)  # once, not per request
        self._narratives = narratives
        self._analyse_lock = threading.Lock()

    def narratives(self) -> Narratives | None:
        from claimgraph.web.narrative_data import check_narratives

        source = self._narratives
        if not callable(source):
            return source
        data = source()
        return check_narratives(data) if data is not None else None

    def check_token(self, given: str | None) -> None:
        """Raise :class:`AccessError` unless writing is allowed with ``given``."""
        if not self.require_token:
            return
        if not given or not self.token or not secrets.compare_digest(given, self.token):
            raise AccessError(
                "this endpoint writes to the store and needs the token given to "
                "`claimgraph serve` (header Authorization: Bearer TOKEN, or the token field)"
            )

    def article_from(
        self, *, text: str | None, url: str | None, html: bytes | None, filename: str | None
    ) -> Article:
        """The article of pasted text, a URL (through the guarded fetcher) or HTML bytes."""
        from claimgraph.ingest import load_inputs
        from claimgraph.ingest.fetch import check_url
        from claimgraph.ingest.html import article_from_html
        from claimgraph.ingest.text import article_from_text

        given = [v for v in (text and text.strip(), url and url.strip(), html) if v]
        if len(given) != 1:
            raise InputError("give exactly one of: text, a URL, an HTML file")
        ingest = self.config.ingest
        if html:
            return article_from_html(html, config=ingest, source_name=filename or "upload.html")
        if text and text.strip():
            return article_from_text(text, config=ingest, source_name="pasted text")
        assert url is not None
        # an http(s) URL only (never a path on this machine), fetched by the guarded fetcher
        items = list(load_inputs([check_url(url)], config=ingest, input_format="auto"))
        if len(items) != 1:
            raise InputError(
                f"the URL gave {len(items)} documents (a feed?); give the URL of one article",
                input=url.strip(),
            )
        (item,) = items
        if isinstance(item, Failure):
            raise failure_error(item)
        return item

    def analyse(self, article: Article) -> ArticleAnalysis:
        """Analyse ``article`` and store it (one analysis at a time; a stored text is not
        analysed again)."""
        from claimgraph.pipeline import load_pipeline, weights_hash
        from claimgraph.store.browse import get_analysis
        from claimgraph.store.ingest import ingest

        with self._analyse_lock:
            events = list(
                ingest(
                    self.store,
                    [article],
                    analyser=lambda: load_pipeline(self.config),
                    weights_hash=weights_hash(self.config),
                )
            )
        for event in events:
            if event.failure is not None:
                raise failure_error(event.failure)
            if event.analysis is not None:
                return event.analysis
        stored = self.store.stored_version(article.text)
        found = get_analysis(self.store, stored[0]) if stored else None
        if found is None:
            raise NotFoundError("the analysis was not stored", input=article.id)
        return found


def failure_error(failure: Failure) -> ClaimgraphError:
    """The error of a recorded failure, with its code and the status of its class."""
    err = error_class(failure.code)(" ".join(failure.message.split()), input=failure.input)
    err.code = failure.code
    return err


def _error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _wants_json(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


class BodyLimit:
    """ASGI middleware: a request whose body is over ``max_bytes`` (by its
    Content-Length or as it streams in) is answered 413 and not read further."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0
        started = False

        class _TooLarge(Exception):
            pass

        async def limited() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def watch(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, watch)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope: Any, send: Any) -> None:
        from starlette.responses import HTMLResponse, JSONResponse

        err = InputTooLargeError(f"the request is over the {self.max_bytes:,}-byte limit")
        response: Any
        if _wants_json(scope.get("path", "")):
            response = JSONResponse(_error_body(err.code, err.message), status_code=413)
        else:
            from claimgraph.web.render import render

            page = render(
                "error.html", inline=False, status=413, code=err.code, message=err.message
            )
            response = HTMLResponse(page, status_code=413)

        async def nothing() -> Any:
            return {"type": "http.disconnect"}

        await response(scope, nothing, send)


#: The app's pages may load scripts and styles from the app only; data is never code.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def create_app(
    db: str,
    *,
    config: Config | None = None,
    token: str | None = None,
    require_token: bool = False,
    narratives: NarrativeSource = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Any:
    """The FastAPI app over the store at ``db``.

    ``narratives`` is the narrative layer's ``{"propositions", "contradictions"}`` (or a
    function returning it, called per request); ``require_token`` makes the writing
    endpoints ask for ``token``.
    """
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse, Response
    from fastapi.staticfiles import StaticFiles
    from starlette.exceptions import HTTPException

    from claimgraph import __version__
    from claimgraph.web.api import api_router
    from claimgraph.web.pages import page_router
    from claimgraph.web.render import render

    if require_token and not token:
        raise AccessError("a token is needed when the app listens beyond loopback")
    state = AppState(
        db,
        config=config or Config(),
        token=token,
        require_token=require_token,
        narratives=narratives,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        yield
        state.store.close()

    app = FastAPI(
        lifespan=lifespan,
        docs_url=None,  # served below from the package: the app works offline
        redoc_url=None,
        title="claimgraph",
        version=__version__,
        description="Who claims what, about whom, on what evidence: the stored analyses, "
        "entities and narratives of a claimgraph store.  Errors have one shape: "
        '`{"error": {"code", "message"}}`.',
    )
    app.state.claimgraph = state

    def error_response(request: Request, status: int, code: str, message: str) -> Response:
        if _wants_json(request.url.path):
            return JSONResponse(_error_body(code, message), status_code=status)
        page = render("error.html", inline=False, status=status, code=code, message=message)
        return HTMLResponse(page, status_code=status)

    @app.exception_handler(ClaimgraphError)
    async def claimgraph_error(request: Request, err: ClaimgraphError) -> Response:
        where = f"{err.input}: " if err.input else ""
        return error_response(request, err.http_status, err.code, where + err.message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException) -> Response:
        code = NotFoundError.code if err.status_code == 404 else f"HTTP{err.status_code}"
        message = "no such page" if err.status_code == 404 else str(err.detail)
        return error_response(request, err.status_code, code, message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, err: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in err.errors()[:5]
        )
        return error_response(request, 422, InputError.code, f"invalid request: {problems}")

    @app.exception_handler(Exception)
    async def internal_error(request: Request, err: Exception) -> Response:
        logger.exception("internal error on %s", request.url.path)
        return error_response(
            request, 500, ClaimgraphError.code, f"internal error: {type(err).__name__}"
        )

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        origin = request.headers.get("origin")
        if request.method not in ("GET", "HEAD", "OPTIONS") and origin and origin != "null":
            from urllib.parse import urlsplit

            if urlsplit(origin).netloc != request.headers.get("host"):
                err = CrossSiteError(
                    f"a page of {origin} may not write to this app (cross-site request)"
                )
                return error_response(request, err.http_status, err.code, err.message)
        response = await call_next(request)
        if not request.url.path.startswith(("/docs", "/redoc")):
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    from importlib import resources

    static = resources.files("claimgraph.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.get("/docs", include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        """The OpenAPI description in Swagger UI (swagger-ui-dist, shipped in static/)."""
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="claimgraph API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )
    app.include_router(api_router(state))
    app.include_router(page_router(state))
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    return app


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DEFAULT_MAX_BODY_BYTES",
    "PAGE_SIZE",
    "AppState",
    "BodyLimit",
    "create_app",
    "failure_error",
    "is_loopback",
]
