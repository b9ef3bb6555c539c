from __future__ import annotations

import time

from adapters.messaging.relay import RelayThread

from .broker import StreamUnderTest, eventually
from .builders import one_of_each_kind, staged_time
from .memory_outbox import InMemoryOutbox


def test_the_relay_thread_starts_publishes_and_stops_within_its_timeout(
    stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    outbox.add(*(stream.encode(event) for event in one_of_each_kind()))
    relay = RelayThread(stream.relay(outbox), idle_interval=0.1)

    relay.start()
    assert eventually(lambda: not outbox.unpublished)
    started_stopping = time.monotonic()
    stopped = relay.stop(timeout=5)

    assert stopped
    assert not relay.is_alive
    assert time.monotonic() - started_stopping < 5
    assert stream.message_count() == 4


def test_waking_the_relay_thread_publishes_without_waiting_for_the_idle_interval(
    stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    relay = RelayThread(stream.relay(outbox), idle_interval=60)
    relay.start()
    assert eventually(stream.exists)

    outbox.add(stream.encode(staged_time()))
    relay.wake()

    assert eventually(lambda: not outbox.unpublished, timeout=10)
    assert relay.stop(timeout=5)
