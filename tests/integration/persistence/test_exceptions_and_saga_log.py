from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from domain.errors import ConcurrentUpdate
from domain.exception_case import ExceptionStatus, OwnerRole, ReasonCode
from domain.requests import RequestKey
from domain.saga import Saga, SagaStatus, Verdict

from .builders import NOW, a_parked_exception, a_saga_step, new_id


def test_a_parked_exception_round_trips_with_its_owner_payload_and_timestamps(uow_factory):
    case = a_parked_exception("006GLOBEX")
    with uow_factory() as uow:
        uow.exceptions.add(case)
        uow.commit()

    with uow_factory() as uow:
        loaded = uow.exceptions.get(case.id)

    assert loaded is not None
    assert (loaded.workflow, loaded.business_key, loaded.reason_code) == (
        case.workflow,
        "006GLOBEX",
        ReasonCode.LEGAL_ENTITY_NOT_MAPPED,
    )
    assert (loaded.owner_role, loaded.status) == (OwnerRole.FINANCE, ExceptionStatus.OPEN)
    assert loaded.payload == case.payload
    assert (loaded.created_at, loaded.updated_at, loaded.resolved_at) == (NOW, NOW, None)
    assert (loaded.attempts, loaded.version, loaded.events) == (1, 1, [])


def test_open_cases_are_those_of_the_business_key_not_yet_resolved(uow_factory):
    open_case, resolved_case, other_case = (
        a_parked_exception("006GLOBEX"),
        a_parked_exception("006GLOBEX"),
        a_parked_exception("006INITECH"),
    )
    resolved_case.status = ExceptionStatus.RESOLVED
    with uow_factory() as uow:
        for case in (open_case, resolved_case, other_case):
            uow.exceptions.add(case)
        uow.commit()

    with uow_factory() as uow:
        found = uow.exceptions.open_cases("006GLOBEX")

    assert [case.id for case in found] == [open_case.id]


def test_saga_steps_come_back_in_the_order_they_were_recorded_even_at_the_same_instant(
    uow_factory,
):
    saga_id = new_id()
    names = ["erp.create_customer", "psa.create_project[EMEA-1]", "psa.create_project[APAC-1]"]
    for name in names:
        with uow_factory() as uow:
            uow.saga_log.add(a_saga_step(saga_id, name))
            uow.commit()
    with uow_factory() as uow:
        uow.saga_log.add(a_saga_step(new_id(), "erp.create_customer"))
        uow.commit()

    with uow_factory() as uow:
        steps = uow.saga_log.steps(saga_id)

    assert [step.step for step in steps] == names
    assert {step.recorded_at for step in steps} == {NOW}


def test_a_time_in_another_zone_comes_back_as_the_same_instant_in_utc(uow_factory):
    tokyo = dt.timezone(dt.timedelta(hours=9))
    saga_id = new_id()
    with uow_factory() as uow:
        uow.saga_log.add(a_saga_step(saga_id, "erp.create_customer", NOW.astimezone(tokyo)))
        uow.commit()

    with uow_factory() as uow:
        (step,) = uow.saga_log.steps(saga_id)

    assert step.recorded_at == NOW
    assert step.recorded_at.utcoffset() == dt.timedelta(0)


LEASE = dt.timedelta(seconds=60)
WORKERS = 8


def a_saga(owner: str = "o2c-1/first", now: dt.datetime = NOW) -> Saga:
    return Saga.start(
        saga_id=new_id(),
        kind="engagement_provisioning",
        business_key="006GLOBEX",
        context={"engagement_id": "eng-1", "account_name": "Globex"},
        request=RequestKey("crm", "CreateServiceEngagement", "req-1"),
        owner=owner,
        now=now,
        lease=LEASE,
    )


def save(uow_factory, saga: Saga) -> None:
    with uow_factory() as uow:
        uow.sagas.add(saga)
        uow.commit()


def test_a_saga_round_trips_with_its_context_request_and_lease(uow_factory):
    saga = a_saga()
    save(uow_factory, saga)

    with uow_factory() as uow:
        loaded = uow.sagas.get(saga.id)

    assert loaded.context == saga.context and loaded.request == saga.request
    assert (loaded.status, loaded.owner) == (SagaStatus.RUNNING, "o2c-1/first")
    assert loaded.lease_expires_at == NOW + LEASE


def test_only_unfinished_sagas_whose_lease_ran_out_are_abandoned(uow_factory):
    expired, alive, finished = a_saga(), a_saga(now=NOW + LEASE), a_saga()
    finished.decide(Verdict.DONE, exception_id=None)
    finished.finish(left_behind=False)
    for saga in (expired, alive, finished):
        save(uow_factory, saga)

    with uow_factory() as uow:
        assert uow.sagas.abandoned(NOW + LEASE, limit=10) == [expired.id]


def test_of_many_workers_taking_over_an_abandoned_saga_exactly_one_wins(uow_factory):
    saga = a_saga()
    save(uow_factory, saga)
    later = NOW + 2 * LEASE
    start = threading.Barrier(WORKERS)

    def take_over(worker: int) -> bool:
        start.wait()
        with uow_factory() as uow:
            won = uow.sagas.take_over(saga.id, f"o2c-2/{worker}", later, later + LEASE)
            uow.commit()
        return won

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(take_over, range(WORKERS)))

    assert outcomes.count(True) == 1
    with uow_factory() as uow:
        assert uow.sagas.get(saga.id).owner == f"o2c-2/{outcomes.index(True)}"


def test_the_old_owner_cannot_renew_its_lease_once_its_saga_was_taken_over(uow_factory):
    saga = a_saga(owner="o2c-1/first")
    save(uow_factory, saga)
    later = NOW + 2 * LEASE
    with uow_factory() as worker:
        assert worker.sagas.take_over(saga.id, "o2c-2/worker", later, later + LEASE)
        worker.commit()

    with uow_factory() as old_owner, pytest.raises(ConcurrentUpdate):
        old_owner.sagas.get(saga.id).renew("o2c-1/first", later, LEASE)
