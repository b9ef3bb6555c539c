"""Outbox rows as the unit of work writes them: events of aggregates, each with its sequence."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, insert

from adapters.persistence.tables import outbox


def write_events(engine: Engine, root: str, aggregates: int, each: int) -> list[str]:
    """`each` events of every one of `aggregates` engagements, interleaved as requests commit."""
    rows = [
        {
            "event_id": str(uuid.uuid4()),
            "subject": f"{root}.v1.engagement.e{aggregate}",
            "payload": f"e{aggregate}#{sequence}".encode(),
            "aggregate_type": "engagement",
            "aggregate_id": f"e{aggregate}",
            "aggregate_sequence": sequence,
            "headers": {},
        }
        for sequence in range(1, each + 1)
        for aggregate in range(aggregates)
    ]
    with engine.begin() as connection:
        connection.execute(insert(outbox), rows)
    return [str(row["event_id"]) for row in rows]
