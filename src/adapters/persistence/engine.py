"""Engines and sessions: thread-safe singletons for the composition root to hold."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.versioning import bump_versions_of_changed_aggregates

SQLITE_BUSY_TIMEOUT_MS = 30_000
PLAIN_POSTGRES_DRIVERS = {"postgres", "postgresql"}
SUPPORTED_DRIVERS = {"sqlite", "sqlite+pysqlite", "postgresql+psycopg"}


class UnsupportedDatabase(ValueError):
    """A database URL o2c cannot use: it names the URL's problem, never its password."""


def create_engine_for(url: str) -> Engine:
    parsed = supported(url)
    if parsed.get_backend_name() == "sqlite":
        return sqlite_engine(parsed)
    return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(sessions, "before_flush", bump_versions_of_changed_aggregates)
    return sessions


def supported(url: str) -> URL:
    try:
        parsed = with_psycopg(make_url(url))
    except ArgumentError:
        raise UnsupportedDatabase("is not a database URL (sqlite:///… or postgresql://…)") from None
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise UnsupportedDatabase(
            f"names {parsed.drivername}; o2c runs on sqlite:///… or postgresql://… (psycopg 3)"
        )
    return parsed


def with_psycopg(url: URL) -> URL:
    if url.drivername in PLAIN_POSTGRES_DRIVERS:
        return url.set(drivername="postgresql+psycopg")
    return url


def sqlite_engine(url: URL) -> Engine:
    engine = create_engine(url)
    event.listen(engine, "connect", configure_sqlite_connection)
    event.listen(engine, "begin", begin_immediately)
    return engine


def configure_sqlite_connection(dbapi_connection: Any, _record: object) -> None:
    # pysqlite's own transaction handling would BEGIN late (and deferred); we take it over.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def begin_immediately(connection: Any) -> None:
    # A deferred transaction that reads and then writes cannot wait for the lock, it fails
    # with "database is locked"; taking the write lock up front makes writers queue instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
