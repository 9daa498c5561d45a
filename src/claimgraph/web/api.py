"""The JSON API under ``/api/`` (documented by OpenAPI at ``/docs``): the stored
analyses in the data model's own shape, entities, search, the corpus graph, the
narrative layer, and analysis of new text or URLs (a writing endpoint)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field

from claimgraph.model import ArticleAnalysis
from claimgraph.web import corpus

if TYPE_CHECKING:
    from claimgraph.web.app import AppState


class AnalyseRequest(BaseModel):
    """Text to analyse, or a URL to fetch (public addresses only) and analyse."""

    text: str | None = Field(default=None, description="Plain article text.")
    url: str | None = Field(default=None, description="An http(s) URL of an article.")


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """The one shape of every error."""

    error: ErrorDetail


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (400, 401, 404, 413, 422, 500)
}


def api_router(state: AppState) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["api"], responses=_ERRORS)
    store = state.store

    @router.get("/articles", summary="Stored articles, or those matching q (full text)")
    def list_articles(
        q: str | None = None, page: int = 1, per_page: int = Query(20, ge=1, le=100)
    ) -> dict[str, Any]:
        return corpus.articles(store, q, page, per_page)

    @router.get(
        "/articles/{article_id}", response_model=ArticleAnalysis, summary="One stored analysis"
    )
    def get_article(article_id: str) -> Response:
        # the stored JSON as it is (it is an ArticleAnalysis): no second validation
        return Response(corpus.article_json(store, article_id), media_type="application/json")

    @router.get(
        "/articles/{article_id}/outlet-ranks",
        summary="Where the article's credibility signals stand among its outlet's articles",
    )
    def get_outlet_ranks(article_id: str) -> dict[str, Any]:
        # {signal: {"site", "articles", "lower", "share"}}: scores such as the machine-text
        # likelihood compare within one outlet, not across outlets
        return corpus.outlet_ranks(store, article_id)

    @router.get("/entities", summary="Entities (most linked first), or those named like q")
    def list_entities(
        q: str | None = None, page: int = 1, per_page: int = Query(20, ge=1, le=100)
    ) -> dict[str, Any]:
        return corpus.entities(store, q, page, per_page)

    @router.get("/entities/{entity_id}", summary="One entity: what it said and was accused of")
    def get_entity(entity_id: str) -> dict[str, Any]:
        return corpus.entity(store, entity_id)

    @router.get("/search", summary="Articles and statements with all words of q")
    def search(q: str, limit: int = Query(50, ge=1, le=200)) -> list[dict[str, Any]]:
        return corpus.search(store, q, limit)

    @router.get("/graph", summary="The corpus graph (Cytoscape.js elements)")
    def graph() -> dict[str, Any]:
        from claimgraph.web.graph import store_graph

        return store_graph(store, state.narratives())

    @router.get("/propositions", summary="Propositions of the narrative layer")
    def list_propositions(
        q: str | None = None, page: int = 1, per_page: int = Query(20, ge=1, le=100)
    ) -> dict[str, Any]:
        return corpus.propositions(state.narratives(), q, page, per_page)

    @router.get("/propositions/{proposition_id}", summary="One proposition with its claims")
    def get_proposition(proposition_id: str) -> dict[str, Any]:
        return corpus.proposition(state.narratives(), proposition_id)

    @router.get("/contradictions", summary="Contradictions of the narrative layer")
    def list_contradictions(
        page: int = 1, per_page: int = Query(20, ge=1, le=100)
    ) -> dict[str, Any]:
        return corpus.contradictions(state.narratives(), page, per_page)

    @router.post(
        "/analyze",
        response_model=ArticleAnalysis,
        summary="Analyse text or a URL and store the analysis (writes)",
    )
    def analyze(
        request: AnalyseRequest, authorization: str | None = Header(default=None)
    ) -> ArticleAnalysis:
        state.check_token(_bearer(authorization))
        article = state.article_from(text=request.text, url=request.url, html=None, filename=None)
        return state.analyse(article)

    return router


def _bearer(header: str | None) -> str | None:
    if header and header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


__all__ = ["AnalyseRequest", "ErrorBody", "api_router"]
