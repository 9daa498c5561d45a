"""The claimgraph data model: one typed schema that every stage reads and extends.

Every piece of text a stage reports is a :class:`Span` of character offsets into
``Article.text``; :meth:`ArticleAnalysis.check_spans` verifies them.  All models are
frozen pydantic v2 models that forbid unknown keys, so they survive JSON, SQLite and a
Spark worker unchanged.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Version of the JSON schema written by :func:`claimgraph.outputs.to_json`.
#: Bump the minor version when fields are added, the major version when they change.
SCHEMA_VERSION = "1.3.0"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def stable_id(*parts: object, prefix: str = "", length: int = 16) -> str:
    """A short, stable content hash of ``parts`` (never a random UUID)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}{digest[:length]}"


# ---------------------------------------------------------------------------
# Spans
# ---------------------------------------------------------------------------


class Span(_Model):
    """A stretch of ``Article.text``: ``text == article.text[start:end]``."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str

    @model_validator(mode="after")
    def _check_bounds(self) -> Span:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} is before its start {self.start}")
        if len(self.text) != self.end - self.start:
            raise ValueError(
                f"span text has {len(self.text)} characters but offsets "
                f"{self.start}:{self.end} cover {self.end - self.start}"
            )
        return self

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        """The span ``text[start:end]``."""
        return cls(start=start, end=end, text=text[start:end])

    def check(self, text: str) -> None:
        """Raise ``ValueError`` unless this span matches ``text``."""
        if text[self.start : self.end] != self.text:
            raise ValueError(
                f"span {self.start}:{self.end} {self.text!r} does not match the text there "
                f"({text[self.start : self.end]!r})"
            )


class FragmentedSpan(Span):
    """A span that may be discontinuous: ``"A," he said, "B."``.

    ``start``/``end``/``text`` are the outer envelope; ``fragments`` (only when there are
    two or more pieces) are the actual pieces, in order.
    """

    fragments: list[Span] | None = None

    def pieces(self) -> list[Span]:
        """The actual pieces of text (the envelope itself when continuous)."""
        if self.fragments:
            return list(self.fragments)
        return [Span(start=self.start, end=self.end, text=self.text)]

    @classmethod
    def from_pieces(cls, text: str, pieces: list[tuple[int, int]]) -> FragmentedSpan:
        """Build from ``(start, end)`` pieces (sorted and merged where they touch)."""
        merged: list[list[int]] = []
        for start, end in sorted(pieces):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        if not merged:
            raise ValueError("a fragmented span needs at least one piece")
        start, end = merged[0][0], merged[-1][1]
        fragments = [Span.of(text, s, e) for s, e in merged] if len(merged) > 1 else None
        return cls(start=start, end=end, text=text[start:end], fragments=fragments)

    def check(self, text: str) -> None:
        super().check(text)
        for piece in self.fragments or []:
            piece.check(text)


# ---------------------------------------------------------------------------
# Article
# ---------------------------------------------------------------------------


class MetadataBlock(_Model):
    """Page furniture removed from the text but kept for credibility checks."""

    kind: Literal["author_bio", "comments", "related", "share", "other"]
    text: str


SourceKind = Literal["text", "html", "url", "jsonl", "stdin", "rss", "warc", "parquet"]


class Article(_Model):
    """One news article: clean text plus what was extracted about it.

    ``id`` is a stable hash of the URL (if any) and the text.
    """

    id: str
    text: str
    url: str | None = None
    title: str | None = None
    byline: str | None = None
    site: str | None = None
    published: str | None = None
    language: str | None = None
    source_kind: SourceKind = "text"
    source_name: str | None = None
    raw_sha256: str | None = None
    metadata_blocks: list[MetadataBlock] = Field(default_factory=list)

    @classmethod
    def make_id(cls, text: str, url: str | None = None) -> str:
        """The stable id of an article with this ``text`` and ``url``."""
        return stable_id(url or "", text, prefix="a_")


# ---------------------------------------------------------------------------
# Actors
# ---------------------------------------------------------------------------


class ActorType(StrEnum):
    PERSON = "PERSON"
    ORGANIZATION = "ORGANIZATION"
    COUNTRY = "COUNTRY"
    GROUP = "GROUP"
    UNKNOWN = "UNKNOWN"


MentionKind = Literal["name", "pronoun", "role", "apposition", "group", "other"]


class ActorMention(_Model):
    """A place in the text where an actor is mentioned."""

    span: Span
    kind: MentionKind = "name"


class CodeEvidence(_Model):
    """Why an actor carries its CAMEO code or a role."""

    source: Literal["dictionary", "text", "user_dictionary", "inferred"]
    detail: str
    span: Span | None = None


class Actor(_Model):
    """One canonical person, organisation, country or group in an article.

    ``id`` identifies the actor within its article (the same name and type give the same
    id in every article); the corpus store links it to a cross-article :class:`Entity`.
    """

    id: str
    name: str
    type: ActorType = ActorType.UNKNOWN
    roles: list[str] = Field(default_factory=list)
    affiliations: list[str] = Field(default_factory=list)
    code: str | None = None
    evidence: list[CodeEvidence] = Field(default_factory=list)
    mentions: list[ActorMention] = Field(default_factory=list)
    #: Every distinct way the article names the actor ("Vladimir Putin", "Putin").
    aliases: list[str] = Field(default_factory=list)
    #: The CAMEO/Phoenix dictionary entry the actor was coded from (its block's first
    #: phrase, e.g. ``"VLADIMIR PUTIN"``), when a dictionary names it.
    dictionary_key: str | None = None


class Entity(_Model):
    """One person, organisation, country or group across the articles of a corpus."""

    id: str
    name: str
    type: ActorType = ActorType.UNKNOWN
    code: str | None = None
    dictionary_key: str | None = None
    aliases: list[str] = Field(default_factory=list)


class EntityLink(_Model):
    """Why an article's actor is linked to a corpus entity, and how surely."""

    article_id: str
    actor_id: str
    entity_id: str
    reason: str
    confidence: float = Field(ge=0.0, le=1.0)


