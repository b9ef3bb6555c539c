import datetime as dt

import pytest

from application.errors import VendorRejected, VendorUnavailable
from application.retry import OutOfTime, RetryPolicy, call_with_retry
from unit.fakes import FakeClock


class Vendor:
    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls = 0

    def call(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "done"


def busy(retry_after: float) -> VendorUnavailable:
    return VendorUnavailable("erp", "429 Too Many Requests", retry_after=retry_after)


def outages(count: int) -> list[VendorUnavailable]:
    return [VendorUnavailable("psa", f"503 number {n}") for n in range(1, count + 1)]


def in_seconds(clock: FakeClock, seconds: float) -> dt.datetime:
    return clock.now() + dt.timedelta(seconds=seconds)


def test_a_transient_failure_is_retried_with_doubling_backoff():
    clock, vendor = (
        FakeClock(),
        Vendor(VendorUnavailable("erp", "503"), VendorUnavailable("erp", "502")),
    )
    done = call_with_retry(vendor.call, RetryPolicy(attempts=3, first_delay=0.5), clock)
    assert (done.value, done.attempts, clock.slept) == ("done", 3, [0.5, 1.0])


def test_a_call_that_succeeds_at_once_reports_one_attempt_and_never_sleeps():
    clock = FakeClock()
    done = call_with_retry(Vendor().call, RetryPolicy(), clock)
    assert (done.value, done.attempts, clock.slept) == ("done", 1, [])


def test_the_backoff_never_exceeds_its_ceiling():
    clock, vendor = FakeClock(), Vendor(*outages(5))
    call_with_retry(vendor.call, RetryPolicy(attempts=6, first_delay=1, max_delay=5), clock)
    assert clock.slept == [1, 2, 4, 5, 5]


def test_a_rejection_is_not_retried():
    clock, vendor = FakeClock(), Vendor(VendorRejected("psa", "400 REQUIRED_FIELD_MISSING"))
    with pytest.raises(VendorRejected):
        call_with_retry(vendor.call, RetryPolicy(attempts=4), clock)
    assert vendor.calls == 1 and clock.slept == []


def test_an_error_that_is_not_a_vendors_passes_straight_through():
    clock, vendor = FakeClock(), Vendor(KeyError("payload"))
    with pytest.raises(KeyError):
        call_with_retry(vendor.call, RetryPolicy(attempts=4), clock)
    assert vendor.calls == 1 and clock.slept == []


def test_the_last_transient_failure_is_raised_once_attempts_run_out():
    clock, vendor = FakeClock(), Vendor(*outages(5))
    with pytest.raises(VendorUnavailable, match="503 number 3"):
        call_with_retry(vendor.call, RetryPolicy(attempts=3, first_delay=0.1), clock)
    assert vendor.calls == 3


def test_a_vendors_retry_after_wins_over_the_backoff():
    clock, vendor = FakeClock(), Vendor(busy(7.0))
    call_with_retry(vendor.call, RetryPolicy(attempts=2, first_delay=0.1), clock)
    assert clock.slept == [7.0]


def test_a_retry_after_up_to_the_cap_is_honoured_in_full():
    clock, vendor = FakeClock(), Vendor(busy(30.0))
    done = call_with_retry(vendor.call, RetryPolicy(max_retry_after=30.0), clock)
    assert (done.value, clock.slept) == ("done", [30.0])


def test_a_retry_after_beyond_the_cap_gives_the_error_back_at_once_instead_of_parking_a_worker():
    clock, vendor = FakeClock(), Vendor(busy(3600.0))
    with pytest.raises(VendorUnavailable) as raised:
        call_with_retry(vendor.call, RetryPolicy(attempts=4, max_retry_after=30.0), clock)
    assert (vendor.calls, clock.slept, raised.value.retry_after) == (1, [], 3600.0)


def test_no_retry_sleeps_past_the_deadline_and_the_last_error_is_raised():
    clock, vendor = FakeClock(), Vendor(*outages(4))
    deadline = in_seconds(clock, 1.2)
    with pytest.raises(OutOfTime) as raised:
        call_with_retry(
            vendor.call, RetryPolicy(attempts=4, first_delay=0.5), clock, deadline=deadline
        )
    assert "503 number 2" in str(raised.value.__cause__)
    assert (vendor.calls, clock.slept) == (2, [0.5])
    assert clock.now() <= deadline


def test_a_retry_that_wakes_exactly_at_the_deadline_still_runs():
    clock, vendor = FakeClock(), Vendor(*outages(2))
    policy = RetryPolicy(attempts=3, first_delay=0.5)
    done = call_with_retry(vendor.call, policy, clock, deadline=in_seconds(clock, 1.5))
    assert (done.value, clock.slept) == ("done", [0.5, 1.0])


def test_a_retry_after_that_ends_past_the_deadline_is_not_waited_for():
    clock, vendor = FakeClock(), Vendor(busy(7.0))
    with pytest.raises(OutOfTime):
        call_with_retry(vendor.call, RetryPolicy(), clock, deadline=in_seconds(clock, 5))
    assert (vendor.calls, clock.slept) == (1, [])


def test_a_call_whose_deadline_has_passed_is_tried_once_and_not_retried():
    clock, vendor = FakeClock(), Vendor(*outages(1))
    with pytest.raises(OutOfTime):
        call_with_retry(vendor.call, RetryPolicy(), clock, deadline=in_seconds(clock, -1))
    assert (vendor.calls, clock.slept) == (1, [])
