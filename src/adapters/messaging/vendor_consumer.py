"""Durable JetStream consumers for vendor events: each message acknowledged only once its
outcome is committed (done, ignored or parked), delivered again after a fault, and given up by
the broker after `max_deliveries`, by which time the handler has parked it.

The stream is the operator's; o2c creates it on its subjects when it is missing, so that `make
run` works out of the box. Each subscription is a named durable pull consumer: a restarted o2c
(or another replica) resumes where the last acknowledgement left off."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence

import nats
import structlog
from attrs import frozen
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig
from nats.js.errors import NotFoundError

from adapters.messaging.backoff import Backoff
from adapters.messaging.headers import CORRELATION_ID, MSG_ID, header_value
from application.correlation import Trace, accepted, traced
from application.vendor_events import Outcome, VendorMessage

FETCH_BATCH = 16
VENDOR_CORRELATION_ID = "X-Correlation-Id"
FETCH_WAIT = 0.5  # seconds a fetch waits for messages, so a stop is noticed soon


@frozen
class Subscription:
    subject: str
    durable: str
    handle: Callable[[VendorMessage], Outcome]


@frozen
class ConsumerSettings:
    nats_url: str
    stream: str
    stream_subjects: tuple[str, ...]
    max_deliveries: int = 5
    ack_wait_seconds: float = 60.0
    first_retry_seconds: float = 1.0


class VendorEventConsumer:
    def __init__(self, settings: ConsumerSettings, subscriptions: Sequence[Subscription]) -> None:
        self.settings = settings
        self.subscriptions = tuple(subscriptions)
        self._log = structlog.get_logger("o2c.vendor_events")

    async def run(
        self, stop: asyncio.Event, idle_interval: float = 0.0, wake: asyncio.Event | None = None
    ) -> None:
        """Consumes until `stop`; a broker that is away, at start or later, is connected to
        again with a growing delay, and each durable consumer resumes where it left off."""
        backoff = Backoff(first_delay=0.5, max_delay=15.0)
        while not stop.is_set():
            try:
                await self.consume(stop, backoff)
            except Exception as error:
                delay = backoff.next_delay()
                self._log.warning(
                    "vendor events: broker unavailable", error=str(error), retry_in=delay
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)

    async def consume(self, stop: asyncio.Event, backoff: Backoff) -> None:
        client = await nats.connect(
            self.settings.nats_url,
            allow_reconnect=False,
            max_reconnect_attempts=0,
            connect_timeout=2,
        )
        try:
            js = client.jetstream()
            await self.ensure_stream(js)
            pulls = [(await self.subscribe(js, s), s) for s in self.subscriptions]
            backoff.reset()
            while not stop.is_set():
                if not client.is_connected:
                    raise ConnectionError("the connection to the broker was lost")
                for pull, subscription in pulls:
                    await self.drain_once(pull, subscription)
        finally:
            with contextlib.suppress(Exception):
                await client.close()

    async def ensure_stream(self, js: JetStreamContext) -> None:
        try:
            await js.stream_info(self.settings.stream)
        except NotFoundError:
            config = StreamConfig(
                name=self.settings.stream, subjects=list(self.settings.stream_subjects)
            )
            await js.add_stream(config)

    async def subscribe(
        self, js: JetStreamContext, subscription: Subscription
    ) -> JetStreamContext.PullSubscription:
        config = ConsumerConfig(
            durable_name=subscription.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            max_deliver=self.settings.max_deliveries,
            ack_wait=self.settings.ack_wait_seconds,
            filter_subject=subscription.subject,
        )
        return await js.pull_subscribe(
            subscription.subject,
            durable=subscription.durable,
            stream=self.settings.stream,
            config=config,
        )

    async def drain_once(
        self, pull: JetStreamContext.PullSubscription, subscription: Subscription
    ) -> None:
        try:
            messages = await pull.fetch(FETCH_BATCH, timeout=FETCH_WAIT)
        except (TimeoutError, nats.errors.TimeoutError):
            return
        loop = asyncio.get_running_loop()
        for msg in messages:
            message = self.vendor_message(msg)
            trace = Trace(accepted(correlation_header(msg)))
            outcome = await loop.run_in_executor(None, handled_in, trace, subscription, message)
            self._log.info(
                "vendor event",
                subject=msg.subject,
                event_id=message.event_id,
                delivery=message.delivery,
                outcome=outcome.value,
            )
            if outcome is Outcome.RETRY:
                await msg.nak(delay=self.retry_delay(message.delivery))
            else:
                await msg.ack_sync()

    def vendor_message(self, msg: Msg) -> VendorMessage:
        metadata = msg.metadata
        transport_id = (msg.headers or {}).get(
            MSG_ID
        ) or f"{metadata.stream}:{metadata.sequence.stream}"
        return VendorMessage(
            subject=msg.subject,
            event_id=transport_id,
            payload=msg.data,
            delivery=metadata.num_delivered,
            max_deliveries=self.settings.max_deliveries,
        )

    def retry_delay(self, delivery: int) -> float:
        return float(self.settings.first_retry_seconds * 2 ** max(delivery - 1, 0))


def correlation_header(msg: Msg) -> str:
    headers = msg.headers or {}
    return header_value(headers, CORRELATION_ID) or headers.get(VENDOR_CORRELATION_ID, "")


def handled_in(trace: Trace, subscription: Subscription, message: VendorMessage) -> Outcome:
    with (
        traced(trace),
        structlog.contextvars.bound_contextvars(correlation_id=trace.correlation_id),
    ):
        return subscription.handle(message)
