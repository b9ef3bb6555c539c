"""Real databases for the persistence adapter: a SQLite file, and PostgreSQL in its own schema.

Each backend is migrated once per test session; every test starts from empty tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from support.databases import BACKENDS, migrated_engine

from adapters.persistence.engine import session_factory
from adapters.persistence.outbox_store import SqlOutboxStore
from adapters.persistence.tables import metadata
from adapters.persistence.uow import SqlAlchemyUnitOfWork

from .builders import encode_for_tests


@pytest.fixture(name="migrated_engine", scope="session", params=BACKENDS)
def migrated_engine_fixture(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """Migrated once per test session; `engine` empties its tables after each test."""
    yield from migrated_engine(request.param, tmp_path_factory.mktemp("db"))


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    yield migrated_engine
    with migrated_engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def backend(engine: Engine) -> str:
    return engine.dialect.name


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def uow_factory(sessions: sessionmaker[Session]) -> Callable[[], SqlAlchemyUnitOfWork]:
    return lambda: SqlAlchemyUnitOfWork(sessions, encode_for_tests)


@pytest.fixture
def outbox_store(engine: Engine) -> SqlOutboxStore:
    return SqlOutboxStore(engine)
