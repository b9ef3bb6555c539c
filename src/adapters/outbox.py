"""The transactional outbox's shapes, shared by the persistence writer and the broker relay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from attrs import field, frozen

from domain.events import Event


@frozen
class Stamp:
    """What the outbox adds to an event as it writes it: its place in its aggregate's history,
    and the request or process it belongs to (empty: the event starts its own)."""

    sequence: int
    correlation_id: str = ""


@frozen
class OutboxMessage:
    event_id: str
    subject: str
    payload: bytes
    headers: Mapping[str, str] = field(factory=dict, hash=False)


EventEncoder = Callable[[Event, Stamp], OutboxMessage]


class OutboxStore(Protocol):
    """Outbox rows not yet published, oldest first; marked once the broker acknowledged them."""

    def pending(self, limit: int) -> Sequence[OutboxMessage]: ...
    def mark_published(self, event_ids: Sequence[str]) -> None: ...


class OutboxBacklog(Protocol):
    """When the oldest event still waiting to be published was written, if any waits."""

    def oldest_pending_since(self) -> dt.datetime | None: ...
