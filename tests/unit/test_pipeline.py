"""The command pipeline: one claim per key, the first answer replayed, lost races retried."""

import pytest
from support.builders import approved_time

from application.pipeline import ATTEMPTS, Pipeline
from domain.errors import ConcurrentUpdate, RequestIdReused
from domain.requests import RequestKey
from unit.fakes import FakeUnitOfWork

KEY = RequestKey("psa", "ApproveBillableEvent", "time-req-1")


@pytest.fixture
def pipeline(store, clock) -> Pipeline:
    return Pipeline(lambda: FakeUnitOfWork(store), clock)


def test_the_answer_is_stored_with_the_claim_and_replayed(pipeline, store):
    calls = []

    def work(_uow):
        calls.append(1)
        return {"billable_event_id": "be-1"}

    assert pipeline.run(KEY, approved_time(), work) == {"billable_event_id": "be-1"}
    assert pipeline.run(KEY, approved_time(), work) == {"billable_event_id": "be-1"}
    assert calls == [1] and store.requests[KEY].result == {"billable_event_id": "be-1"}


def test_another_payload_under_the_key_is_refused(pipeline):
    pipeline.run(KEY, approved_time(), lambda _uow: {"billable_event_id": "be-1"})
    with pytest.raises(RequestIdReused):
        pipeline.run(KEY, approved_time(hours="8"), lambda _uow: {"billable_event_id": "be-2"})


def test_a_lost_race_is_retried_from_the_claim(pipeline, store):
    losses = [ConcurrentUpdate("lost"), ConcurrentUpdate("lost again")]

    def work(_uow):
        if losses:
            raise losses.pop(0)
        return {"billable_event_id": "be-1"}

    assert pipeline.run(KEY, approved_time(), work) == {"billable_event_id": "be-1"}


def test_a_race_lost_every_time_is_given_up_after_a_bounded_number_of_attempts(pipeline, store):
    attempts = []

    def work(_uow):
        attempts.append(1)
        raise ConcurrentUpdate("lost")

    with pytest.raises(ConcurrentUpdate):
        pipeline.run(KEY, approved_time(), work)
    assert len(attempts) == ATTEMPTS and store.requests == {}


def test_a_refusal_leaves_no_key_behind(pipeline, store):
    def refuse(_uow):
        raise RequestIdReused("refused")

    with pytest.raises(RequestIdReused):
        pipeline.run(KEY, approved_time(), refuse)
    assert store.requests == {}
