"""Real databases for tests: a SQLite file, or PostgreSQL in a schema of the test's own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from adapters.persistence.engine import create_engine_for
from adapters.persistence.migrate import migrate
from adapters.persistence.orm import start_mappers
from adapters.persistence.tables import metadata
from support.infra import missing_service

POSTGRES_URL = os.environ.get("O2C_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def url_with(url: str, **query: str) -> str:
    return make_url(url).update_query_dict(query).render_as_string(hide_password=False)


def sqlite_url(directory: os.PathLike[str]) -> str:
    return f"sqlite:///{directory}/o2c.db"


def sqlite_engine(directory: os.PathLike[str]) -> Iterator[Engine]:
    engine = create_engine_for(sqlite_url(directory))
    migrate(engine)
    yield engine
    engine.dispose()


def postgres_schema_url() -> Iterator[str]:
    """A URL whose connections live in a fresh schema, dropped afterwards."""
    schema = f"o2c_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine_for(url_with(POSTGRES_URL, connect_timeout="5"))
    try:
        run(admin, f'CREATE SCHEMA "{schema}"')
    except OperationalError as error:
        admin.dispose()
        missing_service("PostgreSQL", str(error.orig).strip())
    try:
        yield url_with(POSTGRES_URL, options=f"-csearch_path={schema}")
    finally:
        run(admin, f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def postgres_engine() -> Iterator[Engine]:
    for url in postgres_schema_url():
        engine = create_engine_for(url)
        try:
            migrate(engine)
            yield engine
        finally:
            engine.dispose()


def run(engine: Engine, statement: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(statement))


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def migrated_engine(backend: str, scratch: os.PathLike[str]) -> Iterator[Engine]:
    """A freshly migrated database: a SQLite file in `scratch`, or a PostgreSQL schema."""
    start_mappers()
    if backend == "sqlite":
        yield from sqlite_engine(scratch)
    else:
        yield from postgres_engine()


def empty_tables(engine: Engine) -> None:
    """Every row gone, the schema kept: a database migrated once serves many tests."""
    present = set(inspect(engine).get_table_names())
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            if table.name in present:
                connection.execute(table.delete())


# For a test of what only SQLite lets into a column: PostgreSQL's types refuse it outright.
ONLY_SQLITE = pytest.mark.parametrize("migrated_engine", ["sqlite"], indirect=True)


def engine_at_revision(backend: str, scratch: os.PathLike[str], revision: str) -> Iterator[Engine]:
    """A database migrated only as far as `revision`: for testing the migrations after it."""
    start_mappers()
    urls = [sqlite_url(scratch)] if backend == "sqlite" else postgres_schema_url()
    for url in urls:
        engine = create_engine_for(url)
        migrate(engine, revision)
        yield engine
        engine.dispose()
