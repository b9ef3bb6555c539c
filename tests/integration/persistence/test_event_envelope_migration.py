"""Outbox rows written before the event envelope (revision 0004) still publish after 0005."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, MetaData, Table, insert, select
from support.databases import BACKENDS, engine_at_revision

from adapters.persistence.engine import session_factory
from adapters.persistence.migrate import migrate
from adapters.persistence.outbox_store import SqlOutboxStore
from adapters.persistence.tables import outbox
from adapters.persistence.uow import SqlAlchemyUnitOfWork

from .builders import a_parked_exception, encode_for_tests

WRITTEN_AT = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(params=BACKENDS)
def database_at_0004(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    yield from engine_at_revision(request.param, tmp_path, "0004")


def an_old_outbox_row(event_id: str) -> dict[str, object]:
    return {
        "event_id": event_id,
        "subject": "o2c.v1.exception.parked",
        "payload": b"\x0a\x24" + event_id.encode(),
        "created_at": WRITTEN_AT,
    }


def write_old_rows(engine: Engine, *event_ids: str) -> None:
    old_outbox = Table("outbox", MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        connection.execute(insert(old_outbox), [an_old_outbox_row(i) for i in event_ids])


def test_events_waiting_before_the_envelope_stay_pending_unnumbered_and_publishable(
    database_at_0004: Engine,
) -> None:
    write_old_rows(database_at_0004, "old-event-1", "old-event-2")

    migrate(database_at_0004)

    pending = SqlOutboxStore(database_at_0004).pending(limit=10)
    assert [(m.event_id, m.headers) for m in pending] == [("old-event-1", {}), ("old-event-2", {})]
    query = select(outbox.c.aggregate_type, outbox.c.aggregate_sequence)
    with database_at_0004.connect() as connection:
        assert connection.execute(query).all() == [(None, None), (None, None)]


def test_new_events_after_the_migration_are_numbered_from_one(database_at_0004: Engine) -> None:
    write_old_rows(database_at_0004, "old-event-1")
    migrate(database_at_0004)
    case = a_parked_exception()

    with SqlAlchemyUnitOfWork(session_factory(database_at_0004), encode_for_tests) as uow:
        uow.exceptions.add(case)
        uow.commit()

    query = select(outbox.c.aggregate_id, outbox.c.aggregate_sequence).order_by(outbox.c.seq)
    with database_at_0004.connect() as connection:
        assert connection.execute(query).all() == [(None, None), (case.id, 1)]
