"""What the relay last managed and last failed at, for health checks and operators."""

from __future__ import annotations

import datetime as dt

from attrs import evolve, frozen


@frozen
class RelayState:
    """A snapshot, replaced whole on each change, so another thread can read it without a lock."""

    last_published_at: dt.datetime | None = None
    error: str = ""
    reason: str = ""
    misconfigured: bool = False
    failing_since: dt.datetime | None = None

    @property
    def failing(self) -> bool:
        return bool(self.reason)

    def published(self, now: dt.datetime) -> RelayState:
        return RelayState(last_published_at=now)

    def idle(self) -> RelayState:
        return RelayState(last_published_at=self.last_published_at)

    def failed(self, reason: str, error: str, misconfigured: bool, now: dt.datetime) -> RelayState:
        since = self.failing_since if self.reason == reason else now
        return evolve(
            self, error=error, reason=reason, misconfigured=misconfigured, failing_since=since
        )
