"""Whether the outbox gets its events out: ready, or why not and for how long."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from attrs import field, frozen

from adapters.messaging.relay_state import RelayState
from adapters.outbox import OutboxBacklog

OUTBOX_STALE = "OUTBOX_STALE"
OUTBOX_UNREADABLE = "OUTBOX_UNREADABLE"


class HasRelayState(Protocol):
    @property
    def state(self) -> RelayState: ...


@frozen
class OutboxHealth:
    ready: bool
    reason: str = ""
    detail: str = ""
    oldest_pending_age: float | None = None
    relay: RelayState = field(factory=RelayState)

    def describe(self) -> str:
        age = "none" if self.oldest_pending_age is None else f"{self.oldest_pending_age:.0f}s"
        published = self.relay.last_published_at
        last = published.isoformat(timespec="seconds") if published else "never (since start)"
        state = "ready" if self.ready else f"NOT READY ({self.reason}: {self.detail})"
        return f"{state}; oldest unpublished event: {age}; last publish: {last}"


class OutboxHealthCheck:
    """Not ready when the relay reports a configuration it cannot publish with, or when the
    oldest unpublished event has waited longer than `stale_after` seconds."""

    def __init__(
        self,
        backlog: OutboxBacklog,
        relay: HasRelayState,
        stale_after: float = 60.0,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.backlog = backlog
        self.relay = relay
        self.stale_after = stale_after
        self._now = now

    def check(self) -> OutboxHealth:
        state = self.relay.state
        try:
            age = self._oldest_pending_age()
        except Exception as error:
            return OutboxHealth(False, OUTBOX_UNREADABLE, repr(error), None, state)
        if state.misconfigured:
            return OutboxHealth(False, state.reason, state.error, age, state)
        if age is not None and age > self.stale_after:
            return OutboxHealth(False, OUTBOX_STALE, self._stale_detail(age, state), age, state)
        return OutboxHealth(True, "", "", age, state)

    def _oldest_pending_age(self) -> float | None:
        since = self.backlog.oldest_pending_since()
        return None if since is None else (self._now() - since).total_seconds()

    def _stale_detail(self, age: float, state: RelayState) -> str:
        cause = f"; relay: {state.reason}: {state.error}" if state.failing else ""
        return (
            f"the oldest unpublished event waited {age:.0f}s (limit {self.stale_after:.0f}s){cause}"
        )
