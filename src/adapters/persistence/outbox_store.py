"""The outbox as the relay sees it: unpublished messages oldest first, marked once acknowledged."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, select, update

from adapters.outbox import OutboxMessage
from adapters.persistence.column_types import utc_now
from adapters.persistence.tables import outbox


class SqlOutboxStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def pending(self, limit: int) -> Sequence[OutboxMessage]:
        query = (
            select(outbox.c.event_id, outbox.c.subject, outbox.c.payload)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.seq)
            .limit(limit)
        )
        with self.engine.begin() as connection:
            rows = connection.execute(query).all()
        return [OutboxMessage(row.event_id, row.subject, bytes(row.payload)) for row in rows]

    def mark_published(self, event_ids: Sequence[str]) -> None:
        if not event_ids:
            return
        statement = (
            update(outbox)
            .where(outbox.c.event_id.in_(event_ids), outbox.c.published_at.is_(None))
            .values(published_at=utc_now())
        )
        with self.engine.begin() as connection:
            connection.execute(statement)
