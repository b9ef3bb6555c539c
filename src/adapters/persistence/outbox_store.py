"""The outbox as the relay sees it: unpublished messages oldest first, marked once acknowledged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Engine, func, select, update

from adapters.outbox import OutboxMessage
from adapters.persistence.column_types import utc_now
from adapters.persistence.tables import outbox

UNPUBLISHED = outbox.c.published_at.is_(None)


class SqlOutboxStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def pending(self, limit: int) -> Sequence[OutboxMessage]:
        query = (
            select(outbox.c.event_id, outbox.c.subject, outbox.c.payload, outbox.c.headers)
            .where(UNPUBLISHED)
            .order_by(outbox.c.seq)
            .limit(limit)
        )
        with self.engine.begin() as connection:
            rows = connection.execute(query).all()
        return [
            OutboxMessage(row.event_id, row.subject, bytes(row.payload), row.headers or {})
            for row in rows
        ]

    def mark_published(self, event_ids: Sequence[str]) -> None:
        if not event_ids:
            return
        statement = (
            update(outbox)
            .where(outbox.c.event_id.in_(event_ids), UNPUBLISHED)
            .values(published_at=utc_now())
        )
        with self.engine.begin() as connection:
            connection.execute(statement)

    def oldest_pending_since(self) -> dt.datetime | None:
        query = select(outbox.c.created_at).where(UNPUBLISHED).order_by(outbox.c.seq).limit(1)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar()

    def pending_count(self) -> int:
        query = select(func.count()).select_from(outbox).where(UNPUBLISHED)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def last_published_at(self) -> dt.datetime | None:
        query = select(func.max(outbox.c.published_at))
        with self.engine.connect() as connection:
            return connection.execute(query).scalar()
