from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from adapters.persistence.engine import create_engine_for, session_factory
from adapters.persistence.orm import start_mappers
from adapters.persistence.tables import request_ledger
from domain.engagement import Engagement


def test_a_plain_postgresql_url_gets_the_psycopg_driver():
    engine = create_engine_for("postgresql://o2c@db.example:5432/o2c")

    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.pool._pre_ping


def test_a_sqlite_file_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = create_engine_for(f"sqlite:///{tmp_path}/o2c.db")
    try:
        with engine.connect() as connection:
            pragmas = [
                connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            ]
    finally:
        engine.dispose()

    assert pragmas == ["wal", 1, 30_000]


def test_sessions_keep_their_objects_readable_after_commit(engine):
    assert session_factory(engine).kw["expire_on_commit"] is False


def test_starting_the_mappers_twice_is_harmless():
    start_mappers()
    start_mappers()

    assert Engagement.__mapper__ is not None


def test_a_naive_datetime_is_refused(engine):
    row = {"caller": "crm", "operation": "op", "request_id": "r", "fingerprint": "f"}
    with pytest.raises(StatementError, match="naive datetime"), engine.begin() as connection:
        connection.execute(request_ledger.insert().values(**row, claimed_at=dt.datetime.now()))


def test_timestamps_are_stored_as_instants(engine):
    plus_two = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    row = {"caller": "crm", "operation": "op", "request_id": "r", "fingerprint": "f"}
    row["claimed_at"] = plus_two
    with engine.begin() as connection:
        connection.execute(request_ledger.insert().values(**row))
        stored = connection.execute(select(request_ledger.c.claimed_at)).scalar_one()
        count = connection.execute(text("SELECT count(*) FROM request_ledger")).scalar_one()

    assert stored == plus_two
    assert stored.tzinfo == dt.UTC
    assert count == 1
