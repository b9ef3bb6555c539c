"""Rate limits per principal: a token bucket per subject, on a clock the test moves."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from entrypoints import settings
from entrypoints.grpc.rate_limit import RATE_LIMITED, TokenBuckets, rate_limited, token_buckets
from entrypoints.settings import SettingError


class Seconds:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def seconds() -> Seconds:
    return Seconds()


def takes(buckets: TokenBuckets, subject: str, calls: int) -> list[float]:
    return [buckets.take(subject) for _ in range(calls)]


def test_a_principal_may_call_a_whole_burst_at_once_and_no_more(seconds):
    buckets = TokenBuckets(per_second=2, burst=3, clock=seconds)
    assert takes(buckets, "psa-integration", 3) == [0, 0, 0]
    assert buckets.take("psa-integration") == pytest.approx(0.5)


def test_the_wait_is_the_time_until_the_next_token_is_free(seconds):
    buckets = TokenBuckets(per_second=4, burst=1, clock=seconds)
    buckets.take("psa-integration")
    seconds.now += 0.1
    assert buckets.take("psa-integration") == pytest.approx(0.15)
    seconds.now += 0.15
    assert buckets.take("psa-integration") == 0


def test_a_refused_call_takes_no_token(seconds):
    buckets = TokenBuckets(per_second=1, burst=1, clock=seconds)
    takes(buckets, "psa-integration", 5)
    seconds.now += 1
    assert buckets.take("psa-integration") == 0


def test_another_principal_is_unaffected_by_one_over_its_limit(seconds):
    buckets = TokenBuckets(per_second=1, burst=2, clock=seconds)
    takes(buckets, "crm-salesforce", 10)
    assert takes(buckets, "psa-certinia", 2) == [0, 0]


def test_a_bucket_never_holds_more_than_its_burst(seconds):
    buckets = TokenBuckets(per_second=10, burst=2, clock=seconds)
    seconds.now += 3_600
    assert takes(buckets, "psa-integration", 2) == [0, 0]
    assert buckets.take("psa-integration") > 0


def test_the_buckets_of_idle_principals_are_dropped(seconds):
    buckets = TokenBuckets(per_second=10, burst=20, clock=seconds)
    for caller in range(1_000):
        buckets.take(f"caller-{caller}")
    seconds.now += 2  # the time a bucket takes to fill up again
    buckets.take("psa-integration")
    assert list(buckets.buckets) == ["psa-integration"]


def test_a_principal_that_called_lately_keeps_its_bucket(seconds):
    buckets = TokenBuckets(per_second=10, burst=20, clock=seconds)
    takes(buckets, "crm-salesforce", 20)
    seconds.now += 1.5
    takes(buckets, "crm-salesforce", 15)
    seconds.now += 0.5  # idle buckets are swept now; this one emptied half a second ago
    assert takes(buckets, "crm-salesforce", 6)[-1] > 0


def test_calls_from_many_threads_at_once_take_exactly_the_burst(seconds):
    buckets = TokenBuckets(per_second=1, burst=50, clock=seconds)
    with ThreadPoolExecutor(8) as pool:
        waits = list(pool.map(lambda _: buckets.take("psa-integration"), range(400)))
    assert waits.count(0) == 50


def test_a_rate_of_zero_means_no_limit(seconds):
    assert token_buckets(0, 100, seconds) is None


@pytest.mark.parametrize(("per_second", "burst"), [(-1, 10), (5, 0)])
def test_a_rate_below_zero_or_an_empty_burst_is_refused(seconds, per_second, burst):
    with pytest.raises(ValueError):
        TokenBuckets(per_second, burst, seconds)


def test_the_refusal_is_resource_exhausted_with_the_reason_and_the_delay():
    status = rate_limited(1.2345)
    details = status_pb2.Status.FromString(
        dict(status.trailing_metadata)["grpc-status-details-bin"]
    )
    info, retry = error_details_pb2.ErrorInfo(), error_details_pb2.RetryInfo()
    details.details[0].Unpack(info)
    details.details[1].Unpack(retry)
    assert status.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert (info.reason, info.domain) == (RATE_LIMITED, "o2c.v1")
    assert (retry.retry_delay.seconds, retry.retry_delay.nanos) == (1, 235_000_000)


def test_a_tiny_wait_is_still_a_delay_of_at_least_a_millisecond():
    status = rate_limited(0.00001)
    details = status_pb2.Status.FromString(
        dict(status.trailing_metadata)["grpc-status-details-bin"]
    )
    retry = error_details_pb2.RetryInfo()
    details.details[1].Unpack(retry)
    assert (retry.retry_delay.seconds, retry.retry_delay.nanos) == (0, 1_000_000)


@pytest.mark.parametrize(
    ("per_second", "burst"), [("-1", "100"), ("50", "0"), ("fast", "100"), ("50", "1.5")]
)
def test_a_rate_limit_setting_o2c_cannot_use_stops_it_naming_the_variable(per_second, burst):
    values = {"O2C_RATE_LIMIT_PER_SECOND": per_second, "O2C_RATE_LIMIT_BURST": burst}
    with pytest.raises(SettingError, match="O2C_RATE_LIMIT_"):
        settings.rate_limit(values)


def test_the_default_rate_limit_is_generous_enough_for_the_demo():
    assert settings.rate_limit(settings.read({})) == {"per_second": 50.0, "burst": 100}
