import pytest

from application.errors import VendorRejected, VendorUnavailable
from application.retry import RetryPolicy, call_with_retry
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


def test_a_transient_failure_is_retried_with_doubling_backoff():
    clock, vendor = (
        FakeClock(),
        Vendor(VendorUnavailable("erp", "503"), VendorUnavailable("erp", "502")),
    )
    done = call_with_retry(vendor.call, RetryPolicy(attempts=3, first_delay=0.5), clock)
    assert (done.value, done.attempts, clock.slept) == ("done", 3, [0.5, 1.0])


def test_a_vendors_retry_after_wins_over_the_backoff():
    clock = FakeClock()
    vendor = Vendor(VendorUnavailable("erp", "429 Too Many Requests", retry_after=7.0))
    call_with_retry(vendor.call, RetryPolicy(attempts=2, first_delay=0.1), clock)
    assert clock.slept == [7.0]


def test_the_backoff_never_exceeds_its_ceiling():
    assert RetryPolicy(first_delay=1, max_delay=5).delay(10) == 5


def test_a_rejection_is_not_retried():
    clock, vendor = FakeClock(), Vendor(VendorRejected("psa", "400 REQUIRED_FIELD_MISSING"))
    with pytest.raises(VendorRejected):
        call_with_retry(vendor.call, RetryPolicy(attempts=4), clock)
    assert vendor.calls == 1 and clock.slept == []


def test_the_last_transient_failure_is_raised_once_attempts_run_out():
    clock = FakeClock()
    vendor = Vendor(*(VendorUnavailable("psa", "503") for _ in range(5)))
    with pytest.raises(VendorUnavailable):
        call_with_retry(vendor.call, RetryPolicy(attempts=3, first_delay=0.1), clock)
    assert vendor.calls == 3
