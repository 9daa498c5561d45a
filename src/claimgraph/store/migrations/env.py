"""Alembic environment: claimgraph runs its migrations on a connection it opened itself
(:func:`claimgraph.store.sql.migrate`); there is no alembic.ini and no online URL here."""

from __future__ import annotations

from alembic import context

from claimgraph.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
