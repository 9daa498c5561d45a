"""Speech-act coding: what each statement or reported act does, by whom, to whom.

Stage ``claimgraph.speech_acts.rules.v1``.  Reads the ``Doc``, the statements and the
resolved actors, and adds ``speech_acts``.  For every sentence it finds trigger words
(verbs, event nouns with their light verbs, multi-word phrases; see
:mod:`claimgraph.speech_acts.lexicon`), codes each in its context
(:mod:`claimgraph.speech_acts.codes`), reads the dependency parse for negation, modality
and embedding (:mod:`claimgraph.speech_acts.rules`), and emits one
:class:`~claimgraph.model.SpeechAct` per act with a CAMEO code, its coarse class, the
source and the targets.

Decisions worth knowing:

- ``X said Y accused Z``: X's report is ASSERT; Y ACCUSE Z carries X's words in
  ``attributed_by_span`` and X's actor id in ``attributed_by`` when the actors stage
  resolved X.
- Frames absorb their complements: ``threatened to attack`` is one THREATEN act,
  ``agreed to withdraw`` one INTEND act, ``refused to meet`` one REJECT_DENY act,
  ``urged X to talk`` one APPEAL_REQUEST act with target X.
- Inside reported speech a future (``said it will withdraw``) is INTEND, or THREATEN
  when the act is hostile or conditional (``unless``), or REJECT_DENY when negated
  (``would not provide support``).  ``X must Y`` inside reported speech is a demand on X.
- Negated acts (``did not deny``) are emitted with ``negated=True`` and keep their
  class; consumers (and the event scorer) must skip them.
- Acts inside a denial or an accusation (``denied that its forces attacked``) get
  ``modality="denied"`` or ``"alleged"``: they are reported, not asserted.
- Targets (:mod:`claimgraph.speech_acts.arguments`): an actor among the arguments, or
  inside their phrases (``lifted a blockade on Palestinian lorries``), beats a plain
  object; a threat targets the subject of its condition (``if the United States goes
  ahead``); a transfer targets its recipient (``provided subsidies to X``); an event
  noun's light verb carries its target (``gave a warm welcome to X``); a dateline
  (``GUWAHATI:``) is never an argument.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from claimgraph.config import Config
from claimgraph.model import ArticleAnalysis, Span, SpeechAct, SpeechActClass, Statement, stable_id
from claimgraph.spans import SpanIndex
from claimgraph.speech_acts.lexicon import cameo_class, cameo_name, cameo_table
from claimgraph.speech_acts.rules import Candidate, code_acts, phrase_offsets

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

logger = logging.getLogger(__name__)

STAGE_NAME = "claimgraph.speech_acts.rules.v1"


# ---------------------------------------------------------------------------
# Actors and model objects
# ---------------------------------------------------------------------------


#: Every actor mention of an article: ``(start, end, actor id)``.
Mentions = SpanIndex[str]


def _mention_index(analysis: ArticleAnalysis) -> Mentions:
    return SpanIndex(
        (mention.span.start, mention.span.end, actor.id)
        for actor in analysis.actors
        for mention in actor.mentions
    )


def _actor_at(mentions: Mentions, start: int, end: int, head: tuple[int, int]) -> str | None:
    """The actor of the phrase ``start:end`` with head word ``head``.

    A mention over the head wins; otherwise the mention inside the phrase closest to
    its head ("the APEC forum", "Palestinian youths").
    """
    best: tuple[int, str] | None = None
    inside: tuple[int, str] | None = None
    for m_start, m_end, actor_id in mentions.overlapping(min(start, head[0]), max(end, head[1])):
        if m_start < head[1] and head[0] < m_end:
            overlap = min(m_end, end) - max(m_start, start)
            if best is None or overlap > best[0]:
                best = (overlap, actor_id)
        elif start <= m_start and m_end <= end:
            if inside is None or m_end > inside[0]:
                inside = (m_end, actor_id)
    if best is not None:
        return best[1]
    return inside[1] if inside is not None else None


def _actor_tokens(doc: Doc, analysis: ArticleAnalysis) -> set[int]:
    """Indices of tokens inside a mention of a known actor.

    Agents of no known country ("the government", "insurgents": CAMEO ``---GOV``,
    ``---REB``) are left out: they are common nouns, and must not outrank a named
    party or place when the coder picks a target.
    """
    out: set[int] = set()
    for actor in analysis.actors:
        if (actor.code or "").startswith("---"):
            continue
        for mention in actor.mentions:
            span = doc.char_span(mention.span.start, mention.span.end, alignment_mode="expand")
            if span is not None:
                out.update(t.i for t in span if mention.span.start <= t.idx)
    return out


def _overlaps(span: Span, token: Token) -> bool:
    return span.start < token.idx + len(token) and token.idx < span.end


def _statement_for(act: Candidate, cues: SpanIndex[Statement]) -> Statement | None:
    """The first statement whose cue holds ``act``'s trigger word."""
    found = cues.containing(act.token.idx)
    return found[0][2] if found else None