# ---------------------------------------------------------------------------
# Statements (attribution)
# ---------------------------------------------------------------------------


class StatementKind(StrEnum):
    DIRECT = "direct"
    INDIRECT = "indirect"
    MIXED = "mixed"


ResolutionMethod = Literal[
    "name", "pronoun", "role", "apposition", "continuation", "according_to", "none"
]


class Speaker(_Model):
    """The resolved speaker of a statement."""

    name: str
    actor_id: str | None = None
    method: ResolutionMethod = "name"
    antecedent: Span | None = None


class Statement(_Model):
    """One attribution: who (source) says/believes/intends (cue) what (content)."""

    id: str
    kind: StatementKind
    cue: Span
    content: FragmentedSpan
    source: Span | None = None
    speaker: Speaker | None = None
    confidence: float = Field(ge=0.0, le=1.0)

    @classmethod
    def make_id(cls, article_id: str, cue: Span) -> str:
        return stable_id(article_id, cue.start, cue.end, prefix="s_")


# ---------------------------------------------------------------------------
# Speech acts
# ---------------------------------------------------------------------------


class SpeechActClass(StrEnum):
    ASSERT = "ASSERT"
    APPEAL_REQUEST = "APPEAL_REQUEST"
    INTEND = "INTEND"
    CONSULT = "CONSULT"
    COOPERATE_PRAISE = "COOPERATE_PRAISE"
    ACCUSE_CRITICIZE = "ACCUSE_CRITICIZE"
    REJECT_DENY = "REJECT_DENY"
    THREATEN = "THREATEN"
    PROTEST = "PROTEST"
    CLAIM_RESPONSIBILITY = "CLAIM_RESPONSIBILITY"
    OTHER = "OTHER"


class SpeechAct(_Model):
    """A coded act between actors: source —class→ targets."""

    id: str
    act: SpeechActClass
    cameo: str | None = None
    trigger: Span
    source_actor: str | None = None
    source_span: Span | None = None  # the source's words (kept when no actor covers them)
    target_actors: list[str] = Field(default_factory=list)
    target_spans: list[Span] = Field(default_factory=list)
    statement_id: str | None = None
    #: Actor id of whoever reports the act ("X said Y accused Z": X), when resolved.
    attributed_by: str | None = None
    #: The reporter's words, kept whether or not an actor covers them.
    attributed_by_span: Span | None = None
    negated: bool = False
    modality: str | None = None
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)


# ---------------------------------------------------------------------------
# Evidence and credibility
# ---------------------------------------------------------------------------


class EvidenceStatus(StrEnum):
    ATTRIBUTED = "attributed"
    ANONYMOUS = "anonymous"
    HEDGED = "hedged"
    UNSUPPORTED = "unsupported"
    DENIED = "denied"
    AUTHOR_VOICE = "author_voice"


class ClaimEvidence(_Model):
    """The evidence status of one statement or author-voice claim."""

    claim_id: str
    claim: Span
    statement_id: str | None = None
    statuses: list[EvidenceStatus]
    hedges: list[Span] = Field(default_factory=list)
    justification: list[Span] = Field(default_factory=list)
    #: Actor ids of those who deny the claim (resolved deniers only).
    denied_by: list[str] = Field(default_factory=list)
    #: The denying words, one span per denial (also for deniers not resolved to an actor).
    denials: list[Span] = Field(default_factory=list)


