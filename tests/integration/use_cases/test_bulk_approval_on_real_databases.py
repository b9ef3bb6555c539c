"""Approval in bulk on migrated SQLite and PostgreSQL: the same answers as one by one, and
concurrent batches carrying the same work stage each (source system, source id) once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from attrs import evolve
from sqlalchemy import func, select
from support.billing_api import opportunity, time, time_and_materials
from unit.test_bulk_approval import *  # noqa: F403 - the same examples, on real storage

from adapters.persistence.tables import billable_events, outbox, request_ledger
from application.bulk_approval import approve_in_bulk
from application.create_engagement import create_service_engagement, saga_runner


@pytest.fixture
def ports(billing, change_orders, provisioning):
    sagas = saga_runner(evolve(provisioning, change_orders=change_orders))
    return evolve(billing, change_orders=change_orders, sagas=sagas)


@pytest.fixture
def engage(provisioning):
    def engage(cmd) -> str:
        return create_service_engagement(cmd, provisioning)

    return engage


def count(engine, table, *where) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
        )


# SQLite writes one transaction at a time: batches there never interleave.
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_concurrent_batches_of_the_same_work_stage_each_entry_once(engine, engage, ports):
    engagement_ids = [
        str(
            engage(
                opportunity(
                    time_and_materials(), opportunity_id=f"006-C{n}", request_id=f"req-C{n}"
                )
            )
        )
        for n in range(3)
    ]
    entries = [
        time(engagement_ids[n % 3], f"CONC-{n}", "2026-12-02", "1", request_id=f"approve-CONC-{n}")
        for n in range(300)
    ]
    batches = [
        [evolve(entry, request_id=f"{entry.request_id}-from-{sender}") for entry in entries[::step]]
        for sender, step in (("a", 1), ("b", -1), ("c", 1), ("d", 2))
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answered = list(pool.map(lambda batch: approve_in_bulk(batch, ports), batches))

    staged = [o.approval for outcomes in answered for o in outcomes]
    assert all(approval is not None for approval in staged)
    assert sum(not a.already_staged for a in staged if a) == len(entries)
    assert count(engine, billable_events, billable_events.c.source_id.like("CONC-%")) == 300
    assert (
        count(engine, request_ledger, request_ledger.c.request_id.like("approve-CONC-%"))
        == 300 * 3 + 150
    )
    assert set(events_per_subject(engine, "CONC-%").values()) == {300}


def events_per_subject(engine, source_ids: str) -> dict[str, int]:
    """How many outbox rows each kind of event has, for the events staged under the sources."""
    staged = select(billable_events.c.id).where(billable_events.c.source_id.like(source_ids))
    query = (
        select(outbox.c.subject, func.count())
        .where(outbox.c.aggregate_id.in_(staged))
        .group_by(outbox.c.subject)
    )
    with engine.connect() as connection:
        return {subject: int(n) for subject, n in connection.execute(query)}
