"""What every request ledger promises: the first claim of a key wins, a retry is told the first
claim (and, once there is one, its answer), and a claim lives and dies with its unit of work."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait

from integration.persistence.builders import NOW

from contracts.units_of_work import read
from domain.errors import ConcurrentUpdate
from domain.requests import RequestKey

FIRST_PAYLOAD, OTHER_PAYLOAD = "9f2c" * 16, "77ab" * 16
AN_ANSWER = {
    "engagement_id": "eng-1",
    "work_packages": 2,
    "rate": 185.25,
    "staged": True,
    "links": {"crm": {"opportunity_id": "006-ACME-1"}, "psa": ["P-NA", "P-EU"]},
}


def approval(request_id: str = "req-1", caller: str = "psa") -> RequestKey:
    return RequestKey(caller, "ApproveBillableEvent", request_id)


def claim(uow_factory, key: RequestKey, fingerprint: str = FIRST_PAYLOAD):
    with uow_factory() as uow:
        record = uow.requests.claim(key, fingerprint, NOW)
        uow.commit()
    return record


def complete(uow_factory, key: RequestKey, answer=AN_ANSWER) -> None:
    with uow_factory() as uow:
        uow.requests.complete(key, answer)
        uow.commit()


def recorded(uow_factory, key: RequestKey):
    return read(uow_factory, lambda uow: uow.requests.get(key))


def test_the_first_claim_of_a_key_wins_and_returns_none(uow_factory):
    assert claim(uow_factory, approval()) is None


def test_a_second_claim_returns_the_first_claims_record_with_its_fingerprint_and_no_answer(
    uow_factory,
):
    claim(uow_factory, approval())
    record = claim(uow_factory, approval(), fingerprint=OTHER_PAYLOAD)
    assert (record.key, record.fingerprint, record.claimed_at) == (approval(), FIRST_PAYLOAD, NOW)
    assert (record.result, record.is_complete) == (None, False)


def test_the_same_request_id_from_another_caller_is_a_claim_of_its_own(uow_factory):
    claim(uow_factory, approval(caller="psa"))
    assert claim(uow_factory, approval(caller="crm")) is None


def test_the_same_request_id_for_another_operation_is_a_claim_of_its_own(uow_factory):
    claim(uow_factory, approval())
    assert claim(uow_factory, RequestKey("psa", "CreateServiceEngagement", "req-1")) is None


def test_a_key_never_claimed_is_not_recorded(uow_factory):
    assert recorded(uow_factory, approval("never-sent")) is None


def test_a_completed_key_holds_its_answer_for_get_and_for_a_later_claim(uow_factory):
    claim(uow_factory, approval())
    complete(uow_factory, approval())
    assert recorded(uow_factory, approval()).result == AN_ANSWER
    again = claim(uow_factory, approval())
    assert (again.result, again.fingerprint, again.is_complete) == (AN_ANSWER, FIRST_PAYLOAD, True)


def test_a_key_claimed_and_completed_in_one_unit_of_work_keeps_the_answer(uow_factory):
    with uow_factory() as uow:
        assert uow.requests.claim(approval(), FIRST_PAYLOAD, NOW) is None
        uow.requests.complete(approval(), AN_ANSWER)
        uow.commit()
    assert recorded(uow_factory, approval()).result == AN_ANSWER


def test_an_answer_left_uncommitted_leaves_the_claim_in_progress(uow_factory):
    claim(uow_factory, approval())
    with uow_factory() as uow:
        uow.requests.complete(approval(), AN_ANSWER)
    assert recorded(uow_factory, approval()).result is None


def test_a_claim_rolled_back_with_its_unit_of_work_leaves_no_key_behind(uow_factory):
    with uow_factory() as uow:
        uow.requests.claim(approval(), FIRST_PAYLOAD, NOW)
    assert recorded(uow_factory, approval()) is None
    assert claim(uow_factory, approval(), fingerprint=OTHER_PAYLOAD) is None


def test_of_two_claims_of_one_key_at_once_exactly_one_wins(uow_factory):
    """The loser is told the winner's record, or refused as a concurrent update (and retried)."""
    first = uow_factory()
    with first, ThreadPoolExecutor(1) as pool:
        first_claim = first.requests.claim(approval(), FIRST_PAYLOAD, NOW)
        second = pool.submit(claim_and_commit, uow_factory, OTHER_PAYLOAD)
        wait([second], timeout=0.2)  # a database holds the second claim until the first ends
        first_outcome = commit(first, first_claim)
        outcomes = {FIRST_PAYLOAD: first_outcome, OTHER_PAYLOAD: second.result()}
    winners = [payload for payload, outcome in outcomes.items() if outcome == "won"]
    assert len(winners) == 1
    assert recorded(uow_factory, approval()).fingerprint == winners[0]


def claim_and_commit(uow_factory, fingerprint: str) -> str:
    with uow_factory() as uow:
        return commit(uow, uow.requests.claim(approval(), fingerprint, NOW))


def commit(uow, record) -> str:
    try:
        uow.commit()
    except ConcurrentUpdate:
        return "refused"
    return "won" if record is None else "told"
