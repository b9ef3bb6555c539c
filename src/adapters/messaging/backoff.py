"""Exponential backoff with jitter, for retrying a broker that is down."""

from __future__ import annotations

import random

from attrs import define, field


@define
class Backoff:
    first_delay: float = 0.2
    max_delay: float = 15.0
    _failures: int = field(default=0, init=False)

    def next_delay(self) -> float:
        delay = min(self.max_delay, self.first_delay * 2.0**self._failures)
        self._failures += 1
        return delay * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self._failures = 0
