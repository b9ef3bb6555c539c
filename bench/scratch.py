"""Scratch places on the shared PostgreSQL and NATS: a database and stream names of the run's
own, dropped afterwards, so the bench never touches another run's data."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import psycopg
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
NATS_URL = os.environ.get("BENCH_NATS_URL", "nats://127.0.0.1:4222")


def run_tag() -> str:
    return uuid.uuid4().hex[:10]


def database_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.contextmanager
def scratch_database(tag: str) -> Iterator[str]:
    """A fresh database on the bench's PostgreSQL server, dropped afterwards: its URL."""
    name = f"o2c_bench_{tag}"
    with psycopg.connect(libpq_url(POSTGRES_URL), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        with psycopg.connect(libpq_url(POSTGRES_URL), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_versions() -> dict[str, str]:
    with psycopg.connect(libpq_url(POSTGRES_URL)) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return {"postgresql": str(row[0]) if row else "unknown"}
