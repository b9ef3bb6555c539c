"""The vendor-event consumer outlives its broker: started while NATS is away, or with NATS
restarted under it, it connects again and consumes every message once the broker is back."""

from __future__ import annotations

import asyncio
import threading

import nats

from adapters.messaging.embedded_nats import EmbeddedNats
from adapters.messaging.relay import RelayThread
from adapters.messaging.vendor_consumer import ConsumerSettings, Subscription, VendorEventConsumer
from application.vendor_events import Outcome, VendorMessage

from .broker import eventually

SUBJECT = "vendortest.psa.work.approved"


class Handled:
    def __init__(self) -> None:
        self.payloads: list[bytes] = []
        self.lock = threading.Lock()

    def __call__(self, message: VendorMessage) -> Outcome:
        with self.lock:
            self.payloads.append(message.payload)
        return Outcome.DONE


def consumer_on(url: str, handled: Handled) -> RelayThread:
    consumer = VendorEventConsumer(
        ConsumerSettings(url, "VENDORTEST", ("vendortest.>",), max_deliveries=3),
        [Subscription(SUBJECT, "o2c-test", handled)],
    )
    return RelayThread(consumer, name="vendor event consumer")


def publish(url: str, payload: bytes) -> None:
    async def send() -> None:
        client = await nats.connect(url)
        try:
            await client.jetstream().publish(SUBJECT, payload)
        finally:
            await client.close()

    asyncio.run(send())


def test_a_consumer_started_while_the_broker_is_away_consumes_once_it_is_back(
    embedded_nats: EmbeddedNats,
) -> None:
    url = embedded_nats.url
    embedded_nats.stop()
    handled = Handled()
    thread = consumer_on(url, handled)
    thread.start()
    try:
        embedded_nats.start()
        assert eventually(lambda: stream_exists(url), timeout=30)
        publish(url, b'{"n": 1}')
        assert eventually(lambda: handled.payloads == [b'{"n": 1}'], timeout=30)
    finally:
        assert thread.stop(5)


def test_a_consumer_whose_broker_restarts_resumes_where_it_left_off(
    embedded_nats: EmbeddedNats,
) -> None:
    url = embedded_nats.url
    handled = Handled()
    thread = consumer_on(url, handled)
    thread.start()
    try:
        assert eventually(lambda: stream_exists(url), timeout=30)
        publish(url, b'{"n": 1}')
        assert eventually(lambda: len(handled.payloads) == 1, timeout=30)
        embedded_nats.stop()
        embedded_nats.start()
        publish(url, b'{"n": 2}')
        assert eventually(lambda: handled.payloads == [b'{"n": 1}', b'{"n": 2}'], timeout=30)
    finally:
        assert thread.stop(5)


def stream_exists(url: str) -> bool:
    async def look() -> bool:
        try:
            client = await nats.connect(url, allow_reconnect=False, connect_timeout=1)
        except Exception:
            return False
        try:
            await client.jetstream().stream_info("VENDORTEST")
            return True
        except Exception:
            return False
        finally:
            await client.close()

    return asyncio.run(look())
