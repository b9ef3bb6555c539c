from __future__ import annotations

import asyncio
import socket
import time

import pytest

from adapters.messaging.embedded_nats import EmbeddedNats
from adapters.messaging.relay import OutboxRelay, RelayError, RelayThread

from .broker import StreamUnderTest, eventually
from .builders import staged_time
from .memory_outbox import InMemoryOutbox


def an_unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def publish_once(relay: OutboxRelay) -> int:
    try:
        return await relay.publish_pending()
    finally:
        await relay.close()


def test_with_the_broker_unreachable_publishing_fails_and_nothing_is_marked_published(
    stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    outbox.add(*(stream.encode(staged_time(number)) for number in range(3)))
    relay = stream.relay(outbox, url=f"nats://127.0.0.1:{an_unused_port()}")

    with pytest.raises(RelayError):
        asyncio.run(publish_once(relay))

    assert outbox.published == set()
    assert len(outbox.unpublished) == 3


def test_after_the_broker_comes_back_the_relay_thread_publishes_everything_it_kept(
    embedded_nats: EmbeddedNats, outbox: InMemoryOutbox
) -> None:
    stream = StreamUnderTest.unique(embedded_nats.url)
    before = [stream.encode(staged_time(number)) for number in range(5)]
    during = [stream.encode(staged_time(number)) for number in range(5, 1205)]
    relay = RelayThread(stream.relay(outbox, max_retry_delay=0.2), idle_interval=0.05)
    relay.start()
    outbox.add(*before)
    assert eventually(lambda: not outbox.unpublished)

    embedded_nats.stop()
    outbox.add(*during)
    time.sleep(1.0)
    assert relay.is_alive
    assert len(outbox.unpublished) == len(during)
    embedded_nats.start()

    assert eventually(lambda: not outbox.unpublished)
    assert relay.stop(timeout=10)
    received = stream.read()
    assert sorted(r.msg_id for r in received) == sorted(m.event_id for m in before + during)
