"""Two requests changing the same engagement: one may lose, but no change is ever lost.

PostgreSQL lets the two transactions interleave, and the engagement's version tells the loser.
SQLite takes its write lock at BEGIN (see engine.py), so the second simply waits its turn.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import update

from adapters.persistence.tables import engagements
from domain.engagement import EngagementStatus
from domain.errors import ConcurrentUpdate

from .builders import an_engagement

WRITERS = 4
CHANGES = {
    "its customer": lambda engagement, ref: engagement.assign_erp_customer(ref),
    "a work package's project": lambda engagement, ref: engagement.attach_project("APAC-1", ref),
}


@pytest.fixture
def saved_engagement(uow_factory):
    engagement = an_engagement(status=EngagementStatus.PROVISIONING)
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()
    return engagement


# SQLite never interleaves two transactions (the second waits at BEGIN), so only PostgreSQL can.
@pytest.mark.postgres
@pytest.mark.parametrize("migrated_engine", ["postgresql"], indirect=True)
@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_the_second_of_two_interleaved_units_of_work_on_an_engagement_raises_concurrent_update(
    uow_factory, saved_engagement, change
):
    first, second = uow_factory(), uow_factory()
    with first, second:
        change(first.engagements.get(saved_engagement.id), "FIRST")
        change(second.engagements.get(saved_engagement.id), "SECOND")
        first.commit()
        with pytest.raises(ConcurrentUpdate):
            second.commit()

    with uow_factory() as uow:
        assert uow.engagements.get(saved_engagement.id).version == 2


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_committed_behind_a_loaded_engagement_makes_its_commit_raise_concurrent_update(
    uow_factory, saved_engagement, change
):
    with uow_factory() as uow:
        engagement = uow.engagements.get(saved_engagement.id)
        uow.session.execute(
            update(engagements)
            .where(engagements.c.id == saved_engagement.id)
            .values(version=engagements.c.version + 1)
        )
        change(engagement, "STALE")
        with pytest.raises(ConcurrentUpdate):
            uow.commit()


def test_units_of_work_racing_on_one_engagement_never_lose_a_committed_change(
    uow_factory, saved_engagement
):
    start = threading.Barrier(WRITERS)

    def write(customer: str) -> str:
        start.wait()
        try:
            with uow_factory() as uow:
                uow.engagements.get(saved_engagement.id).assign_erp_customer(customer)
                time.sleep(0.1)
                uow.commit()
        except ConcurrentUpdate:
            return "lost"
        return "won"

    with ThreadPoolExecutor(WRITERS) as pool:
        outcomes = list(pool.map(write, [f"C-{n}" for n in range(WRITERS)]))

    with uow_factory() as uow:
        final = uow.engagements.get(saved_engagement.id)
    assert outcomes.count("won") >= 1
    assert final.version == 1 + outcomes.count("won")
