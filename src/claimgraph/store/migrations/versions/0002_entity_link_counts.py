"""Entities count their linked actors (the linker's "most linked" without a count over
the actors table on every look-up).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "entities", sa.Column("linked", sa.Integer(), nullable=False, server_default="0")
    )
    op.execute(
        "UPDATE entities SET linked = "
        "(SELECT count(*) FROM actors WHERE actors.entity_id = entities.id)"
    )


def downgrade() -> None:
    op.drop_column("entities", "linked")
