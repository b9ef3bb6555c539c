"""The transactional outbox's shapes, shared by the persistence writer and the broker relay."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from attrs import frozen

from domain.events import Event


@frozen
class OutboxMessage:
    event_id: str
    subject: str
    payload: bytes


EventEncoder = Callable[[Event], OutboxMessage]


class OutboxStore(Protocol):
    """Outbox rows not yet published, oldest first; marked once the broker acknowledged them."""

    def pending(self, limit: int) -> Sequence[OutboxMessage]: ...
    def mark_published(self, event_ids: Sequence[str]) -> None: ...
