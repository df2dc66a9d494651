"""Alembic environment: run the revisions on the connection the caller passes, inside
the caller's transaction (the command's), so an upgrade is all or nothing."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
