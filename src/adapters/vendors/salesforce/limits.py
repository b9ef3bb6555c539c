"""The org's API allocation as Salesforce reports it on every answer (`Sforce-Limit-Info:
api-usage=n/limit`). Past a share of it, each call first waits, longer the nearer the limit;
once Salesforce refuses with REQUEST_LIMIT_EXCEEDED, no call is sent until the back-off has
passed: each is answered at once as unavailable, with the time left as its Retry-After."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

from attrs import define, field

from adapters.vendors.salesforce.errors import SYSTEM
from adapters.vendors.salesforce.settings import SalesforceSettings
from application.errors import VendorUnavailable

USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


@define
class ApiUsage:
    settings: SalesforceSettings
    sleep: Callable[[float], None] = time.sleep
    ticks: Callable[[], float] = time.monotonic
    used: int = 0
    limit: int = 0
    _resume_at: float = 0.0
    _lock: threading.Lock = field(factory=threading.Lock)

    def observe(self, header: str | None) -> None:
        found = USAGE.search(header or "")
        if found:
            with self._lock:
                self.used, self.limit = int(found[1]), int(found[2])

    def wait_turn(self) -> None:
        with self._lock:
            waiting = self._resume_at - self.ticks()
        if waiting > 0:
            raise VendorUnavailable(
                SYSTEM, f"over the org's request limit for {waiting:.0f}s more", waiting
            )
        pause = self.pause()
        if pause > 0:
            self.sleep(pause)

    def pause(self) -> float:
        """Nothing below `slow_down_at` of the allocation, the longest pause at its end."""
        with self._lock:
            share = self.used / self.limit if self.limit else 0.0
        start = self.settings.slow_down_at
        if share < start:
            return 0.0
        nearness = 1.0 if start >= 1 else min((share - start) / (1 - start), 1.0)
        return self.settings.longest_pause_seconds * nearness

    def refused(self, message: str) -> float:
        """Salesforce refused a call over a limit: the seconds to hold off, now begun."""
        concurrent = "concurrent" in message.lower()
        backoff = (
            self.settings.concurrency_backoff_seconds
            if concurrent
            else self.settings.allocation_backoff_seconds
        )
        with self._lock:
            self._resume_at = max(self._resume_at, self.ticks() + backoff)
        return backoff
