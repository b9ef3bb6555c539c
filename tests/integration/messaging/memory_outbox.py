"""An in-memory OutboxStore: the database is not what these tests are about."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from attrs import define, field

from adapters.outbox import OutboxMessage


@define
class InMemoryOutbox:
    rows: dict[str, OutboxMessage] = field(factory=dict)
    published: set[str] = field(factory=set)
    marked_batches: list[tuple[str, ...]] = field(factory=list)
    _lock: threading.Lock = field(factory=threading.Lock)

    def add(self, *messages: OutboxMessage) -> None:
        with self._lock:
            self.rows.update((message.event_id, message) for message in messages)

    def pending(self, limit: int) -> Sequence[OutboxMessage]:
        with self._lock:
            return self._unpublished()[:limit]

    def mark_published(self, event_ids: Sequence[str]) -> None:
        with self._lock:
            self.published.update(event_ids)
            self.marked_batches.append(tuple(event_ids))

    @property
    def unpublished(self) -> list[OutboxMessage]:
        with self._lock:
            return self._unpublished()

    def _unpublished(self) -> list[OutboxMessage]:
        return [m for event_id, m in self.rows.items() if event_id not in self.published]
