from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from support.databases import postgres_engine, sqlite_engine

from adapters.persistence.orm import start_mappers

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A freshly migrated database of the test's own: a SQLite file, or a PostgreSQL schema."""
    start_mappers()
    if request.param == "sqlite":
        yield from sqlite_engine(tmp_path_factory.mktemp("sqlite"))
    else:
        yield from postgres_engine()
