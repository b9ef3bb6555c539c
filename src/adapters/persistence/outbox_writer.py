"""A commit's events into the outbox, each numbered after the last one of its aggregate.

Two transactions numbering the same aggregate at once both pick the same next number; the
unique (aggregate_type, aggregate_id, aggregate_sequence) makes the later one lose the race
(ConcurrentUpdate, which callers retry) instead of publishing a number twice.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator, Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from adapters.outbox import EventEncoder, OutboxMessage, Stamp
from adapters.persistence.tables import outbox
from domain.events import AggregateRef, Event

IDS_PER_QUERY = 500  # well under every database's limit on bound parameters


def write_outbox(
    session: Session, events: Sequence[Event], encode: EventEncoder, correlation_id: str = ""
) -> None:
    if not events:
        return
    numbers = next_numbers(session, {event.aggregate for event in events})
    stamps = [Stamp(next(numbers[event.aggregate]), correlation_id) for event in events]
    rows = [
        outbox_row(event, stamp, encode(event, stamp))
        for event, stamp in zip(events, stamps, strict=True)
    ]
    session.execute(insert(outbox), rows)


def next_numbers(
    session: Session, aggregates: Collection[AggregateRef]
) -> dict[AggregateRef, Iterator[int]]:
    last = last_sequences(session, aggregates)
    return {aggregate: itertools.count(last.get(aggregate, 0) + 1) for aggregate in aggregates}


def last_sequences(
    session: Session, aggregates: Collection[AggregateRef]
) -> dict[AggregateRef, int]:
    last: dict[AggregateRef, int] = {}
    for kind, ids in ids_by_type(aggregates).items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), IDS_PER_QUERY):
            chunk = ordered[start : start + IDS_PER_QUERY]
            query = (
                select(outbox.c.aggregate_id, func.max(outbox.c.aggregate_sequence))
                .where(outbox.c.aggregate_type == kind, outbox.c.aggregate_id.in_(chunk))
                .group_by(outbox.c.aggregate_id)
            )
            last.update({AggregateRef(kind, id_): int(n) for id_, n in session.execute(query)})
    return last


def ids_by_type(aggregates: Collection[AggregateRef]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    for aggregate in aggregates:
        grouped.setdefault(aggregate.type, set()).add(aggregate.id)
    return grouped


def outbox_row(event: Event, stamp: Stamp, message: OutboxMessage) -> dict[str, object]:
    return {
        "event_id": message.event_id,
        "subject": message.subject,
        "payload": message.payload,
        "headers": dict(message.headers),
        "aggregate_type": event.aggregate.type,
        "aggregate_id": event.aggregate.id,
        "aggregate_sequence": stamp.sequence,
    }
