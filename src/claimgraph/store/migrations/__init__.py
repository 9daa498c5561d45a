"""Numbered schema migrations (Alembic), applied by :func:`claimgraph.store.open_store`."""
