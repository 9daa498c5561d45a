"""Articles analysed by several processes side by side, results in input order.

spaCy's parse and the stages are Python that holds the GIL, so threads cannot spread an
analysis over cores; processes can.  :func:`analyze_in_workers` forks worker processes
from a process that has loaded its :class:`~claimgraph.pipeline.Pipeline`, so the models
are loaded once and their memory is shared with the workers (copy-on-write: the weights
are never written; the cyclic collector is kept off the loaded objects by
:func:`gc.freeze`, so that it does not copy their pages either).  The parent reads the
inputs and hands them out in small chunks; each worker runs the whole pipeline on a
chunk, with the cue encoder in its own thread (one worker, one core); results come back
in input order.

A worker that dies (killed for memory, a crash in native code) does not lose the
articles it held: they are analysed again one at a time in a fresh worker, and an article
that takes a second worker down with it becomes a recorded failure.

Forking needs a POSIX ``fork`` (Linux); elsewhere, and for one worker, the analysis runs
in this process as :meth:`Pipeline.analyze` does.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import itertools
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from claimgraph.errors import StageError
from claimgraph.model import Article, ArticleAnalysis, Failure

if TYPE_CHECKING:
    from claimgraph.pipeline import Pipeline

logger = logging.getLogger(__name__)

#: Articles a worker takes at once: small enough that the last chunks of a run keep every
#: worker busy, large enough that handing them out costs little.
CHUNK_SIZE = 4

#: Chunks handed out ahead of the one whose results are awaited, per worker.
AHEAD_PER_WORKER = 4

#: Workers ``auto`` starts at most (each holds its own parses and working memory).
MAX_AUTO_WORKERS = 4

Item = Article | Failure
Result = ArticleAnalysis | Failure

#: The pipeline the workers inherit (set in the parent just before they are forked).
_PIPELINE: list[Pipeline] = []
#: The process id of the workers' parent.
_PARENT: list[int] = []


def can_fork() -> bool:
    """Whether worker processes can be forked here (Linux; not macOS or Windows, where
    forking a process that has loaded native libraries is unsafe or impossible)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system says)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


#: Memory a worker adds to the shared models, about (its parses and working memory; 200
#: DEV texts: 914 MB for the parent and two workers against 830 MB for one process).
WORKER_MEMORY_MB = 400


