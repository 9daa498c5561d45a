"""Predictions for an evaluation, made by the analysis pipeline itself.

Every evaluation that scores the per-article stages predicts through
:class:`~claimgraph.pipeline.Pipeline` (its one parse loop: batching, long-text chunking,
the cue encoder, failures), so what is scored is what ``claimgraph analyze`` produces.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from claimgraph.model import Article, ArticleAnalysis, Failure

if TYPE_CHECKING:
    from claimgraph.config import Config

logger = logging.getLogger(__name__)


def analyze_records(
    records: Iterable[tuple[str, str]], *, config: Config, stages: Sequence[str]
) -> list[ArticleAnalysis | Failure]:
    """Analyse ``(record id, text)`` pairs with the pipeline's ``stages``, in order.

    The text is analysed exactly as given (not normalised as ``claimgraph analyze``
    normalises input files), because the gold offsets refer to it.  A record the pipeline
    fails on gives a :class:`~claimgraph.model.Failure` (logged as a warning) in its place.
    """
    from claimgraph.pipeline import Pipeline
    from claimgraph.workers import analyze_in_workers

    pipeline = Pipeline(config, stages=stages)
    articles = [
        Article(id=Article.make_id(text), text=text, source_name=record_id)
        for record_id, text in records
    ]
    # worker processes, one per core (the same results as one process, in order)
    results = list(analyze_in_workers(pipeline, articles, workers="auto"))
    if len(results) != len(articles):  # one result per input is the pipeline's contract
        raise RuntimeError(f"pipeline gave {len(results)} results for {len(articles)} texts")
    for result in results:
        if isinstance(result, Failure):
            logger.warning("%s: [%s] %s", result.input, result.code, result.message)
    return results


def failure_notes(results: Sequence[ArticleAnalysis | Failure]) -> list[str]:
    """A report note counting the records the pipeline failed on (none: no note)."""
    failed = [r.input for r in results if isinstance(r, Failure)]
    if not failed:
        return []
    shown = ", ".join(failed[:5]) + (", ..." if len(failed) > 5 else "")
    return [f"{len(failed)} record(s) failed in the pipeline and count as predicting nothing: "
            f"{shown}"]


__all__ = ["analyze_records", "failure_notes"]
