"""Analyse inputs into the store: skip what is stored, analyse the rest, record failures.

:func:`ingest` is what ``claimgraph ingest`` (and the web app) call.  Each article is
written in its own transaction right after its analysis, so a run stopped at any point
can be run again: stored articles are skipped (by the hash of their normalised text) and
the rest is analysed.  With ``reanalyze``, stored articles whose analysis came from
another claimgraph version or other weights are analysed again.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

from claimgraph import __version__
from claimgraph.model import Article, ArticleAnalysis, Failure
from claimgraph.store.sql import SqlStore

logger = logging.getLogger(__name__)

Outcome = Literal["stored", "skipped", "failed"]


@dataclass(frozen=True)
class IngestEvent:
    """What became of one input document."""

    outcome: Outcome
    name: str
    failure: Failure | None = None
    analysis: ArticleAnalysis | None = None


@dataclass
class IngestCounts:
    """Documents by outcome over one run."""

    stored: int = 0
    skipped: int = 0
    failed: int = 0

    def add(self, event: IngestEvent) -> None:
        setattr(self, event.outcome, getattr(self, event.outcome) + 1)

    def as_dict(self) -> dict[str, int]:
        return {"stored": self.stored, "skipped": self.skipped, "failed": self.failed}


class Analyser(Protocol):
    """Anything with :meth:`~claimgraph.pipeline.Pipeline.analyze` (the pipeline)."""

    def analyze(
        self, articles: Iterable[Article | Failure]
    ) -> Iterator[ArticleAnalysis | Failure]: ...


def ingest(
    store: SqlStore,
    items: Iterable[Article | Failure],
    *,
    analyser: Callable[[], Analyser],
    weights_hash: str,
    run_id: int | None = None,
    reanalyze: bool = False,
) -> Iterator[IngestEvent]:
    """Store the analysis of every new article of ``items``, in input order.

    ``analyser`` is called once, when the first article needs analysing (so a run that
    finds everything stored never loads a model).  Input failures and analysis failures
    are recorded in the store's failures table and reported as ``failed`` events.
    """
    skipped: list[IngestEvent] = []
    loaded: list[Analyser] = []

    def to_analyse() -> Iterator[Article | Failure]:
        for item in items:
            if isinstance(item, Article):
                stored = store.stored_version(item.text)
                if stored is not None and not (
                    reanalyze and (stored[1], stored[2]) != (__version__, weights_hash)
                ):
                    skipped.append(IngestEvent("skipped", _name(item)))
                    continue
            yield item

    def results() -> Iterator[ArticleAnalysis | Failure]:
        source = to_analyse()
        for first in source:  # the analyser loads on the first item it has to see
            if not loaded:
                loaded.append(analyser())
            yield from loaded[0].analyze(itertools.chain([first], source))
            return

    for result in results():
        yield from _drain(skipped)
        yield _store(store, result, run_id=run_id, weights_hash=weights_hash)
    yield from _drain(skipped)


def ingest_analyses(
    store: SqlStore,
    results: Iterable[tuple[ArticleAnalysis, str] | Failure],
    *,
    run_id: int | None = None,
    reanalyze: bool = False,
) -> Iterator[IngestEvent]:
    """Store analyses made elsewhere (a Spark run's Parquet tables), each with the
    weights hash it was made with; failures are recorded.  As with :func:`ingest`, an
    article whose text is stored already is skipped (with ``reanalyze``: unless it was
    stored from another claimgraph version or other weights)."""
    for item in results:
        if isinstance(item, Failure):
            yield _store(store, item, run_id=run_id, weights_hash="")
            continue
        analysis, weights_hash = item
        stored = store.stored_version(analysis.article.text)
        provenance = analysis.provenance
        version = provenance.claimgraph_version if provenance else __version__
        stale = stored is not None and (stored[1], stored[2]) != (version, weights_hash)
        if stored is not None and not (reanalyze and stale):
            yield IngestEvent("skipped", _name(analysis.article))
            continue
        yield _store(store, analysis, run_id=run_id, weights_hash=weights_hash)


def _store(
    store: SqlStore, result: ArticleAnalysis | Failure, *, run_id: int | None, weights_hash: str
) -> IngestEvent:
    if isinstance(result, Failure):
        store.add_failure(result, run_id=run_id)
        return IngestEvent("failed", result.input, failure=result)
    if store.add_analysis(result, run_id=run_id, weights_hash=weights_hash):
        return IngestEvent("stored", _name(result.article), analysis=result)
    return IngestEvent("skipped", _name(result.article))


def _drain(events: list[IngestEvent]) -> Iterator[IngestEvent]:
    while events:
        yield events.pop(0)


def _name(article: Article) -> str:
    return article.source_name or article.url or article.id


__all__ = ["IngestCounts", "IngestEvent", "ingest", "ingest_analyses"]
