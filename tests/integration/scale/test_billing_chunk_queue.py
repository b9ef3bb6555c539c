"""The billing cycle's chunks on a JetStream work-queue stream: each billed by one replica,
and a chunk whose replica died before acknowledging it billed by another."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator

import nats
import pytest
from nats.js.errors import NotFoundError

from adapters.messaging.chunk_queue import DURABLE, BillingChunk, ChunkQueue

AS_OF = dt.date(2026, 12, 31)


@pytest.fixture
def queue_names(nats_url: str) -> Iterator[dict[str, str]]:
    tag = uuid.uuid4().hex[:10]
    names = {"stream": f"O2C_TEST_CHUNKS_{tag.upper()}", "subject": f"o2ctest{tag}.chunks"}
    yield names

    async def delete() -> None:
        client = await nats.connect(nats_url)
        with contextlib.suppress(NotFoundError):
            await client.jetstream().delete_stream(names["stream"])
        await client.close()

    asyncio.run(delete())


def cycle_of(*engagements: str) -> list[BillingChunk]:
    return [BillingChunk("cycle-1", AS_OF, (engagement,)) for engagement in engagements]


def test_a_chunk_left_unacknowledged_by_a_dead_replica_is_billed_by_another(
    nats_url: str, queue_names: dict[str, str]
) -> None:
    chunks = cycle_of("E1", "E2", "E3")
    billed: list[BillingChunk] = []
    survivor = ChunkQueue(nats_url, billed.append, ack_wait=1.0, **queue_names)

    async def month_end() -> tuple[int, list[BillingChunk]]:
        await survivor.hand_out(chunks)
        await survivor.hand_out(chunks)  # handed out twice
        queued = await messages_in(nats_url, queue_names["stream"])
        taken_by_the_dead = await take_one_and_die(nats_url, queue_names)
        stop = asyncio.Event()
        working = asyncio.create_task(survivor.run(stop, idle_interval=0.2))
        for _ in range(100):
            if len(billed) >= len(chunks):
                break
            await asyncio.sleep(0.1)
        stop.set()
        await working
        return queued, taken_by_the_dead

    queued, taken_by_the_dead = asyncio.run(month_end())

    assert queued == len(chunks)
    assert sorted(billed, key=str) == sorted(chunks, key=str)
    assert taken_by_the_dead[0] in billed


async def messages_in(nats_url: str, stream: str) -> int:
    client = await nats.connect(nats_url)
    try:
        return int((await client.jetstream().stream_info(stream)).state.messages)
    finally:
        await client.close()


async def take_one_and_die(nats_url: str, names: dict[str, str]) -> list[BillingChunk]:
    """A replica takes a chunk and is killed before it acknowledges it."""
    client = await nats.connect(nats_url)
    subscription = await client.jetstream().pull_subscribe(
        names["subject"], durable=DURABLE, stream=names["stream"]
    )
    [message] = await subscription.fetch(1, timeout=5)
    await client.close()
    return [BillingChunk.decode(message.data)]
