"""What every saga store promises: a saga kept with its context and request, the abandoned ones
found oldest lease first, and each of them taken over by exactly one new owner, after which the
old owner's writes are refused."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor, wait

import pytest
from integration.persistence.builders import NOW, a_saga_step, new_id

from contracts.units_of_work import change, read, save
from domain.errors import ConcurrentUpdate, SagaTakenOver
from domain.requests import RequestKey
from domain.saga import Saga, SagaStatus, Verdict

LEASE = dt.timedelta(seconds=60)
EXPIRED = NOW + LEASE
LATER = NOW + 2 * LEASE
FIRST_OWNER = "o2c-1/first"
A_CONTEXT = {
    "engagement_id": "eng-1",
    "account_name": "Globex Corporation",
    "contract_value": {"currency": "USD", "minor_units": 25000000},
    "work_packages": [{"code": "EMEA-1", "hours": 7.5}, {"code": "APAC-1", "hours": 0}],
    "enriched": False,
    "exception_id": None,
}


def a_provisioning_saga(
    *, started: dt.datetime = NOW, request: RequestKey | None = None, owner: str = FIRST_OWNER
) -> Saga:
    return Saga.start(
        saga_id=new_id(),
        kind="engagement_provisioning",
        business_key="006GLOBEX",
        context=A_CONTEXT,
        request=request or RequestKey("crm", "CreateServiceEngagement", "req-1"),
        owner=owner,
        now=started,
        lease=LEASE,
    )


def as_saved(saga: Saga) -> tuple[object, ...]:
    return (
        (saga.id, saga.kind, saga.business_key, saga.context, saga.request),
        (saga.owner, saga.lease_expires_at, saga.created_at, saga.updated_at),
        (saga.status, saga.verdict, saga.exception_id),
    )


def loaded(uow_factory, saga: Saga) -> Saga:
    return read(uow_factory, lambda uow: uow.sagas.get(saga.id))


def take_over(uow_factory, saga: Saga, owner: str, now: dt.datetime = LATER) -> bool:
    with uow_factory() as uow:
        won = uow.sagas.take_over(saga.id, owner, now, now + LEASE)
        uow.commit()
    return won


def abandoned(uow_factory, now: dt.datetime = LATER, limit: int = 10) -> list[str]:
    return read(uow_factory, lambda uow: uow.sagas.abandoned(now, limit))


def compensating(saga: Saga) -> Saga:
    saga.decide(Verdict.FAILED, exception_id="exc-1")
    return saga


def concluding(saga: Saga) -> Saga:
    saga.decide(Verdict.DONE, exception_id=None)
    return saga


def completed(saga: Saga) -> Saga:
    concluding(saga).finish(left_behind=False)
    return saga


def test_a_committed_saga_comes_back_with_its_context_request_and_lease(uow_factory):
    saga = a_provisioning_saga()
    save(uow_factory, "sagas", saga)
    assert as_saved(loaded(uow_factory, saga)) == as_saved(saga)


def test_a_saga_no_request_started_comes_back_without_one(uow_factory):
    saga = a_provisioning_saga()
    saga.request = None
    save(uow_factory, "sagas", saga)
    assert loaded(uow_factory, saga).request is None


def test_get_of_an_unknown_saga_is_none(uow_factory):
    assert read(uow_factory, lambda uow: uow.sagas.get("no-such-saga")) is None


def test_a_saga_that_is_not_committed_is_not_kept(uow_factory):
    saga = a_provisioning_saga()
    with uow_factory() as uow:
        uow.sagas.add(saga)
    assert loaded(uow_factory, saga) is None


def test_a_decision_on_a_loaded_saga_is_kept_once_committed(uow_factory):
    saga = a_provisioning_saga()
    save(uow_factory, "sagas", saga)
    change(uow_factory, lambda uow: uow.sagas.get(saga.id), compensating)
    assert as_saved(loaded(uow_factory, saga))[2] == (
        SagaStatus.COMPENSATING,
        Verdict.FAILED,
        "exc-1",
    )


def test_each_of_an_owners_successive_writes_is_kept(uow_factory):
    saga = a_provisioning_saga()
    save(uow_factory, "sagas", saga)
    for minutes in (1, 2, 3):
        now = NOW + dt.timedelta(minutes=minutes)
        change(
            uow_factory,
            lambda uow: uow.sagas.get(saga.id),
            lambda s, now=now: s.renew(FIRST_OWNER, now, LEASE),
        )
    assert loaded(uow_factory, saga).lease_expires_at == NOW + dt.timedelta(minutes=3) + LEASE


def test_abandoned_sagas_are_the_unfinished_ones_whose_lease_ran_out(uow_factory):
    running, undoing, concluding_ = (a_provisioning_saga() for _ in range(3))
    alive = a_provisioning_saga(started=LATER)
    done = completed(a_provisioning_saga())
    save(uow_factory, "sagas", running, compensating(undoing), concluding(concluding_), alive, done)
    assert set(abandoned(uow_factory)) == {running.id, undoing.id, concluding_.id}


def test_a_lease_that_runs_out_exactly_now_is_abandoned(uow_factory):
    saga = a_provisioning_saga()
    save(uow_factory, "sagas", saga)
    assert abandoned(uow_factory, now=EXPIRED) == [saga.id]
    assert abandoned(uow_factory, now=EXPIRED - dt.timedelta(microseconds=1)) == []


def test_abandoned_sagas_are_listed_oldest_lease_first_and_at_most_the_limit(uow_factory):
    newest, oldest, middle, older = (
        a_provisioning_saga(started=NOW + dt.timedelta(seconds=s)) for s in (30, 0, 20, 10)
    )
    save(uow_factory, "sagas", newest, oldest, middle, older)
    assert abandoned(uow_factory, limit=3) == [oldest.id, older.id, middle.id]


def test_a_take_over_moves_the_owner_and_the_lease(uow_factory):
    saga = a_provisioning_saga()
    save(uow_factory, "sagas", saga)
    assert take_over(uow_factory, saga, "o2c-2/worker") is True
    now_owned = loaded(uow_factory, saga)
    assert (now_owned.owner, now_owned.lease_expires_at) == ("o2c-2/worker", LATER + LEASE)
    assert abandoned(uow_factory) == []


def test_a_take_over_left_uncommitted_is_not_kept(uow_factory):
    saga = a_provisioning_saga()
    save(uow_factory, "sagas", saga)
    with uow_factory() as uow:
        uow.sagas.take_over(saga.id, "o2c-2/worker", LATER, LATER + LEASE)
    assert loaded(uow_factory, saga).owner == FIRST_OWNER


def test_of_two_owners_taking_over_one_after_the_other_only_the_first_wins(uow_factory):
    saga = a_provisioning_saga()
    save(uow_factory, "sagas", saga)
    outcomes = [take_over(uow_factory, saga, owner) for owner in ("o2c-2/a", "o2c-2/b")]
    assert outcomes == [True, False]
    assert loaded(uow_factory, saga).owner == "o2c-2/a"


def test_of_two_owners_taking_over_at_once_exactly_one_wins(uow_factory):
    """The loser is told False, or refused as a concurrent update when it commits."""
    saga = a_provisioning_saga()
    save(uow_factory, "sagas", saga)
    first = uow_factory()
    with first, ThreadPoolExecutor(1) as pool:
        first_won = first.sagas.take_over(saga.id, "o2c-2/a", LATER, LATER + LEASE)
        second = pool.submit(take_over_and_commit, uow_factory, saga, "o2c-2/b")
        wait([second], timeout=0.2)  # a database holds the second until the first ends
        outcomes = {"o2c-2/a": commit(first, first_won), "o2c-2/b": second.result()}
    winners = [owner for owner, outcome in outcomes.items() if outcome == "won"]
    assert len(winners) == 1
    assert loaded(uow_factory, saga).owner == winners[0]


def take_over_and_commit(uow_factory, saga: Saga, owner: str) -> str:
    with uow_factory() as uow:
        return commit(uow, uow.sagas.take_over(saga.id, owner, LATER, LATER + LEASE))


def commit(uow, won: bool) -> str:
    try:
        uow.commit()
    except ConcurrentUpdate:
        return "refused"
    return "won" if won else "lost"


def test_a_saga_whose_lease_is_still_running_cannot_be_taken_over(uow_factory):
    saga = a_provisioning_saga(started=LATER)
    save(uow_factory, "sagas", saga)
    assert take_over(uow_factory, saga, "o2c-2/worker") is False
    assert loaded(uow_factory, saga).owner == FIRST_OWNER


def test_a_finished_saga_cannot_be_taken_over(uow_factory):
    saga = completed(a_provisioning_saga())
    save(uow_factory, "sagas", saga)
    assert take_over(uow_factory, saga, "o2c-2/worker") is False


def test_an_unknown_saga_cannot_be_taken_over(uow_factory):
    assert take_over(uow_factory, a_provisioning_saga(), "o2c-2/worker") is False


def test_after_a_take_over_the_old_owner_is_refused_as_soon_as_it_loads_the_saga(uow_factory):
    saga = a_provisioning_saga()
    save(uow_factory, "sagas", saga)
    take_over(uow_factory, saga, "o2c-2/worker")
    with uow_factory() as old_owner, pytest.raises(SagaTakenOver):
        old_owner.sagas.get(saga.id).renew(FIRST_OWNER, LATER, LEASE)


def test_a_write_the_old_owner_began_before_a_take_over_is_refused_with_all_it_logged(
    interleaving_uow_factory,
):
    saga = a_provisioning_saga()
    save(interleaving_uow_factory, "sagas", saga)
    with interleaving_uow_factory() as old_owner:
        old_owner.sagas.get(saga.id).renew(FIRST_OWNER, LATER, LEASE)
        old_owner.saga_log.add(a_saga_step(saga.id, "psa.create_project"))
        assert take_over(interleaving_uow_factory, saga, "o2c-2/worker", now=LATER)
        with pytest.raises(ConcurrentUpdate):
            old_owner.commit()
    assert loaded(interleaving_uow_factory, saga).owner == "o2c-2/worker"
    assert read(interleaving_uow_factory, lambda uow: uow.saga_log.steps(saga.id)) == []
