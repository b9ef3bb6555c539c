"""The outbox shared by several replicas on one PostgreSQL: each relay claims its batch.

A batch is claimed with `FOR UPDATE SKIP LOCKED` and stays locked until it is marked published,
so no row is published by two replicas; a replica killed mid-batch drops its connection and
PostgreSQL frees the rows for the others (JetStream drops a repeat by its Nats-Msg-Id). An event
is only claimed when every earlier unpublished event of its aggregate is in the same batch, so
no replica publishes sequence n+1 of an aggregate before n is acknowledged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Select, Update, exists, select, update

from adapters.outbox import OutboxMessage
from adapters.persistence.column_types import utc_now
from adapters.persistence.outbox_store import UNPUBLISHED, SqlOutboxStore
from adapters.persistence.tables import outbox


def outbox_store(engine: Engine) -> SqlOutboxStore:
    """Claims batches on PostgreSQL; SQLite is one process, where reading the head suffices."""
    if engine.dialect.name == "postgresql":
        return ClaimingOutboxStore(engine)
    return SqlOutboxStore(engine)


class ClaimingOutboxStore(SqlOutboxStore):
    """One relay's claim at a time: `pending` claims a batch, `mark_published` ends the claim."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._claim: Connection | None = None

    def pending(self, limit: int) -> Sequence[OutboxMessage]:
        self.release()
        claim = self.engine.connect()
        try:
            rows = claim.execute(_claimable(limit)).all()
        except BaseException:
            claim.close()
            raise
        if not rows:
            claim.close()
            return []
        self._claim = claim
        return [
            OutboxMessage(row.event_id, row.subject, bytes(row.payload), row.headers or {})
            for row in rows
        ]

    def mark_published(self, event_ids: Sequence[str]) -> None:
        claim, self._claim = self._claim, None
        if claim is None:
            super().mark_published(event_ids)
            return
        try:
            if event_ids:
                claim.execute(_published(event_ids))
            claim.commit()
        finally:
            claim.close()

    def release(self) -> None:
        """Gives back a claim nothing of which was published (the broker refused them all)."""
        claim, self._claim = self._claim, None
        if claim is not None:
            claim.close()


def _claimable(limit: int) -> Select[Any]:
    claimed = (
        select(
            outbox.c.seq,
            outbox.c.event_id,
            outbox.c.subject,
            outbox.c.payload,
            outbox.c.headers,
            outbox.c.aggregate_type,
            outbox.c.aggregate_id,
        )
        .where(UNPUBLISHED)
        .order_by(outbox.c.seq)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("claimed")
    )
    earlier = outbox.alias("earlier")
    waits_for_another_batch = exists().where(
        earlier.c.published_at.is_(None),
        earlier.c.aggregate_type == claimed.c.aggregate_type,
        earlier.c.aggregate_id == claimed.c.aggregate_id,
        earlier.c.seq < claimed.c.seq,
        earlier.c.seq.not_in(select(claimed.c.seq)),
    )
    return select(claimed).where(~waits_for_another_batch).order_by(claimed.c.seq)


def _published(event_ids: Sequence[str]) -> Update:
    return (
        update(outbox)
        .where(outbox.c.event_id.in_(event_ids), UNPUBLISHED)
        .values(published_at=utc_now())
    )
