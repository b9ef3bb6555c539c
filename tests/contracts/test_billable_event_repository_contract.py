"""What every billable-event repository promises: one event per (source system, source id)."""

from __future__ import annotations

import pytest
from integration.persistence.builders import (
    a_staged_time_entry,
    a_time_entry,
    an_active_engagement,
)

from contracts.units_of_work import read, save
from domain.billable_event import BillableEvent
from domain.errors import ConcurrentUpdate
from domain.ownership import System


@pytest.fixture
def engagement(uow_factory):
    engagement = an_active_engagement()
    save(uow_factory, "engagements", engagement)
    return engagement


def a_staged_event(engagement, source_id: str = "TC-0001") -> BillableEvent:
    return a_staged_time_entry(engagement, a_time_entry(engagement, source_id))


def test_a_committed_event_comes_back_by_its_id(uow_factory, engagement):
    event = a_staged_event(engagement)
    save(uow_factory, "billable_events", event)
    loaded = read(uow_factory, lambda uow: uow.billable_events.get(event.id))
    assert (loaded.source_system, loaded.source_id, loaded.engagement_id) == (
        System.PSA,
        "TC-0001",
        engagement.id,
    )
    assert (loaded.hours, loaded.amount, loaded.status) == (event.hours, event.amount, event.status)


def test_get_of_an_unknown_id_is_none(uow_factory):
    assert read(uow_factory, lambda uow: uow.billable_events.get("no-such-event")) is None


def test_an_event_is_found_by_its_source_system_and_source_id(uow_factory, engagement):
    event, other = a_staged_event(engagement, "TC-0001"), a_staged_event(engagement, "TC-0002")
    save(uow_factory, "billable_events", event, other)
    found = read(uow_factory, lambda uow: uow.billable_events.get_by_source(System.PSA, "TC-0001"))
    assert found.id == event.id


def test_the_same_source_id_from_another_system_is_another_event(uow_factory, engagement):
    save(uow_factory, "billable_events", a_staged_event(engagement, "TC-0001"))
    assert (
        read(uow_factory, lambda uow: uow.billable_events.get_by_source(System.CRM, "TC-0001"))
        is None
    )


def test_a_second_event_for_one_source_is_refused_as_a_concurrent_update(uow_factory, engagement):
    save(uow_factory, "billable_events", a_staged_event(engagement, "TC-0001"))
    with pytest.raises(ConcurrentUpdate):
        save(uow_factory, "billable_events", a_staged_event(engagement, "TC-0001"))


def test_a_refused_commit_keeps_nothing_of_the_unit_of_work_in_any_repository(
    uow_factory, engagement
):
    save(uow_factory, "billable_events", a_staged_event(engagement, "TC-0001"))
    newcomer = an_active_engagement()
    with pytest.raises(ConcurrentUpdate), uow_factory() as uow:
        uow.engagements.add(newcomer)
        uow.billable_events.add(a_staged_event(engagement, "TC-0001"))
        uow.commit()
    assert read(uow_factory, lambda uow: uow.engagements.get(newcomer.id)) is None
