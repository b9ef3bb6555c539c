from __future__ import annotations

import pytest
from sqlalchemy import select

from adapters.persistence.tables import outbox
from domain.errors import ConcurrentUpdate

from .builders import (
    NOW,
    a_parked_exception,
    a_staged_time_entry,
    a_time_entry,
    an_active_engagement,
    an_engagement,
)


def outbox_rows(engine) -> list[tuple[str, str, bytes]]:
    query = select(outbox.c.event_id, outbox.c.subject, outbox.c.payload).order_by(outbox.c.seq)
    with engine.connect() as connection:
        return [
            (row.event_id, row.subject, bytes(row.payload)) for row in connection.execute(query)
        ]


def provisioning_engagement(uow_factory):
    engagement = an_engagement()
    engagement.enrich("GLOBEX UK LTD", "GB123456789")
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()
    return engagement


def test_events_recorded_by_an_aggregate_land_in_the_outbox_in_the_same_commit(engine, uow_factory):
    engagement = provisioning_engagement(uow_factory)

    with uow_factory() as uow:
        loaded = uow.engagements.get(engagement.id)
        loaded.activate(NOW)
        recorded = list(loaded.events)
        uow.commit()

    assert [row[:2] for row in outbox_rows(engine)] == [
        (recorded[0].event_id, "o2c.v1.test.EngagementActivated")
    ]
    assert outbox_rows(engine)[0][2] == repr(recorded[0]).encode()
    assert loaded.events == []


def test_nothing_lands_when_the_unit_of_work_is_not_committed(engine, uow_factory):
    engagement = provisioning_engagement(uow_factory)

    with uow_factory() as uow:
        uow.engagements.get(engagement.id).activate(NOW)
        uow.exceptions.add(a_parked_exception())

    assert outbox_rows(engine) == []
    with uow_factory() as uow:
        assert uow.engagements.get(engagement.id).events == []
        assert uow.engagements.get(engagement.id).status.value == "provisioning"


def test_events_of_every_aggregate_seen_land_together(engine, uow_factory):
    engagement = an_active_engagement()
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()

    with uow_factory() as uow:
        uow.exceptions.add(a_parked_exception())
        active = uow.engagements.get(engagement.id)
        uow.billable_events.add(a_staged_time_entry(active, a_time_entry(active)))
        uow.commit()

    subjects = sorted(subject for _, subject, _ in outbox_rows(engine))
    assert subjects == [
        "o2c.v1.test.BillableEventRated",
        "o2c.v1.test.BillableEventStaged",
        "o2c.v1.test.ExceptionParked",
    ]


def test_committing_twice_writes_each_event_once(engine, uow_factory):
    with uow_factory() as uow:
        uow.exceptions.add(a_parked_exception())
        uow.commit()
        uow.commit()

    assert len(outbox_rows(engine)) == 1


def test_when_the_commit_fails_neither_the_state_nor_its_events_are_saved(engine, uow_factory):
    engagement = an_active_engagement()
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()
    entry = a_time_entry(engagement)
    with uow_factory() as uow:
        uow.billable_events.add(a_staged_time_entry(engagement, entry))
        uow.commit()
    rows_before = outbox_rows(engine)

    duplicate = a_staged_time_entry(engagement, entry)
    with pytest.raises(ConcurrentUpdate), uow_factory() as uow:
        uow.exceptions.add(a_parked_exception())
        uow.billable_events.add(duplicate)
        uow.commit()

    assert outbox_rows(engine) == rows_before
    with uow_factory() as uow:
        assert uow.exceptions.open_cases("006OPPORTUNITY") == []
