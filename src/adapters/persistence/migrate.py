"""Bring a database's schema up to date with the migrations shipped in this package."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

from adapters.persistence.engine import create_engine_for

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK_ID = 0x6F3263  # "o2c": replicas starting together take turns migrating


def migrate(engine_or_url: Engine | str, revision: str = "head") -> None:
    if isinstance(engine_or_url, Engine):
        upgrade(engine_or_url, revision)
        return
    engine = create_engine_for(engine_or_url)
    try:
        upgrade(engine, revision)
    finally:
        engine.dispose()


def upgrade(engine: Engine, revision: str = "head") -> None:
    with (
        engine.connect() as connection,
        foreign_keys_unenforced(connection),
        connection.begin(),
    ):
        take_migration_lock(connection)
        command.upgrade(alembic_config(connection), revision)
        check_foreign_keys(connection)


@contextmanager
def foreign_keys_unenforced(connection: Connection) -> Iterator[None]:
    """SQLite changes a table by rebuilding it; with foreign keys enforced, dropping the old copy
    would cascade to the rows that reference it. The pragma is ignored inside a transaction,
    so it is set before the migration's transaction begins, and checked before it commits."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"migrating left rows whose references are missing: {broken[:5]}")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def take_migration_lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
