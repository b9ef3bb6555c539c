"""Publishes the outbox to JetStream with many acks in flight; a row stays pending until acked."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence

import nats
import structlog
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import PubAck, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from adapters.messaging.backoff import Backoff
from adapters.messaging.headers import MSG_ID
from adapters.messaging.relay_state import RelayState
from adapters.messaging.relay_thread import RelayThread
from adapters.messaging.subjects import covers, overlap
from adapters.outbox import OutboxMessage, OutboxStore

__all__ = [
    "MSG_ID",
    "BrokerUnavailable",
    "OutboxRelay",
    "PublishFailed",
    "RelayError",
    "RelayThread",
    "StreamSubjectsOverlap",
]

DUPLICATE_WINDOW_SECONDS = 600.0
SUBJECTS_OVERLAP = 10065  # JetStream's error code for subjects another stream already takes


class RelayError(RuntimeError):
    """Nothing is lost: what was not acknowledged stays pending for the next attempt."""

    reason = "RELAY_ERROR"
    misconfigured = False


class BrokerUnavailable(RelayError):
    reason = "BROKER_UNAVAILABLE"


class PublishFailed(RelayError):
    """Some messages of a batch were not acknowledged (the others were marked published)."""

    reason = "PUBLISH_FAILED"

    def __init__(self, published: int, failed: int, cause: BaseException) -> None:
        super().__init__(f"{failed} message(s) not acknowledged ({published} were): {cause!r}")
        self.published = published
        self.failed = failed


class StreamSubjectsOverlap(RelayError):
    """Another stream takes some of our subjects: no retry helps until someone changes config."""

    reason = "STREAM_SUBJECTS_OVERLAP"
    misconfigured = True

    def __init__(self, stream: str, subjects: Sequence[str], others: dict[str, list[str]]) -> None:
        super().__init__(_overlap_message(stream, subjects, others))
        self.stream = stream
        self.others = others


def _overlap_message(stream: str, subjects: Sequence[str], others: dict[str, list[str]]) -> str:
    taken = "; ".join(f"stream {name} takes {', '.join(its)}" for name, its in others.items())
    other = next(iter(others), "<the other stream>")
    return (
        f"stream {stream} cannot take subjects {', '.join(subjects)}: "
        f"{taken or 'another stream takes subjects that overlap them'}. "
        f"Fix one of: set O2C_STREAM={other} to publish into that stream; "
        "or set O2C_SUBJECT_PREFIX to a prefix no stream takes; "
        f"or remove the overlapping subjects from stream {other} (nats stream edit/rm {other})"
    )


class OutboxRelay:
    """Owns one NATS connection, made on first use inside the event loop that runs the relay."""

    def __init__(
        self,
        store: OutboxStore,
        nats_url: str,
        stream: str = "O2C",
        subjects: Sequence[str] = ("o2c.v1.>",),
        batch_size: int = 500,
        *,
        ack_timeout: float = 5.0,
        connect_timeout: float = 2.0,
        duplicate_window: float = DUPLICATE_WINDOW_SECONDS,
        max_retry_delay: float = 15.0,
        replicas: int = 1,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.store = store
        self.servers = [url.strip() for url in nats_url.split(",")]
        self.stream = stream
        self.subjects = tuple(subjects)
        self.batch_size = batch_size
        self.ack_timeout = ack_timeout
        self.connect_timeout = connect_timeout
        self.duplicate_window = duplicate_window
        self.max_retry_delay = max_retry_delay
        self.replicas = replicas
        self.state = RelayState()
        self._now = now
        self._client: Client | None = None
        self._stream_ready = False
        self._last_logged_failure: tuple[str, str] | None = None
        self._log = structlog.get_logger("o2c.relay").bind(stream=stream)

    async def ensure_stream(self) -> None:
        js = (await self._connected()).jetstream(timeout=self.ack_timeout)
        try:
            info = await js.stream_info(self.stream)
        except NotFoundError:
            await self._unless_overlapping(js, js.add_stream(self._stream_config()))
            self._log.info("stream created", subjects=self.subjects)
        else:
            await self._add_missing_subjects(js, info.config)
        self._stream_ready = True

    async def publish_pending(self) -> int:
        js = await self._jetstream()
        messages = await asyncio.to_thread(self.store.pending, self.batch_size)
        if not messages:
            self.state = self.state.idle()
            return 0
        acks = await asyncio.gather(
            *(self._publish_one(js, message) for message in messages), return_exceptions=True
        )
        outcomes = list(zip(messages, acks, strict=True))
        acked = [message.event_id for message, ack in outcomes if isinstance(ack, PubAck)]
        await asyncio.to_thread(self.store.mark_published, acked)  # also ends a replica's claim
        if acked:
            self.state = self.state.published(self._now())
        failures = [ack for ack in acks if not isinstance(ack, PubAck)]
        if failures:
            self._stream_ready = False  # it may have been deleted: look again next time
            raise PublishFailed(len(acked), len(failures), failures[0])
        return len(acked)

    async def run(
        self, stop: asyncio.Event, idle_interval: float = 1.0, wake: asyncio.Event | None = None
    ) -> None:
        """Publishes until `stop` is set; the batch in flight when it is set is finished first."""
        backoff = Backoff(max_delay=self.max_retry_delay)
        self._log.info("outbox relay started", servers=self.servers)
        try:
            while not stop.is_set():
                delay = await self._cycle(backoff, idle_interval)
                await _pause(delay, stop, wake)
        finally:
            await self.close()
            self._log.info("outbox relay stopped")

    async def problem(self) -> RelayError | None:
        """What would stop publishing, found without changing the broker: no broker, or
        subjects another stream takes."""
        try:
            js = (await self._connected()).jetstream(timeout=self.ack_timeout)
            takers = await self._takers(js, self.subjects)
        except RelayError as error:
            return error
        finally:
            await self.close()
        return StreamSubjectsOverlap(self.stream, self.subjects, takers) if takers else None

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and not client.is_closed:
            await client.close()

    async def _cycle(self, backoff: Backoff, idle_interval: float) -> float:
        try:
            published = await self.publish_pending()
        except Exception as error:
            delay = backoff.next_delay()
            self._record_failure(error, delay)
            return delay
        backoff.reset()
        self._record_recovery()
        if published:
            self._log.debug("outbox published", count=published)
        return 0.0 if published >= self.batch_size else idle_interval

    def _record_failure(self, error: Exception, retry_in: float) -> None:
        """Logs a failure when it changes, not on every retry: the state keeps the latest."""
        reason = getattr(error, "reason", "UNEXPECTED_ERROR")
        misconfigured = getattr(error, "misconfigured", False)
        message = str(error) or repr(error)
        self.state = self.state.failed(reason, message, misconfigured, self._now())
        failure = (reason, message if misconfigured else "")
        if failure == self._last_logged_failure:
            self._log.debug("outbox still not published", reason=reason, error=message)
            return
        log = self._log.error if misconfigured else self._log.warning
        log("outbox not published", reason=reason, error=message, retry_in=round(retry_in, 2))
        self._last_logged_failure = failure

    def _record_recovery(self) -> None:
        if self._last_logged_failure is not None:
            self._log.info("outbox publishing again", after=self._last_logged_failure[0])
            self._last_logged_failure = None

    async def _publish_one(self, js: JetStreamContext, message: OutboxMessage) -> PubAck:
        return await js.publish(
            message.subject,
            message.payload,
            timeout=self.ack_timeout,
            stream=self.stream,
            headers={**message.headers, MSG_ID: message.event_id},
        )

    async def _jetstream(self) -> JetStreamContext:
        client = await self._connected()
        if not self._stream_ready:
            await self.ensure_stream()
        return client.jetstream(timeout=self.ack_timeout)

    async def _connected(self) -> Client:
        if self._client is None or self._client.is_closed:
            self._stream_ready = False
            self._client = await self._connect()
        return self._client

    async def _connect(self) -> Client:
        # The relay reconnects itself, with its own backoff: while the broker is down the
        # outbox table is the buffer, never the client's memory.
        try:
            return await nats.connect(
                self.servers,
                name="o2c-outbox-relay",
                allow_reconnect=False,
                max_reconnect_attempts=1,
                reconnect_time_wait=0.1,
                connect_timeout=self.connect_timeout,
                error_cb=self._on_client_error,
            )
        except (OSError, TimeoutError, NatsError) as error:
            raise BrokerUnavailable(
                f"cannot reach NATS at {self.servers}: {error!r}; events wait in the outbox. "
                "Fix: start NATS with JetStream there, or point O2C_NATS_URL at one (when it is "
                "empty, `o2c serve` starts its own: restart the server)"
            ) from error

    async def _on_client_error(self, error: Exception) -> None:
        self._log.debug("nats client error", error=repr(error))

    def _stream_config(self) -> StreamConfig:
        return StreamConfig(
            name=self.stream,
            subjects=list(self.subjects),
            storage=StorageType.FILE,
            duplicate_window=self.duplicate_window,
            num_replicas=self.replicas,
        )

    async def _add_missing_subjects(self, js: JetStreamContext, config: StreamConfig) -> None:
        present = list(config.subjects or [])
        missing = [s for s in self.subjects if not any(covers(p, s) for p in present)]
        if missing:
            update = js.update_stream(config.evolve(subjects=present + missing))
            await self._unless_overlapping(js, update, missing)
            self._log.info("stream subjects added", subjects=missing)
        if (config.duplicate_window or 0) < self.duplicate_window:
            self._log.warning(
                "stream keeps a shorter duplicate window than the relay expects",
                duplicate_window=config.duplicate_window,
            )

    async def _unless_overlapping(
        self, js: JetStreamContext, change: Awaitable[object], subjects: Sequence[str] = ()
    ) -> None:
        """Runs `change`; JetStream's bare 400 for taken subjects becomes an error an operator
        can act on: which stream takes which subjects, and what to change."""
        wanted = tuple(subjects) or self.subjects
        try:
            await change
        except BadRequestError as error:
            if error.err_code != SUBJECTS_OVERLAP:
                raise
            raise StreamSubjectsOverlap(
                self.stream, wanted, await self._takers(js, wanted)
            ) from error

    async def _takers(self, js: JetStreamContext, subjects: Sequence[str]) -> dict[str, list[str]]:
        """Each other stream whose subjects overlap `subjects`, with those subjects."""
        takers: dict[str, list[str]] = {}
        for info in await js.streams_info():
            if info.config.name == self.stream:
                continue
            theirs = [t for t in info.config.subjects or [] if any(overlap(t, s) for s in subjects)]
            if theirs:
                takers[str(info.config.name)] = theirs
        return takers


async def _pause(seconds: float, stop: asyncio.Event, wake: asyncio.Event | None) -> None:
    """Sleeps `seconds`, cut short by `stop` or by `wake` (which it then clears)."""
    if seconds <= 0:
        return
    waiters = [asyncio.create_task(event.wait()) for event in (stop, wake) if event is not None]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    if wake is not None:
        wake.clear()
