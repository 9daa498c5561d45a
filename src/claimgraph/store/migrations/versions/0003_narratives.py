"""The narrative layer: propositions, their claims with stances, claim signals,
contradictions, and which articles the narratives have read.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _article_fk(name: str = "article_id", *, primary_key: bool = False) -> sa.Column[str]:
    return sa.Column(
        name,
        sa.String(64),
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=not primary_key and name != "article_id",
    )


def upgrade() -> None:
    op.create_table(
        "propositions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("label_claim_id", sa.String(64)),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True)),
        sa.Column("last_seen", sa.DateTime(timezone=True)),
        sa.Column("vector_sum", sa.LargeBinary(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
    )
    op.create_table(
        "narrative_claims",
        sa.Column("claim_id", sa.String(64), primary_key=True),
        _article_fk(),
        sa.Column("proposition_id", sa.Integer(), sa.ForeignKey("propositions.id"), nullable=False),
        sa.Column("statement_id", sa.String(64)),
        sa.Column("speaker", sa.Text()),
        sa.Column("speaker_entity_id", sa.String(64), sa.ForeignKey("entities.id")),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("stance", sa.String(16), nullable=False),
        sa.Column("stance_score", sa.Float(), nullable=False),
        sa.Column("published", sa.DateTime(timezone=True)),
        sa.Column("site", sa.Text()),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_narrative_claims_proposition", "narrative_claims", ["proposition_id"])
    op.create_index("ix_narrative_claims_article", "narrative_claims", ["article_id"])
    op.create_index("ix_narrative_claims_speaker_entity", "narrative_claims", ["speaker_entity_id"])
    op.create_table(
        "claim_signals",
        sa.Column(
            "claim_id",
            sa.String(64),
            sa.ForeignKey("narrative_claims.claim_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("signal", sa.String(64), primary_key=True),
        _article_fk(),
    )
    op.create_index("ix_claim_signals_signal", "claim_signals", ["signal"])
    op.create_table(
        "contradictions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("about", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("a_claim_id", sa.String(64), nullable=False),
        sa.Column("b_claim_id", sa.String(64), nullable=False),
        _article_fk("a_article_id"),
        _article_fk("b_article_id"),
        sa.Column("proposition_id", sa.Integer()),
    )
    op.create_index("ix_contradictions_a_article", "contradictions", ["a_article_id"])
    op.create_index("ix_contradictions_b_article", "contradictions", ["b_article_id"])
    op.create_table(
        "narrative_articles",
        _article_fk(primary_key=True),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for name in (
        "narrative_articles",
        "contradictions",
        "claim_signals",
        "narrative_claims",
        "propositions",
    ):
        op.drop_table(name)
