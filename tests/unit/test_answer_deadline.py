"""The caller's gRPC deadline, turned into the moment the work must stop to answer in time."""

import datetime as dt

from entrypoints.grpc.servicers import ANSWER_MARGIN_SECONDS, answer_deadline
from unit.fakes import FakeClock


class CallWithTimeLeft:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def time_remaining(self) -> float:
        return self.seconds


def test_the_work_stops_a_margin_before_the_callers_deadline():
    clock = FakeClock()
    deadline = answer_deadline(CallWithTimeLeft(3.0), clock)
    assert deadline == clock.now() + dt.timedelta(seconds=3.0 - ANSWER_MARGIN_SECONDS)


def test_a_call_without_a_deadline_sets_none():
    assert answer_deadline(CallWithTimeLeft(1e10), FakeClock()) is None


def test_a_deadline_already_past_stops_the_work_now():
    clock = FakeClock()
    assert answer_deadline(CallWithTimeLeft(0.0), clock) == clock.now()
