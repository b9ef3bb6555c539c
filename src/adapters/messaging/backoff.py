"""Exponential backoff with jitter (tenacity's strategies), for retrying a broker that is down.

The relay's loop never ends while the broker is down, so it asks for each delay in turn rather
than handing its loop to a tenacity `Retrying`.
"""

from __future__ import annotations

from attrs import define, field
from tenacity import RetryCallState, Retrying, wait_exponential, wait_random_exponential
from tenacity.wait import wait_base


def equal_jitter(first_delay: float, max_delay: float) -> wait_base:
    """Half the exponential delay, plus a random part of up to the other half."""
    half, ceiling = first_delay / 2, max_delay / 2
    return wait_exponential(multiplier=half, max=ceiling) + wait_random_exponential(
        multiplier=half, max=ceiling
    )


@define
class Backoff:
    first_delay: float = 0.2
    max_delay: float = 15.0
    _failures: int = field(default=0, init=False)

    def next_delay(self) -> float:
        self._failures += 1
        state = RetryCallState(Retrying(), fn=None, args=(), kwargs={})
        state.attempt_number = self._failures
        return equal_jitter(self.first_delay, self.max_delay)(state)

    def reset(self) -> None:
        self._failures = 0
