from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from domain.requests import RequestKey

from .builders import NOW

OPERATION = "ApproveBillableEvent"
FINGERPRINT = "9f2c" * 16
CLAIMANTS = 8


def psa_key(request_id: str, caller: str = "psa") -> RequestKey:
    return RequestKey(caller, OPERATION, request_id)


def claim(uow_factory, request_id: str, fingerprint: str = FINGERPRINT, caller: str = "psa"):
    with uow_factory() as uow:
        record = uow.requests.claim(psa_key(request_id, caller), fingerprint, NOW)
        uow.commit()
    return record


def test_the_first_claim_of_a_request_id_returns_none(uow_factory):
    assert claim(uow_factory, "req-1") is None


def test_a_second_claim_returns_the_first_claims_record_still_in_progress(uow_factory):
    claim(uow_factory, "req-1")

    record = claim(uow_factory, "req-1", fingerprint="another payload")

    assert record is not None
    assert record.key == psa_key("req-1")
    assert (record.fingerprint, record.claimed_at) == (FINGERPRINT, NOW)
    assert not record.is_complete


def test_the_same_request_id_under_another_operation_is_another_key(uow_factory):
    claim(uow_factory, "req-1")

    with uow_factory() as uow:
        key = RequestKey("psa", "CreateServiceEngagement", "req-1")
        assert uow.requests.claim(key, FINGERPRINT, NOW) is None


def test_the_same_request_id_from_another_caller_is_another_key(uow_factory):
    claim(uow_factory, "req-1")

    assert claim(uow_factory, "req-1", caller="billing") is None


def test_a_completed_request_replays_its_result(uow_factory):
    claim(uow_factory, "req-1")
    with uow_factory() as uow:
        uow.requests.complete(psa_key("req-1"), {"billable_event_id": "be-1", "staged": True})
        uow.commit()

    record = claim(uow_factory, "req-1")

    assert record is not None and record.is_complete
    assert record.result == {"billable_event_id": "be-1", "staged": True}


def test_a_claim_that_is_not_committed_leaves_no_key(uow_factory):
    with uow_factory() as uow:
        uow.requests.claim(psa_key("req-1"), FINGERPRINT, NOW)

    with uow_factory() as uow:
        assert uow.requests.get(psa_key("req-1")) is None


def test_of_many_concurrent_claims_of_one_key_exactly_one_wins(uow_factory):
    start = threading.Barrier(CLAIMANTS)

    def race(_: int):
        start.wait()
        with uow_factory() as uow:
            record = uow.requests.claim(psa_key("req-raced"), FINGERPRINT, NOW)
            time.sleep(0.05)
            uow.commit()
        return record

    with ThreadPoolExecutor(CLAIMANTS) as pool:
        records = list(pool.map(race, range(CLAIMANTS)))

    assert records.count(None) == 1
    assert {record.fingerprint for record in records if record is not None} == {FINGERPRINT}
