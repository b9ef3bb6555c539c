"""Several replicas' relays drain one outbox: each row once, each aggregate in order."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from collections.abc import Callable

import pytest
from integration.messaging.broker import StreamUnderTest
from sqlalchemy import Engine

from adapters.messaging.relay import OutboxRelay
from adapters.messaging.subscriber import read_messages
from adapters.persistence.outbox_claims import ClaimingOutboxStore

from .outbox_rows import write_events

pytestmark = pytest.mark.postgres

Replicas = Callable[[], ClaimingOutboxStore]


def test_a_second_replica_skips_the_batch_the_first_has_claimed(
    shared_postgres: Engine, replica_outbox: Replicas
) -> None:
    write_events(shared_postgres, "claims", aggregates=4, each=1)
    first, second = replica_outbox(), replica_outbox()

    claimed_first = first.pending(limit=2)
    claimed_second = second.pending(limit=10)

    assert len(claimed_first) == 2 and len(claimed_second) == 2
    assert not {m.event_id for m in claimed_first} & {m.event_id for m in claimed_second}
    first.mark_published([m.event_id for m in claimed_first])
    second.mark_published([m.event_id for m in claimed_second])
    assert first.pending_count() == 0


def test_no_replica_claims_an_event_while_an_earlier_one_of_its_aggregate_is_claimed(
    shared_postgres: Engine, replica_outbox: Replicas
) -> None:
    write_events(shared_postgres, "order", aggregates=1, each=3)
    first, second = replica_outbox(), replica_outbox()

    head = first.pending(limit=1)
    assert second.pending(limit=10) == []

    first.mark_published([head[0].event_id])
    assert [m.payload for m in second.pending(limit=10)] == [b"e0#2", b"e0#3"]


def test_a_claim_nothing_of_which_was_published_goes_back_to_the_others(
    shared_postgres: Engine, replica_outbox: Replicas
) -> None:
    write_events(shared_postgres, "refused", aggregates=2, each=1)
    first, second = replica_outbox(), replica_outbox()

    first.pending(limit=10)
    first.mark_published([])  # the broker acknowledged none of them

    assert len(second.pending(limit=10)) == 2


def test_three_relays_publish_every_event_once_and_each_aggregate_in_order(
    shared_postgres: Engine, replica_outbox: Replicas, stream: StreamUnderTest
) -> None:
    event_ids = write_events(shared_postgres, stream.root, aggregates=40, each=15)
    relays = [stream.relay(replica_outbox(), batch_size=25) for _ in range(3)]

    threads = [threading.Thread(target=asyncio.run, args=(drain(relay),)) for relay in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    messages = asyncio.run(read_messages(stream.url, stream.name, f"{stream.root}.>"))
    published = [m.headers["Nats-Msg-Id"] for m in messages if m.headers]
    assert sorted(published) == sorted(event_ids)
    per_aggregate: dict[str, list[int]] = defaultdict(list)
    for message in messages:
        aggregate, _, sequence = message.data.decode().partition("#")
        per_aggregate[aggregate].append(int(sequence))
    assert all(sequences == list(range(1, 16)) for sequences in per_aggregate.values())


async def drain(relay: OutboxRelay) -> None:
    store = relay.store
    assert isinstance(store, ClaimingOutboxStore)
    try:
        while store.pending_count() > 0:
            await relay.publish_pending()
    finally:
        await relay.close()
