"""The store's tables (SQLAlchemy Core), one dialect-neutral definition for SQLite and
PostgreSQL.  Migrations in ``migrations/versions`` create and change them; this module is
what the code reads and writes through.

Every id is the model's own stable content hash, so rows are the same in every store.
``articles.analysis`` keeps the whole :class:`~claimgraph.model.ArticleAnalysis` as JSON
(what ``export --format jsonl`` gives back); the other tables hold what questions are
asked of: statements, actors, entities, speech acts, evidence, credibility signals.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

#: The migration revision this code reads and writes (migrations/versions).
SCHEMA_REVISION = "0003"

metadata = MetaData()


def _article_id(*, primary_key: bool = False) -> Column[str]:
    """The owning article: its rows go when the article is deleted or re-analysed."""
    return Column(
        "article_id",
        String(64),
        ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=False,
    )


runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("command", Text, nullable=False),
    Column("claimgraph_version", String(32), nullable=False),
    Column("config_hash", String(32), nullable=False),
    Column("weights_hash", String(64), nullable=False),
    Column("counts", JSON, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("text_sha256", String(64), nullable=False, unique=True),
    Column("canonical_url", Text),
    Column("url", Text),
    Column("title", Text),
    Column("byline", Text),
    Column("site", Text),
    Column("published", DateTime(timezone=True)),
    Column("language", String(16)),
    Column("source_kind", String(16), nullable=False),
    Column("source_name", Text),
    Column("raw_sha256", String(64)),
    Column("text", Text, nullable=False),
    Column("metadata", JSON, nullable=False),
    Column("analysis", JSON, nullable=False),
    Column("claimgraph_version", String(32), nullable=False),
    Column("config_hash", String(32), nullable=False),
    Column("weights_hash", String(64), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("stored_at", DateTime(timezone=True), nullable=False),
    Index("ix_articles_site", "site"),
    Index("ix_articles_published", "published"),
    Index("ix_articles_canonical_url", "canonical_url"),
)

entities = Table(
    "entities",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", String(16), nullable=False),
    Column("code", String(32)),
    Column("dictionary_key", Text, unique=True),
    Column("aliases", JSON, nullable=False),
    #: How many article actors are linked to the entity (kept as they are linked).
    Column("linked", Integer, nullable=False, server_default="0"),
    Index("ix_entities_name", "name"),
)

entity_aliases = Table(
    "entity_aliases",
    metadata,
    Column(
        "entity_id", String(64), ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("alias", Text, primary_key=True),
    Column("folded", Text, nullable=False),
    #: The folded last word of an alias of two or more words (surname look-ups).
    Column("last_word", Text),
    Index("ix_entity_aliases_folded", "folded"),
    Index("ix_entity_aliases_last_word", "last_word"),
)

actors = Table(
    "actors",
    metadata,
    _article_id(primary_key=True),
    Column("actor_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", String(16), nullable=False),
    Column("code", String(32)),
    Column("dictionary_key", Text),
    Column("roles", JSON, nullable=False),
    Column("affiliations", JSON, nullable=False),
    Column("aliases", JSON, nullable=False),
    Column("mentions", Integer, nullable=False),
    Column("entity_id", String(64), ForeignKey("entities.id")),
    Column("link_reason", Text),
    Column("link_confidence", Float),
    Index("ix_actors_entity", "entity_id"),
)

statements = Table(
    "statements",
    metadata,
    Column("id", String(64), primary_key=True),
    _article_id(),
    Column("kind", String(16), nullable=False),
    Column("cue_start", Integer, nullable=False),
    Column("cue_end", Integer, nullable=False),
    Column("cue", Text, nullable=False),
    Column("content_start", Integer, nullable=False),
    Column("content_end", Integer, nullable=False),
    Column("content", Text, nullable=False),
    Column("source", Text),
    Column("speaker", Text),
    Column("speaker_actor_id", String(64)),
    Column("speaker_entity_id", String(64), ForeignKey("entities.id")),
    Column("confidence", Float, nullable=False),
    Index("ix_statements_article", "article_id"),
    Index("ix_statements_speaker_entity", "speaker_entity_id"),
)

speech_acts = Table(
    "speech_acts",
    metadata,
    Column("id", String(64), primary_key=True),
    _article_id(),
    Column("act", String(32), nullable=False),
    Column("cameo", String(8)),
    Column("trigger", Text, nullable=False),
    Column("trigger_start", Integer, nullable=False),
    Column("trigger_end", Integer, nullable=False),
    Column("source_actor_id", String(64)),
    Column("source_entity_id", String(64), ForeignKey("entities.id")),
    Column("source_text", Text),
    Column("target_actor_ids", JSON, nullable=False),
    Column("target_entity_ids", JSON, nullable=False),
    Column("statement_id", String(64)),
    Column("negated", Boolean, nullable=False),
    Column("modality", String(16)),
    Column("confidence", Float, nullable=False),
    Index("ix_speech_acts_article", "article_id"),
    Index("ix_speech_acts_act", "act"),
    Index("ix_speech_acts_source_entity", "source_entity_id"),
)

speech_act_targets = Table(
    "speech_act_targets",
    metadata,
    Column(
        "speech_act_id",
        String(64),
        ForeignKey("speech_acts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("entity_id", String(64), ForeignKey("entities.id"), primary_key=True),
    _article_id(),
    Index("ix_speech_act_targets_entity", "entity_id"),
)

evidence = Table(
    "evidence",
    metadata,
    Column("claim_id", String(64), primary_key=True),
    _article_id(),
    Column("statement_id", String(64)),
    Column("claim_start", Integer, nullable=False),
    Column("claim_end", Integer, nullable=False),
    Column("claim", Text, nullable=False),
    Column("statuses", JSON, nullable=False),
    Column("denied_by", JSON, nullable=False),
    Index("ix_evidence_article", "article_id"),
)

credibility = Table(
    "credibility",
    metadata,
    _article_id(primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", Float),
    Column("explanation", Text, nullable=False),
)

failures = Table(
    "failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("input", Text, nullable=False),
    Column("code", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("stage", String(32)),
    Column("article_id", String(64)),
    Column("at", DateTime(timezone=True), nullable=False),
)

# -- the narrative layer (claimgraph.narratives): propositions across articles --------

propositions = Table(
    "propositions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("label", Text, nullable=False),
    Column("label_claim_id", String(64)),
    Column("size", Integer, nullable=False),
    Column("first_seen", DateTime(timezone=True)),
    Column("last_seen", DateTime(timezone=True)),
    #: The sum of the members' unit vectors (float32 bytes): the centroid, kept
    #: incrementally.
    Column("vector_sum", LargeBinary, nullable=False),
    #: Content-word stems of the members with their counts (the most frequent 300).
    Column("words", JSON, nullable=False),
)

narrative_claims = Table(
    "narrative_claims",
    metadata,
    Column("claim_id", String(64), primary_key=True),
    _article_id(),
    Column("proposition_id", Integer, ForeignKey("propositions.id"), nullable=False),
    Column("statement_id", String(64)),
    Column("speaker", Text),
    Column("speaker_entity_id", String(64), ForeignKey("entities.id")),
    Column("text", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("stance", String(16), nullable=False),
    Column("stance_score", Float, nullable=False),
    Column("published", DateTime(timezone=True)),
    Column("site", Text),
    #: Event signals of the claim (places, counted nouns) for conflicting values.
    Column("signals", JSON, nullable=False),
    Column("vector", LargeBinary, nullable=False),
    Index("ix_narrative_claims_proposition", "proposition_id"),
    Index("ix_narrative_claims_article", "article_id"),
    Index("ix_narrative_claims_speaker_entity", "speaker_entity_id"),
)

claim_signals = Table(
    "claim_signals",
    metadata,
    Column(
        "claim_id",
        String(64),
        ForeignKey("narrative_claims.claim_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("signal", String(64), primary_key=True),
    _article_id(),
    Index("ix_claim_signals_signal", "signal"),
)

contradictions = Table(
    "contradictions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(24), nullable=False),
    Column("about", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("a_claim_id", String(64), nullable=False),
    Column("b_claim_id", String(64), nullable=False),
    Column("a_article_id", String(64), ForeignKey("articles.id", ondelete="CASCADE")),
    Column("b_article_id", String(64), ForeignKey("articles.id", ondelete="CASCADE")),
    Column("proposition_id", Integer),
    Index("ix_contradictions_a_article", "a_article_id"),
    Index("ix_contradictions_b_article", "b_article_id"),
)

narrative_articles = Table(
    "narrative_articles",
    metadata,
    _article_id(primary_key=True),
    Column("built_at", DateTime(timezone=True), nullable=False),
)

#: Tables whose rows belong to one article (deleted with it on re-analysis).
ARTICLE_TABLES = (
    claim_signals,
    narrative_claims,
    narrative_articles,
    speech_act_targets,
    credibility,
    evidence,
    speech_acts,
    statements,
    actors,
)

__all__ = [
    "ARTICLE_TABLES",
    "SCHEMA_REVISION",
    "actors",
    "articles",
    "claim_signals",
    "contradictions",
    "credibility",
    "entities",
    "entity_aliases",
    "evidence",
    "failures",
    "metadata",
    "narrative_articles",
    "narrative_claims",
    "propositions",
    "runs",
    "speech_act_targets",
    "speech_acts",
    "statements",
]
