"""Calls to vendor systems, retried with backoff when the failure is transient."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from attrs import frozen

from application.errors import VendorUnavailable
from application.ports import Clock

T = TypeVar("T")


@frozen
class RetryPolicy:
    attempts: int = 4
    first_delay: float = 0.2
    max_delay: float = 5.0

    def delay(self, attempt: int) -> float:
        return float(min(self.max_delay, self.first_delay * 2 ** (attempt - 1)))


@frozen
class Attempted(Generic[T]):
    value: T
    attempts: int


def call_with_retry(action: Callable[[], T], policy: RetryPolicy, clock: Clock) -> Attempted[T]:
    attempt = 1
    while True:
        try:
            return Attempted(action(), attempt)
        except VendorUnavailable as error:
            if attempt >= policy.attempts:
                raise
            clock.sleep(
                error.retry_after if error.retry_after is not None else policy.delay(attempt)
            )
            attempt += 1
