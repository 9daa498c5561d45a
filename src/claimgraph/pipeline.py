"""Runs the per-article stages in order over parsed articles and records provenance.

:class:`Pipeline` owns the one parse loop (:meth:`Pipeline.parse`: batching, long-text
chunking, the cue encoder beside the parse, failures), and ``claimgraph analyze``, the
evaluations and the spaCy component all go through it.  A stage is a function
``(doc, analysis, *, config) -> analysis`` registered in :data:`STAGES` under a versioned
name.  It reads the spaCy ``Doc`` (which never leaves one article's pass) and returns a
new :class:`~claimgraph.model.ArticleAnalysis`.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import gc
import importlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from claimgraph import __version__
from claimgraph.config import Config
from claimgraph.errors import ClaimgraphError, StageError
from claimgraph.ingest import article_from_text
from claimgraph.model import Article, ArticleAnalysis, Failure, Provenance
from claimgraph.nlp import import_spacy, load_nlp, parse_with
from claimgraph.nlp.encoder_runner import (
    attach,
    encoder_clock,
    encoder_results,
    spacy_exclusions,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc

logger = logging.getLogger(__name__)

StageFn = Callable[..., ArticleAnalysis]
T = TypeVar("T")


@dataclass(frozen=True)
class StageSpec:
    name: str
    target: str  # "module:function", imported lazily; the module's STAGE_NAME is its version


#: The per-article stages, in order.
STAGES: tuple[StageSpec, ...] = (
    StageSpec("attribution", "claimgraph.attribution:run_stage"),
    StageSpec("actors", "claimgraph.actors:run_stage"),
    StageSpec("speech_acts", "claimgraph.speech_acts:run_stage"),
    StageSpec("evidence", "claimgraph.evidence:run_stage"),
    StageSpec("contradictions", "claimgraph.narratives.within:run_stage"),
    StageSpec("credibility", "claimgraph.credibility:run_stage"),
)


#: Container allocations between two young-generation collections of Python's cyclic
#: garbage collector while a batch is analysed (Python's default is 700).
GC_YOUNG_THRESHOLD = 10_000


@contextlib.contextmanager
def collector_for_batch() -> Iterator[None]:
    """Run the body with the cyclic garbage collector tuned for batch analysis.

    Features and parses allocate millions of short-lived lists, and the collector's
    default (a young collection every 700 allocations, each walking every object that
    survived) cost about 1.7 s of 40 over 200 DEV articles, 0.1 s with this tuning:
    objects that exist before the batch (loaded models, vocabularies) are frozen out of
    collection (``gc.freeze``) and young collections run every
    :data:`GC_YOUNG_THRESHOLD` allocations.  Both are undone afterwards; peak memory
    did not change.
    """
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(old[0], GC_YOUNG_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def _resolve(spec: StageSpec) -> tuple[StageFn, str]:
    """The stage function and its versioned implementation name."""
    module_name, _, attr = spec.target.partition(":")
    module = importlib.import_module(module_name)
    fn: StageFn = getattr(module, attr)
    return fn, str(getattr(module, "STAGE_NAME", f"{module_name}.{attr}"))


class Stages:
    """The per-article stages of ``config`` (all of :data:`STAGES`, or those named in
    ``names``), resolved once and run in order on parsed articles."""

    def __init__(self, config: Config, names: Iterable[str] | None = None) -> None:
        self.config = config
        wanted = set(names) if names is not None else None
        specs = [s for s in STAGES if wanted is None or s.name in wanted]
        resolved = [(spec, *_resolve(spec)) for spec in specs]
        self._fns = [(spec, fn) for spec, fn, _ in resolved]
        #: Each stage's versioned implementation name (recorded in provenance).
        self.versions = {spec.name: version for spec, _, version in resolved}
        #: CPU seconds of the calling thread per stage, summed over the documents, where
        #: :meth:`Pipeline.profile` turned the profile on (``None``: off).
        self.cpu_seconds: dict[str, float] | None = None

    def provenance(self, meta: dict[str, object]) -> Provenance:
        """The provenance of analyses made by these stages over a spaCy pipeline whose
        ``nlp.meta`` is ``meta``."""
        from spacy import about as spacy_about

        return Provenance(
            claimgraph_version=__version__,
            spacy_version=spacy_about.__version__,
            spacy_model=f"{meta.get('lang', 'en')}_{meta.get('name', '?')}",
            spacy_model_version=str(meta.get("version", "?")),
            stages=dict(self.versions),
            config_hash=self.config.digest(),
        )

    def run(self, doc: Doc, analysis: ArticleAnalysis) -> ArticleAnalysis:
        """Run every stage on one parsed article; a stage's unexpected error becomes a
        :class:`~claimgraph.errors.StageError` naming the stage, and so does running past
        ``pipeline.max_seconds_per_document`` (see :func:`time_limit`)."""
        budget = self.config.pipeline.max_seconds_per_document
        stage = ""
        try:
            with time_limit(budget) as overtime:
                for spec, fn in self._fns:
                    stage = spec.name
                    if overtime():
                        raise _Overtime
                    analysis = self._run_stage(spec, fn, doc, analysis)
        except _Overtime as err:  # also when the timer fires between two statements here
            raise StageError(
                f"took longer than {budget:g} s, the limit for one document "
                "(pipeline.max_seconds_per_document); raise it to analyse this one",
                article_id=analysis.article.id,
                stage=stage,
            ) from err
        return analysis

    def _run_stage(
        self, spec: StageSpec, fn: StageFn, doc: Doc, analysis: ArticleAnalysis
    ) -> ArticleAnalysis:
        if self.cpu_seconds is not None:
            started = time.thread_time()
            try:
                return self._call_stage(spec, fn, doc, analysis)
            finally:
                spent = time.thread_time() - started
                self.cpu_seconds[spec.name] = self.cpu_seconds.get(spec.name, 0.0) + spent
        return self._call_stage(spec, fn, doc, analysis)

    def _call_stage(
        self, spec: StageSpec, fn: StageFn, doc: Doc, analysis: ArticleAnalysis
    ) -> ArticleAnalysis:
        try:
            return fn(doc, analysis, config=self.config)
        except ClaimgraphError:
            raise
        except Exception as err:  # a bug in a stage must not stop a batch
            # the failure is reported in one line; its traceback only with -vv
            article_id = analysis.article.id
            logger.debug("stage %s failed on %s", spec.name, article_id, exc_info=True)
            raise StageError(
                f"stage {spec.name} failed: {type(err).__name__}: {err}",
                article_id=article_id,
                stage=spec.name,
            ) from err


class _Overtime(BaseException):
    """Raised into a stage that ran past its time (a BaseException, so that a stage's own
    ``except Exception`` cannot swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[Callable[[], bool]]:
    """Bound the body to ``seconds``: yields a check that says whether the time is up.

    In the main thread of a Unix process a timer signal interrupts the body itself when
    the time is up (raising :class:`_Overtime`); elsewhere (a web server's worker
    threads) only the check can tell, between stages.
    """
    deadline = time.monotonic() + seconds

    def overtime() -> bool:
        return time.monotonic() > deadline

    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield overtime
        return

    def interrupt(signum: int, frame: object) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield overtime
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Pipeline:
    """The loaded pipeline: spaCy model plus stage functions, reusable across batches.

    ``encoder_thread``: run the cue encoder in a background thread beside the parse (the
    default: an analysis then keeps two cores busy), or in the parsing thread, for a
    process that is meant to use one core (a Spark task).  The results are the same.
    """

    def __init__(
        self,
        config: Config | None = None,
        *,
        stages: Iterable[str] | None = None,
        encoder_thread: bool = True,
    ):
        import_spacy()  # before the stages import spaCy (without torch)
        self.config = config or Config()
        self.encoder_thread = encoder_thread
        self.stages = Stages(self.config, stages)
        self.uses_attribution = "attribution" in self.stages.versions
        exclude = spacy_exclusions(self.config, attribution=self.uses_attribution)
        self.nlp = load_nlp(self.config.nlp.model, exclude)
        self.provenance = self.stages.provenance(self.nlp.meta)

    def profile(self) -> dict[str, float]:
        """Turn on the CPU profile and return it: CPU seconds of the analysing thread in
        the parse (``parse``: spaCy, joining long texts, attaching the encoder's
        results) and in each stage, and of the cue encoder's thread (``encoder``), summed
        over the documents analysed from now on (``benchmarks/speed.py`` prints it)."""
        if self.stages.cpu_seconds is None:
            self.stages.cpu_seconds = {}
            self._encoder_clock = encoder_clock()
        return self.stages.cpu_seconds

    def run_doc(self, doc: Doc, article: Article) -> ArticleAnalysis:
        """Run every stage on one parsed article."""
        return self.stages.run(doc, ArticleAnalysis(article=article, provenance=self.provenance))

    def analyze(self, articles: Iterable[Article | Failure]) -> Iterator[ArticleAnalysis | Failure]:
        """Analyse articles in batches, in order: one result per input.

        Input failures pass through; an article that fails its parse or a stage becomes
        a :class:`~claimgraph.model.Failure` naming the stage, and the batch goes on.
        """
        with collector_for_batch():
            yield from self.analyze_parsed(articles)

    def analyze_parsed(
        self, articles: Iterable[Article | Failure]
    ) -> Iterator[ArticleAnalysis | Failure]:
        """:meth:`analyze` without tuning the garbage collector around the batch (for a
        process that keeps it tuned for its whole life: a worker of
        :func:`~claimgraph.workers.analyze_in_workers`)."""
        for item in self._timed(self.parse(articles)):
            if isinstance(item, Failure):
                yield item
                continue
            doc, article = item
            try:
                yield self.run_doc(doc, article)
            except ClaimgraphError as err:
                yield _failure(article, err)

    def _timed(self, items: Iterator[T]) -> Iterator[T]:
        """``items``, with the calling thread's CPU time spent producing them added to
        the profile's ``parse`` (where :meth:`profile` turned it on), and the encoder
        thread's CPU time to its ``encoder``."""
        profile = self.stages.cpu_seconds
        if profile is None:
            yield from items
            return
        while True:
            started = time.thread_time()
            item = next(items, None)
            profile["parse"] = profile.get("parse", 0.0) + time.thread_time() - started
            profile["encoder"] = self._encoder_clock()
            if item is None:
                return
            yield item

    def parse(
        self, articles: Iterable[Article | Failure]
    ) -> Iterator[tuple[Doc, Article] | Failure]:
        """The one parse loop: each article's ``Doc`` beside the article, in order.

        Texts are parsed in batches of ``nlp.batch_size``; a text longer than
        ``nlp.max_chars`` is parsed in pieces joined back into one ``Doc``
        (:func:`~claimgraph.nlp.parse_with`).  With the cue encoder on, each text goes to
        it (in a background thread) as spaCy takes the text into a batch, and its results
        (cue probabilities, and the named entities where it supplies them) are attached
        to the ``Doc`` (:func:`~claimgraph.nlp.encoder_runner.attach`).  Input failures
        pass through in their place (result N answers input N); an article the encoder
        fails on becomes a failure.
        """
        # Input failures wait for the articles read before them: spaCy reads a batch of
        # texts ahead before it yields the first Doc, so result N must answer input N.
        pending: collections.deque[tuple[int, Failure]] = collections.deque()

        def texts() -> Iterator[tuple[str, tuple[int, Article]]]:
            for number, item in enumerate(articles):
                if isinstance(item, Failure):
                    pending.append((number, item))
                    continue
                yield item.text, (number, item)

        with encoder_results(
            self.config,
            texts(),
            enabled=self.uses_attribution,
            background=self.encoder_thread,
        ) as items:
            for doc, ((number, article), future) in parse_with(
                self.nlp,
                items,
                batch_size=self.config.nlp.batch_size,
                max_chars=self.config.nlp.max_chars,
                max_batch_chars=self.config.nlp.max_batch_chars,
            ):
                while pending and pending[0][0] < number:
                    yield pending.popleft()[1]
                try:
                    attach(doc, future, article.id)
                except ClaimgraphError as err:
                    yield _failure(article, err)
                    continue
                yield doc, article
        while pending:
            yield pending.popleft()[1]


def _failure(article: Article, err: ClaimgraphError) -> Failure:
    return Failure(
        input=article.source_name or article.id,
        code=err.code,
        message=err.message,
        stage=getattr(err, "stage", None),
        article_id=article.id,
    )


@functools.lru_cache(maxsize=4)
def weights_hash(config: Config | None = None) -> str:
    """A digest of the trained weights an analysis with ``config`` uses (the attribution
    directory: taggers, second stage, encoder; the machine-text detector): the store
    keeps it beside each analysis, so that ``ingest --reanalyze`` knows what is stale."""
    import hashlib

    from claimgraph.resources import ATTRIBUTION_MODEL_DIR, MACHINE_TEXT_MODEL_DIR

    config = config or Config()
    folders = [Path(config.attribution.weights or ATTRIBUTION_MODEL_DIR), MACHINE_TEXT_MODEL_DIR]
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.glob("*")):
            if path.is_file() and path.suffix not in (".md",):
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=2)
def load_pipeline(config: Config | None = None) -> Pipeline:
    """The full pipeline of ``config`` (default: the built-in defaults), loaded once per
    process and shared by later calls with an equal config."""
    return Pipeline(config)


def analyze_text(
    text: str, *, config: Config | None = None, url: str | None = None
) -> ArticleAnalysis:
    """Analyse one plain text with the full pipeline (:func:`load_pipeline`: spaCy and the
    models load on the first call only).

    Raises :class:`~claimgraph.errors.InputError` for text that cannot be analysed (empty,
    too short, not English) and :class:`~claimgraph.errors.StageError` when a stage fails.
    """
    config = config or Config()
    article = article_from_text(text, url=url, config=config.ingest)
    result = next(load_pipeline(config).analyze([article]))
    if isinstance(result, Failure):
        raise StageError(result.message, article_id=result.article_id, stage=result.stage)
    return result


__all__ = [
    "GC_YOUNG_THRESHOLD",
    "STAGES",
    "Pipeline",
    "StageSpec",
    "Stages",
    "analyze_text",
    "collector_for_batch",
    "load_pipeline",
    "time_limit",
    "weights_hash",
]
