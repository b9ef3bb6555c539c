from __future__ import annotations

import pytest
from sqlalchemy import func, select

from adapters.persistence.tables import billable_events
from domain.billable_event import BillableEventStatus
from domain.billing.work import TimeWorked
from domain.errors import ConcurrentUpdate
from domain.money import Money
from domain.ownership import System

from .builders import a_staged_time_entry, a_time_entry, an_active_engagement


@pytest.fixture
def active_engagement(uow_factory):
    engagement = an_active_engagement("KWD")
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()
    return engagement


def stage(uow_factory, billable_event) -> None:
    with uow_factory() as uow:
        uow.billable_events.add(billable_event)
        uow.commit()


def test_a_staged_time_entry_round_trips_with_its_rate_and_amount(uow_factory, active_engagement):
    staged = a_staged_time_entry(active_engagement, a_time_entry(active_engagement, hours="7.25"))
    stage(uow_factory, staged)

    with uow_factory() as uow:
        loaded = uow.billable_events.get(staged.id)

    assert loaded is not None
    assert (loaded.source_system, loaded.source_id) == (System.PSA, staged.source_id)
    assert (loaded.work_date, loaded.hours) == (staged.work_date, staged.hours)
    assert loaded.rate == Money.of("62.375", "KWD")
    assert loaded.amount == Money.of("452.219", "KWD")
    assert loaded.status is BillableEventStatus.STAGED
    assert loaded.approved_at == staged.approved_at
    assert (loaded.version, loaded.events) == (1, [])


def test_a_billable_event_is_found_by_its_source_system_and_source_id(
    uow_factory, active_engagement
):
    staged = a_staged_time_entry(active_engagement, a_time_entry(active_engagement))
    stage(uow_factory, staged)

    with uow_factory() as uow:
        found = uow.billable_events.get_by_source(System.PSA, staged.source_id)
        elsewhere = uow.billable_events.get_by_source(System.CRM, staged.source_id)

    assert found is not None and found.id == staged.id
    assert elsewhere is None


def test_hours_keep_their_decimals_so_a_retried_entry_still_matches(uow_factory, active_engagement):
    entry = a_time_entry(active_engagement, hours="1.3333")
    stage(uow_factory, a_staged_time_entry(active_engagement, entry))

    with uow_factory() as uow:
        loaded = uow.billable_events.get_by_source(entry.source_system, entry.source_id)
        work = TimeWorked("retried", entry.role, entry.work_date, entry.hours)
        loaded.check_same_work(
            active_engagement.id, loaded.work_package_code, entry.resource, work, "source_id"
        )


def test_the_same_source_system_and_source_id_twice_raises_concurrent_update_and_keeps_one_row(
    engine, uow_factory, active_engagement
):
    entry = a_time_entry(active_engagement, source_id="a1D000000000042")
    stage(uow_factory, a_staged_time_entry(active_engagement, entry))

    with pytest.raises(ConcurrentUpdate):
        stage(uow_factory, a_staged_time_entry(active_engagement, entry))

    with engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(billable_events)).scalar()
    assert rows == 1


def test_a_duplicate_met_by_a_query_before_the_commit_also_raises_concurrent_update(
    uow_factory, active_engagement
):
    entry = a_time_entry(active_engagement)
    stage(uow_factory, a_staged_time_entry(active_engagement, entry))

    with pytest.raises(ConcurrentUpdate), uow_factory() as uow:
        uow.billable_events.add(a_staged_time_entry(active_engagement, entry))
        uow.billable_events.get_by_source(entry.source_system, "another-entry")
