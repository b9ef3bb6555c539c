from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from .builders import NOW

LATER = NOW + dt.timedelta(minutes=10)

OPERATION = "ApproveBillableEvent"
FINGERPRINT = "9f2c" * 16
CLAIMANTS = 8


def claim(uow_factory, request_id: str, fingerprint: str = FINGERPRINT):
    with uow_factory() as uow:
        record = uow.requests.claim(OPERATION, request_id, fingerprint, NOW)
        uow.commit()
    return record


def test_the_first_claim_of_a_request_id_returns_none(uow_factory):
    assert claim(uow_factory, "req-1") is None


def test_a_second_claim_returns_the_first_claims_record_still_in_progress(uow_factory):
    claim(uow_factory, "req-1")

    record = claim(uow_factory, "req-1", fingerprint="another payload")

    assert record is not None
    assert (record.operation, record.request_id) == (OPERATION, "req-1")
    assert (record.fingerprint, record.claimed_at) == (FINGERPRINT, NOW)
    assert not record.is_complete


def test_the_same_request_id_under_another_operation_is_another_key(uow_factory):
    claim(uow_factory, "req-1")

    with uow_factory() as uow:
        assert uow.requests.claim("CreateServiceEngagement", "req-1", FINGERPRINT, NOW) is None


def test_a_completed_request_replays_its_result(uow_factory):
    claim(uow_factory, "req-1")
    with uow_factory() as uow:
        uow.requests.complete(OPERATION, "req-1", {"billable_event_id": "be-1", "staged": True})
        uow.commit()

    record = claim(uow_factory, "req-1")

    assert record is not None and record.is_complete
    assert record.result == {"billable_event_id": "be-1", "staged": True}


def take_over(uow_factory, request_id: str, claimed_before) -> bool:
    with uow_factory() as uow:
        won = uow.requests.take_over(OPERATION, request_id, claimed_before, LATER)
        uow.commit()
    return won


def test_a_request_still_within_its_lease_cannot_be_taken_over(uow_factory):
    claim(uow_factory, "req-1")

    assert not take_over(uow_factory, "req-1", claimed_before=NOW)


def test_a_request_past_its_lease_is_taken_over_once(uow_factory):
    claim(uow_factory, "req-1")

    assert take_over(uow_factory, "req-1", claimed_before=LATER)
    assert not take_over(uow_factory, "req-1", claimed_before=LATER)
    with uow_factory() as uow:
        assert uow.requests.get(OPERATION, "req-1").claimed_at == LATER


def test_an_abandoned_request_can_be_taken_over_at_once(uow_factory):
    claim(uow_factory, "req-1")
    with uow_factory() as uow:
        uow.requests.abandon(OPERATION, "req-1")
        uow.commit()

    assert take_over(uow_factory, "req-1", claimed_before=NOW)


def test_a_completed_request_is_never_taken_over(uow_factory):
    claim(uow_factory, "req-1")
    with uow_factory() as uow:
        uow.requests.complete(OPERATION, "req-1", {"billable_event_id": "be-1"})
        uow.requests.abandon(OPERATION, "req-1")
        uow.commit()

    assert not take_over(uow_factory, "req-1", claimed_before=LATER)


def test_of_many_concurrent_take_overs_exactly_one_wins(uow_factory):
    claim(uow_factory, "req-1")
    start = threading.Barrier(CLAIMANTS)

    def race(_: int) -> bool:
        start.wait()
        return take_over(uow_factory, "req-1", claimed_before=LATER)

    with ThreadPoolExecutor(CLAIMANTS) as pool:
        assert sorted(pool.map(race, range(CLAIMANTS))) == [False] * (CLAIMANTS - 1) + [True]


def test_a_claim_that_is_not_committed_leaves_no_key(uow_factory):
    with uow_factory() as uow:
        uow.requests.claim(OPERATION, "req-1", FINGERPRINT, NOW)

    with uow_factory() as uow:
        assert uow.requests.get(OPERATION, "req-1") is None


def test_of_many_concurrent_claims_of_one_key_exactly_one_wins(uow_factory):
    start = threading.Barrier(CLAIMANTS)

    def race(_: int):
        start.wait()
        with uow_factory() as uow:
            record = uow.requests.claim(OPERATION, "req-raced", FINGERPRINT, NOW)
            time.sleep(0.05)
            uow.commit()
        return record

    with ThreadPoolExecutor(CLAIMANTS) as pool:
        records = list(pool.map(race, range(CLAIMANTS)))

    assert records.count(None) == 1
    assert {record.fingerprint for record in records if record is not None} == {FINGERPRINT}