def available_memory_mb() -> float | None:
    """Memory the system can still give without swapping (``MemAvailable``), or ``None``
    where the system does not say."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def resolve_workers(workers: int | str | None) -> int:
    """The number of worker processes for ``workers``: a positive number as given, or
    ``"auto"``/``None``/0: one per available core, at most :data:`MAX_AUTO_WORKERS`, and
    no more than the available memory holds (:data:`WORKER_MEMORY_MB` each); always 1
    where workers cannot be forked."""
    if not can_fork():
        return 1
    if workers in (None, 0, "auto"):
        count = min(available_cores(), MAX_AUTO_WORKERS)
        memory = available_memory_mb()
        if memory is not None:
            count = min(count, int(memory // WORKER_MEMORY_MB))
        return max(1, count)
    count = int(workers)
    if count < 1:
        raise ValueError(f"workers must be at least 1 or 'auto', not {workers!r}")
    return count


def analyze_in_workers(
    pipeline: Pipeline,
    articles: Iterable[Item],
    *,
    workers: int | str | None = "auto",
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[Result]:
    """Analyse ``articles`` with ``pipeline`` in ``workers`` processes (see
    :func:`resolve_workers`): one result per input, in input order, as
    :meth:`Pipeline.analyze` gives them.

    Input that fits in two chunks is analysed in this process (starting workers would
    cost more than it saves).
    """
    count = resolve_workers(workers)
    items = iter(articles)
    head = list(itertools.islice(items, 2 * chunk_size))
    if count == 1 or len(head) < 2 * chunk_size:
        yield from pipeline.analyze(itertools.chain(head, items))
        return
    chunks = _chunks(itertools.chain(head, items), chunk_size)
    with _WorkerPool(pipeline, count) as pool:
        pending: collections.deque[tuple[list[Item], tuple[int, Future[list[Result]]]]] = (
            collections.deque()
        )
        for chunk in chunks:
            pending.append((chunk, pool.submit(chunk)))
            while len(pending) > count * AHEAD_PER_WORKER:
                yield from pool.collect(*pending.popleft())
        while pending:
            yield from pool.collect(*pending.popleft())


class WorkerAnalyser:
    """``pipeline`` analysing in ``workers`` processes, behind the pipeline's own
    ``analyze`` (what the store's ingest takes)."""

    def __init__(self, pipeline: Pipeline, workers: int | str | None = "auto") -> None:
        self.pipeline = pipeline
        self.workers = workers

    def analyze(self, articles: Iterable[Item]) -> Iterator[Result]:
        return analyze_in_workers(self.pipeline, articles, workers=self.workers)


def _chunks(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


class _WorkerPool:
    """Worker processes forked from this one, replaced when one dies."""

    def __init__(self, pipeline: Pipeline, count: int) -> None:
        self.pipeline = pipeline
        self.count = count
        self._executor: ProcessPoolExecutor | None = None
        #: Counts the sets of workers started (a new set replaces one where a worker died).
        self._generation = 0

    def __enter__(self) -> _WorkerPool:
        # The loaded models are left out of the parent's cyclic collections too: a
        # collection writes to every object it walks, which would copy their pages.
        gc.freeze()
        self._start()
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self._stop(kill=kind is not None)
        gc.unfreeze()

    def submit(self, chunk: list[Item]) -> tuple[int, Future[list[Result]]]:
        """Hand ``chunk`` to a worker: the pool's generation (which workers took it) and
        the future of its results."""
        assert self._executor is not None
        try:
            return self._generation, self._executor.submit(_analyze_chunk, chunk)
        except BrokenProcessPool:
            future: Future[list[Result]] = Future()
            future.set_exception(BrokenProcessPool("a worker process died"))
            return self._generation, future

    def collect(
        self, chunk: list[Item], submitted: tuple[int, Future[list[Result]]]
    ) -> Iterator[Result]:
        """The results of ``chunk``; where its worker died, each article again alone in a
        fresh worker, and a recorded failure for one that takes that worker down too."""
        generation, future = submitted
        try:
            yield from future.result()
            return
        except BrokenProcessPool:
            pass
        if generation == self._generation:  # else the workers were replaced already
            logger.warning("a worker process died; analysing its articles again one by one")
            self._restart()
        for item in chunk:
            if isinstance(item, Failure):
                yield item
                continue
            try:
                yield from self.submit([item])[1].result()
            except BrokenProcessPool:
                self._restart()
                yield _died(item)

    def _start(self) -> None:
        if self._generation == 0:
            _warm(self.pipeline)
        self._generation += 1
        _PIPELINE[:] = [self.pipeline]
        _PARENT[:] = [os.getpid()]
        self._executor = ProcessPoolExecutor(
            self.count,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_init_worker,
        )
        # Fork every worker now, before this process starts other threads (a progress
        # bar's monitor, the executor's own), so that no lock is held across the fork.
        self._executor.submit(os.getpid).result()

    def _restart(self) -> None:
        self._stop(kill=True)
        self._start()

    def _stop(self, *, kill: bool) -> None:
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if kill:  # interrupted, or a worker died: the others need not finish their chunks
            processes = getattr(executor, "_processes", None) or {}
            for process in list(processes.values()):
                with contextlib.suppress(Exception):
                    process.kill()
        executor.shutdown(wait=True, cancel_futures=True)
        _PIPELINE.clear()


#: A short text of our own that every stage reads (a quote, a speaker, a claim).
WARM_TEXT = (
    "The transport minister said on Tuesday that the new bridge over the river would open "
    'in May. "We are ready for the first cars," she told reporters in the capital, '
    "although engineers warned that the final inspection could be delayed."
)


def _warm(pipeline: Pipeline) -> None:
    """Analyse :data:`WARM_TEXT` once in this process, so that everything the stages load
    on first use (dictionaries, language models) is loaded before the workers are forked
    and is shared with them, not loaded again in each.  The encoder runs in this thread
    (no thread of it is alive at the fork)."""
    from claimgraph.ingest import article_from_text

    background, pipeline.encoder_thread = pipeline.encoder_thread, False
    try:
        article = article_from_text(WARM_TEXT, config=pipeline.config.ingest)
        for _ in pipeline.analyze([article]):
            pass
    finally:
        pipeline.encoder_thread = background


def _init_worker() -> None:
    """In a forked worker: leave Ctrl-C to the parent (which stops the workers), run the
    cue encoder in this process's one thread, keep the collector off inherited objects."""
    from claimgraph.pipeline import GC_YOUNG_THRESHOLD

    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pipeline = _PIPELINE[0]
    pipeline.encoder_thread = False
    gc.freeze()
    gc.set_threshold(max(gc.get_threshold()[0], GC_YOUNG_THRESHOLD), *gc.get_threshold()[1:])


#: ``prctl`` option: the signal a process gets when its parent dies (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Have the kernel kill this worker when its parent dies, however it dies (``kill
    -9`` included): an orphaned worker would otherwise wait for work forever."""
    import ctypes

    parent = _PARENT[0]
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _analyze_chunk(chunk: list[Item]) -> list[Result]:
    return list(_PIPELINE[0].analyze_parsed(chunk))


def _died(article: Article) -> Failure:
    from claimgraph.pipeline import _failure

    return _failure(
        article,
        StageError(
            "the process analysing it died (out of memory, or a crash in a native library)",
            article_id=article.id,
        ),
    )


__all__ = [
    "CHUNK_SIZE",
    "MAX_AUTO_WORKERS",
    "WorkerAnalyser",
    "analyze_in_workers",
    "available_cores",
    "available_memory_mb",
    "can_fork",
    "resolve_workers",
]
