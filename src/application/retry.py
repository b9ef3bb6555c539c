"""Calls to vendor systems, retried with backoff (tenacity) when the failure is transient.

A retry never sleeps past the call's deadline, and a vendor's Retry-After is honoured only up to
a ceiling: a vendor asking for an hour gets the error back at once instead of a parked worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Generic, TypeVar

from attrs import define, frozen
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential

from application.errors import VendorUnavailable
from application.ports import Clock

T = TypeVar("T")


@frozen
class RetryPolicy:
    attempts: int = 4
    first_delay: float = 0.2
    max_delay: float = 5.0
    max_retry_after: float = 30.0


class OutOfTime(Exception):
    """The call's deadline came before the vendor recovered: not a vendor failure, so whoever
    drives the call hands the work on (a saga to the resuming worker) instead of undoing it."""


@frozen
class Attempted(Generic[T]):
    value: T
    attempts: int


def call_with_retry(
    action: Callable[[], T],
    policy: RetryPolicy,
    clock: Clock,
    *,
    deadline: dt.datetime | None = None,
) -> Attempted[T]:
    """Retry VendorUnavailable (never VendorRejected); the last error is raised on giving up,
    as the cause of OutOfTime when it was the deadline that stopped the retries."""
    watch = DeadlineWatch(clock, deadline)
    retrying = Retrying(
        retry=retry_if_exception_type(VendorUnavailable),
        wait=vendor_wait(policy),
        stop=give_up(policy, watch),
        sleep=clock.sleep,
        reraise=True,
    )
    try:
        value = retrying(action)
    except VendorUnavailable as error:
        if watch.reached:
            raise OutOfTime(f"the call's deadline came first: {error}") from error
        raise
    return Attempted(value, retrying.statistics["attempt_number"])


@define
class DeadlineWatch:
    clock: Clock
    deadline: dt.datetime | None
    reached: bool = False

    def passed_by(self, seconds: float) -> bool:
        """Whether sleeping `seconds` from now would wake after the deadline."""
        later = self.clock.now() + dt.timedelta(seconds=seconds)
        self.reached = self.deadline is not None and later > self.deadline
        return self.reached


def vendor_wait(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    backoff = wait_exponential(multiplier=policy.first_delay, max=policy.max_delay)

    def wait(state: RetryCallState) -> float:
        asked = retry_after(state)
        return asked if asked is not None else backoff(state)

    return wait


def give_up(policy: RetryPolicy, watch: DeadlineWatch) -> Callable[[RetryCallState], bool]:
    def stop(state: RetryCallState) -> bool:
        return (
            state.attempt_number >= policy.attempts
            or (retry_after(state) or 0.0) > policy.max_retry_after
            or watch.passed_by(state.upcoming_sleep)
        )

    return stop


def retry_after(state: RetryCallState) -> float | None:
    error = state.outcome.exception() if state.outcome is not None else None
    return error.retry_after if isinstance(error, VendorUnavailable) else None
