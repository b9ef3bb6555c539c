"""Alembic's entry point: runs the revisions on the connection `migrate()` hands over, or on
`sqlalchemy.url` when a developer runs alembic against a database to autogenerate a revision."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from adapters.persistence.engine import create_engine_for
from adapters.persistence.tables import metadata


def run_on(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = create_engine_for(context.config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as opened:
            run_on(opened)
    finally:
        engine.dispose()


run_migrations()