def _source_ref(
    act: Candidate, mentions: Mentions, text: str
) -> tuple[str | None, Span | None]:
    """The actor id (when an actor covers it) and the words of ``act``'s source."""
    if act.source is None:
        return None, None
    start, end = phrase_offsets(act.source)
    head = (act.source.idx, act.source.idx + len(act.source))
    return _actor_at(mentions, start, end, head), Span.of(text, start, end)


def code_speech_acts(doc: Doc, analysis: ArticleAnalysis) -> list[SpeechAct]:
    """Code the speech and material acts of one parsed article.

    ``doc`` must be the parse of ``analysis.article.text``.  Statements and actors in
    ``analysis`` are used when present (statement links, speakers, actor ids); without
    them sources and targets are kept as text spans.  Returns acts sorted by trigger.
    """
    text = analysis.article.text
    statements = list(analysis.statements)
    named = _actor_tokens(doc, analysis)
    acts = code_acts(doc, statements, named)
    mentions = _mention_index(analysis)
    cues = SpanIndex((s.cue.start, s.cue.end, s) for s in statements)
    out: list[SpeechAct] = []
    covered: set[str] = set()
    for act in acts:
        token = act.token
        tokens = [token, *act.extra]
        start = min(t.idx for t in tokens)
        end = max(t.idx + len(t) for t in tokens)
        trigger = Span.of(text, start, end)
        statement = _statement_for(act, cues)
        statement_id = statement.id if statement is not None else act.statement_id
        if statement is not None:
            covered.add(statement.id)
        source_actor: str | None = None
        source_span: Span | None = None
        if (
            act.report
            and statement is not None
            and statement.source is not None
            and (act.source is None or not _overlaps(statement.source, act.source))
        ):
            # The attribution model reads report sources better than the parse does.
            source_actor = statement.speaker.actor_id if statement.speaker is not None else None
            source_span = statement.source
            source_actor = source_actor or _actor_at(
                mentions, source_span.start, source_span.end, (source_span.start, source_span.end)
            )
        elif act.source is not None:
            s_start, s_end = phrase_offsets(act.source)
            source_span = Span.of(text, s_start, s_end)
            source_actor = _actor_at(
                mentions, s_start, s_end, (act.source.idx, act.source.idx + len(act.source))
            )
        elif statement is not None and statement.speaker is not None:
            source_actor = statement.speaker.actor_id
            source_span = statement.source
        target_actors: list[str] = []
        target_spans: list[Span] = []
        for target in act.targets:
            if act.source is not None and target.i == act.source.i:
                continue
            t_start, t_end = phrase_offsets(target)
            actor_id = _actor_at(mentions, t_start, t_end, (target.idx, target.idx + len(target)))
            if actor_id is not None:
                if actor_id != source_actor and actor_id not in target_actors:
                    target_actors.append(actor_id)
            else:
                target_spans.append(Span.of(text, t_start, t_end))
        attributed_by, attributed_by_span = (
            _source_ref(act.reporter, mentions, text) if act.reporter is not None else (None, None)
        )
        out.append(
            SpeechAct(
                id=stable_id(
                    analysis.article.id,
                    start,
                    end,
                    act.code,
                    source_span.start if source_span is not None else "",
                    prefix="sa_",
                ),
                act=act.cls,
                cameo=act.code,
                trigger=trigger,
                source_actor=source_actor,
                source_span=source_span,
                target_actors=target_actors,
                target_spans=target_spans,
                statement_id=statement_id,
                attributed_by=attributed_by,
                attributed_by_span=attributed_by_span,
                negated=act.negated,
                modality=act.modality,
                confidence=act.confidence,
            )
        )
    # Statements the parse rules did not see ("according to X") are ASSERTs.
    for statement in statements:
        if statement.id in covered:
            continue
        speaker = statement.speaker
        out.append(
            SpeechAct(
                id=stable_id(
                    analysis.article.id, statement.cue.start, statement.cue.end, "010", prefix="sa_"
                ),
                act=SpeechActClass.ASSERT,
                cameo="010",
                trigger=statement.cue,
                source_actor=speaker.actor_id if speaker is not None else None,
                source_span=statement.source,
                statement_id=statement.id,
                confidence=round(min(0.5, statement.confidence), 4),
            )
        )
    out.sort(key=lambda a: (a.trigger.start, a.trigger.end, a.cameo or ""))
    return out


def run_stage(doc: Doc, analysis: ArticleAnalysis, *, config: Config) -> ArticleAnalysis:
    """Pipeline stage: fill ``analysis.speech_acts`` (replacing any already there)."""
    acts = code_speech_acts(doc, analysis)
    if config.speech_acts.coder == "learned":
        from claimgraph.speech_acts.learned import load_model, recode

        model = load_model(config.speech_acts.weights)
        acts = recode(doc, analysis.model_copy(update={"speech_acts": acts}), model)
    logger.debug("%s: %d speech acts", analysis.article.id, len(acts))
    return analysis.model_copy(update={"speech_acts": acts})


__all__ = [
    "STAGE_NAME",
    "cameo_class",
    "cameo_name",
    "cameo_table",
    "code_speech_acts",
    "run_stage",
]
