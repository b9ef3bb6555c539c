"""Reads published events back from the stream, for the demo and tests: a one-off pull consumer."""

from __future__ import annotations

from typing import NamedTuple

import nats
from google.protobuf.message import Message
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from adapters.messaging.event_codec import SUBJECT_PREFIX, decode, subjects_under
from adapters.messaging.headers import MSG_ID

FETCH_BATCH = 500


class ReceivedEvent(NamedTuple):
    subject: str
    msg_id: str
    message: Message


async def read_events(
    nats_url: str,
    stream: str = "O2C",
    subject_filter: str = "",
    *,
    after_seq: int = 0,
    timeout: float = 5.0,
    prefix: str = SUBJECT_PREFIX,
) -> list[ReceivedEvent]:
    """Every event on `subject_filter` (default: all under `prefix`) stored after stream
    sequence `after_seq` (0: all of them); none while the relay has not created the stream."""
    subjects = subject_filter or subjects_under(prefix)
    raw = await read_messages(nats_url, stream, subjects, after_seq=after_seq, timeout=timeout)
    return [_received(message, prefix) for message in raw]


async def read_messages(
    nats_url: str, stream: str, subject_filter: str, *, after_seq: int = 0, timeout: float = 5.0
) -> list[Msg]:
    """The raw messages, headers and all, that `read_events` decodes."""
    client = await nats.connect(nats_url, allow_reconnect=False, max_reconnect_attempts=1)
    try:
        return await _fetch_all(
            client.jetstream(timeout=timeout), stream, subject_filter, after_seq
        )
    except NotFoundError:
        return []
    finally:
        await client.close()


async def _fetch_all(
    js: JetStreamContext, stream: str, subject_filter: str, after_seq: int
) -> list[Msg]:
    subscription = await js.pull_subscribe(
        subject_filter, stream=stream, config=_one_off_consumer(after_seq)
    )
    remaining = (await subscription.consumer_info()).num_pending or 0
    fetched: list[Msg] = []
    while remaining > 0:
        batch = await subscription.fetch(min(remaining, FETCH_BATCH))
        fetched.extend(batch)
        remaining = batch[-1].metadata.num_pending
    await subscription.unsubscribe()
    return fetched


def _one_off_consumer(after_seq: int) -> ConsumerConfig:
    start = (
        {"deliver_policy": DeliverPolicy.BY_START_SEQUENCE, "opt_start_seq": after_seq + 1}
        if after_seq
        else {"deliver_policy": DeliverPolicy.ALL}
    )
    return ConsumerConfig(ack_policy=AckPolicy.NONE, inactive_threshold=30.0, **start)


def _received(message: Msg, prefix: str) -> ReceivedEvent:
    msg_id = (message.headers or {}).get(MSG_ID, "")
    return ReceivedEvent(message.subject, msg_id, decode(message.subject, message.data, prefix))
