"""The billing cycle handed out a chunk at a time through a JetStream work-queue stream.

Each chunk is taken by one replica and acknowledged once billed; a replica killed before its
acknowledgement leaves the chunk to be redelivered to another once `ack_wait` runs out. Billing
a chunk twice bills nothing twice: its commit either happened, and the work is no longer
staged, or it did not, and nothing of it is kept."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import Callable, Sequence

import nats
import structlog
from attrs import frozen
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from adapters.messaging.backoff import Backoff
from adapters.messaging.headers import MSG_ID

STREAM = "O2C_BILLING_CHUNKS"
SUBJECT = "o2c.billing.chunks"
DURABLE = "billers"


@frozen
class BillingChunk:
    cycle_id: str
    as_of: dt.date
    engagement_ids: tuple[str, ...]

    def encode(self) -> bytes:
        return json.dumps(
            {
                "cycle_id": self.cycle_id,
                "as_of": self.as_of.isoformat(),
                "engagement_ids": list(self.engagement_ids),
            }
        ).encode()

    @classmethod
    def decode(cls, data: bytes) -> BillingChunk:
        fields = json.loads(data)
        return cls(
            fields["cycle_id"],
            dt.date.fromisoformat(fields["as_of"]),
            tuple(fields["engagement_ids"]),
        )


class ChunkQueue:
    def __init__(
        self,
        nats_url: str,
        bill: Callable[[BillingChunk], object] | None = None,
        *,
        replicas: int = 1,
        ack_wait: float = 60.0,
        stream: str = STREAM,
        subject: str = SUBJECT,
    ) -> None:
        self.servers = [url.strip() for url in nats_url.split(",")]
        self.bill = bill
        self.replicas = replicas
        self.ack_wait = ack_wait
        self.stream = stream
        self.subject = subject
        self._client: Client | None = None
        self._log = structlog.get_logger("o2c.billing-chunks")

    async def hand_out(self, chunks: Sequence[BillingChunk]) -> None:
        """Queues each chunk once, however often the same cycle is handed out."""
        js = await self._jetstream()
        for number, chunk in enumerate(chunks):
            msg_id = f"{chunk.cycle_id}:{number}"
            await js.publish(
                self.subject, chunk.encode(), stream=self.stream, headers={MSG_ID: msg_id}
            )

    async def redelivered(self) -> int:
        js = await self._jetstream()
        return int((await js.consumer_info(self.stream, DURABLE)).num_redelivered or 0)

    async def run(
        self, stop: asyncio.Event, idle_interval: float = 1.0, wake: asyncio.Event | None = None
    ) -> None:
        """Bills chunks until `stop` is set; the chunk in hand is finished first."""
        backoff = Backoff()
        try:
            while not stop.is_set():
                try:
                    await self._bill_next(idle_interval)
                except TimeoutError:
                    continue
                except Exception as error:
                    self._log.warning("billing chunk not taken", error=repr(error))
                    await self.close()
                    await _pause(backoff.next_delay(), stop)
                else:
                    backoff.reset()
        finally:
            await self.close()

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and not client.is_closed:
            await client.close()

    async def _bill_next(self, wait: float) -> None:
        assert self.bill is not None, "a queue that only hands out bills nothing"
        js = await self._jetstream()
        subscription = await js.pull_subscribe(
            self.subject, durable=DURABLE, stream=self.stream, config=self._consumer_config()
        )
        for message in await subscription.fetch(1, timeout=wait):
            chunk = BillingChunk.decode(message.data)
            try:
                await asyncio.to_thread(self.bill, chunk)
            except Exception:
                await message.nak(delay=1.0)
                raise
            await message.ack()

    async def _jetstream(self) -> JetStreamContext:
        if self._client is None or self._client.is_closed:
            self._client = await nats.connect(
                self.servers, name="o2c-billing-chunks", connect_timeout=2
            )
            await self._ensure_stream(self._client.jetstream(timeout=5))
        return self._client.jetstream(timeout=5)

    async def _ensure_stream(self, js: JetStreamContext) -> None:
        """The stream and its one durable consumer, which every replica pulls from."""
        try:
            await js.stream_info(self.stream)
        except NotFoundError:
            await js.add_stream(
                StreamConfig(
                    name=self.stream,
                    subjects=[self.subject],
                    retention=RetentionPolicy.WORK_QUEUE,
                    storage=StorageType.FILE,
                    num_replicas=self.replicas,
                    duplicate_window=600.0,
                )
            )
        await js.add_consumer(self.stream, self._consumer_config())

    def _consumer_config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=DURABLE,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.ack_wait,
            max_deliver=20,
        )


async def _pause(seconds: float, stop: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
