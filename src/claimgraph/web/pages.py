"""The app's server-rendered pages: the analyse forms, the article view, lists with
search and pagination, entity pages, the corpus graph, propositions and contradictions.
Every page has a permalink; unknown ids give the 404 page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from claimgraph.web import corpus

if TYPE_CHECKING:
    from claimgraph.web.app import AppState


def article_url(article_id: str, statement_id: str | None = None) -> str:
    base = f"/articles/{quote(article_id, safe='')}"
    return base + (f"#statement-{statement_id}" if statement_id else "")


def entity_url(entity_id: str) -> str:
    return f"/entities/{quote(entity_id, safe='')}"


def page_url(path: str, **params: Any) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return path + ("?" + urlencode(kept) if kept else "")


LINKS = {"article_url": article_url, "entity_url": entity_url, "page_url": page_url}


def page_router(state: AppState) -> APIRouter:
    from claimgraph.web.render import render

    router = APIRouter(include_in_schema=False)
    store = state.store

    def page(template: str, **context: Any) -> HTMLResponse:
        return HTMLResponse(render(template, inline=False, **LINKS, **context))

    @router.get("/", response_class=HTMLResponse)
    def home() -> HTMLResponse:
        recent = corpus.articles(store, None, 1, 10)
        return page(
            "home.html",
            counts=store.counts(),
            recent=recent["items"],
            token_needed=state.require_token,
        )

    @router.post("/analyze")
    async def analyze(
        text: str = Form(""),
        url: str = Form(""),
        token: str = Form(""),
        file: UploadFile | None = File(None),  # noqa: B008 - FastAPI's way to declare a form file
    ) -> RedirectResponse:
        from starlette.concurrency import run_in_threadpool

        state.check_token(token or None)
        html = await file.read() if file is not None and file.filename else None
        filename = file.filename if file is not None else None
        article = await run_in_threadpool(
            state.article_from, text=text, url=url, html=html, filename=filename
        )
        analysis = await run_in_threadpool(state.analyse, article)
        return RedirectResponse(article_url(analysis.article.id), status_code=303)

    @router.get("/articles", response_class=HTMLResponse)
    def articles(q: str | None = None, page_: int = Query(1, alias="page")) -> HTMLResponse:
        return page("articles.html", q=q or "", result=corpus.articles(store, q, page_, 20))

    @router.get("/articles/{article_id}", response_class=HTMLResponse)
    def article(article_id: str) -> HTMLResponse:
        from claimgraph.store.browse import outlet_ranks
        from claimgraph.web.article import article_context
        from claimgraph.web.report import article_contradictions, entity_links

        analysis = corpus.article(store, article_id)
        view = article_context(
            analysis,
            contradictions=article_contradictions(state.narratives(), article_id),
            entity_links=entity_links(store, article_id),
            outlet_ranks=outlet_ranks(store, article_id),
        )
        return page("article.html", view=view)

    @router.get("/entities", response_class=HTMLResponse)
    def entities(q: str | None = None, page_: int = Query(1, alias="page")) -> HTMLResponse:
        return page("entities.html", q=q or "", result=corpus.entities(store, q, page_, 20))

    @router.get("/entities/{entity_id}", response_class=HTMLResponse)
    def entity(entity_id: str) -> HTMLResponse:
        return page("entity.html", report=corpus.entity(store, entity_id))

    @router.get("/search", response_class=HTMLResponse)
    def search(q: str = "") -> HTMLResponse:
        narratives = state.narratives()
        return page(
            "search.html",
            q=q,
            hits=corpus.search(store, q),
            entities=corpus.entities(store, q, 1, 20)["items"] if q.strip() else [],
            propositions=corpus.propositions(narratives, q, 1, 20)["items"] if q.strip() else [],
        )

    @router.get("/graph", response_class=HTMLResponse)
    def graph() -> HTMLResponse:
        from claimgraph.web.graph import entity_timeline, store_graph, timeline

        narratives = state.narratives()
        data = store_graph(store, narratives)
        outlets = sorted(
            {c["site"] for e in data["edges"] for c in e["data"]["claims"] if c.get("site")}
        )
        return page(
            "graph.html",
            graph=data,
            outlets=outlets,
            timeline=timeline(narratives),
            entity_timeline=entity_timeline(data),
            contradictions=(narratives or {}).get("contradictions", []),
            narratives_given=narratives is not None,
            entity_base="/entities/",
            article_base="/articles/",
        )

    @router.get("/propositions", response_class=HTMLResponse)
    def propositions(q: str | None = None, page_: int = Query(1, alias="page")) -> HTMLResponse:
        narratives = state.narratives()
        return page(
            "propositions.html",
            q=q or "",
            given=narratives is not None,
            result=corpus.propositions(narratives, q, page_, 20),
        )

    @router.get("/propositions/{proposition_id}", response_class=HTMLResponse)
    def proposition(proposition_id: str) -> HTMLResponse:
        found = corpus.proposition(state.narratives(), proposition_id)
        return page("proposition.html", p=found)

    @router.get("/contradictions", response_class=HTMLResponse)
    def contradictions(page_: int = Query(1, alias="page")) -> HTMLResponse:
        narratives = state.narratives()
        return page(
            "contradictions.html",
            given=narratives is not None,
            result=corpus.contradictions(narratives, page_, 20),
        )

    return router


__all__ = ["LINKS", "article_url", "entity_url", "page_router", "page_url"]