ContradictionKind = Literal["explicit", "conflicting_values", "self_contradiction"]


class ClaimRef(_Model):
    """One side of a contradiction: a claim of the article and who makes it."""

    claim_id: str
    statement_id: str | None = None
    span: Span
    speaker: str | None = None
    actor_id: str | None = None


class Contradiction(_Model):
    """Two claims that cannot both be true (see :mod:`claimgraph.narratives`)."""

    id: str
    kind: ContradictionKind
    score: float = Field(ge=0.0, le=1.0)
    a: ClaimRef
    b: ClaimRef
    #: What the two disagree on: "denial", "place", "number" or "date".
    about: str

    @classmethod
    def make_id(cls, a: str, b: str) -> str:
        return stable_id(*sorted((a, b)), prefix="c_")


class BlockSpan(_Model):
    """A span inside one of ``Article.metadata_blocks`` (not in the article text)."""

    block: int = Field(ge=0)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class CredibilitySignal(_Model):
    """One named credibility signal, with the evidence behind it."""

    name: str
    value: float | str | bool | None
    explanation: str
    spans: list[Span] = Field(default_factory=list)
    block_spans: list[BlockSpan] = Field(default_factory=list)


# ---------------------------------------------------------------------------
# The analysis of one article
# ---------------------------------------------------------------------------


class Provenance(_Model):
    """What produced an analysis: enough to reproduce it."""

    claimgraph_version: str
    schema_version: str = SCHEMA_VERSION
    spacy_version: str
    spacy_model: str
    spacy_model_version: str
    stages: dict[str, str]
    config_hash: str


class ArticleAnalysis(_Model):
    """Everything claimgraph found in one article."""

    schema_version: str = SCHEMA_VERSION
    article: Article
    statements: list[Statement] = Field(default_factory=list)
    actors: list[Actor] = Field(default_factory=list)
    speech_acts: list[SpeechAct] = Field(default_factory=list)
    evidence: list[ClaimEvidence] = Field(default_factory=list)
    credibility: list[CredibilitySignal] = Field(default_factory=list)
    contradictions: list[Contradiction] = Field(default_factory=list)
    provenance: Provenance | None = None

    def check_spans(self) -> None:
        """Raise ``ValueError`` if any span does not match the article text."""
        text = self.article.text
        for statement in self.statements:
            statement.cue.check(text)
            statement.content.check(text)
            if statement.source is not None:
                statement.source.check(text)
            if statement.speaker is not None and statement.speaker.antecedent is not None:
                statement.speaker.antecedent.check(text)
        for actor in self.actors:
            for mention in actor.mentions:
                mention.span.check(text)
            for ev in actor.evidence:
                if ev.span is not None:
                    ev.span.check(text)
        for act in self.speech_acts:
            act.trigger.check(text)
            if act.source_span is not None:
                act.source_span.check(text)
            if act.attributed_by_span is not None:
                act.attributed_by_span.check(text)
            for span in act.target_spans:
                span.check(text)
        for item in self.evidence:
            item.claim.check(text)
            for span in [*item.hedges, *item.justification, *item.denials]:
                span.check(text)
        for contradiction in self.contradictions:
            contradiction.a.span.check(text)
            contradiction.b.span.check(text)
        for signal in self.credibility:
            for span in signal.spans:
                span.check(text)
            for bspan in signal.block_spans:
                block = self.article.metadata_blocks[bspan.block].text
                if block[bspan.start : bspan.end] != bspan.text:
                    raise ValueError(f"block span {bspan} does not match its block")


class Failure(_Model):
    """An input or article that could not be analysed, and why."""

    input: str
    code: str
    message: str
    stage: str | None = None
    article_id: str | None = None


__all__ = [
    "SCHEMA_VERSION",
    "Actor",
    "ActorMention",
    "ActorType",
    "Article",
    "ArticleAnalysis",
    "BlockSpan",
    "ClaimEvidence",
    "ClaimRef",
    "CodeEvidence",
    "Contradiction",
    "ContradictionKind",
    "CredibilitySignal",
    "Entity",
    "EntityLink",
    "EvidenceStatus",
    "Failure",
    "FragmentedSpan",
    "MetadataBlock",
    "Provenance",
    "Span",
    "Speaker",
    "SpeechAct",
    "SpeechActClass",
    "Statement",
    "StatementKind",
    "stable_id",
]
