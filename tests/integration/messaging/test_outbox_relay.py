from __future__ import annotations

import asyncio

import pytest
from nats.js import JetStreamContext
from nats.js.api import PubAck

from adapters.messaging import headers
from adapters.messaging.relay import OutboxRelay, PublishFailed
from adapters.outbox import OutboxMessage

from .broker import StreamUnderTest
from .builders import one_of_each_kind, staged_time
from .memory_outbox import InMemoryOutbox


async def publish_until_drained(relay: OutboxRelay) -> list[int]:
    batches: list[int] = []
    try:
        while published := await relay.publish_pending():
            batches.append(published)
    finally:
        await relay.close()
    return batches


class AckCountingRelay(OutboxRelay):
    """Counts how many publishes await their ack at the same time."""

    in_flight = 0
    most_in_flight = 0

    async def _publish_one(self, js: JetStreamContext, message: OutboxMessage) -> PubAck:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await super()._publish_one(js, message)
        finally:
            self.in_flight -= 1


def test_the_relay_creates_its_stream_and_publishes_each_pending_event_once_under_its_id(
    stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    messages = [stream.encode(event) for event in one_of_each_kind()]
    outbox.add(*messages)
    assert not stream.exists()

    asyncio.run(publish_until_drained(stream.relay(outbox)))

    received = stream.read()
    assert [(r.subject, r.msg_id) for r in received] == [(m.subject, m.event_id) for m in messages]
    assert [r.message.envelope.event_id for r in received] == [m.event_id for m in messages]
    assert outbox.published == {m.event_id for m in messages}
    assert outbox.unpublished == []


def test_publishing_the_same_messages_again_adds_nothing_to_the_stream(
    stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    outbox.add(*(stream.encode(event) for event in one_of_each_kind()))
    asyncio.run(publish_until_drained(stream.relay(outbox)))
    crashed_before_marking = InMemoryOutbox(rows=dict(outbox.rows))

    asyncio.run(publish_until_drained(stream.relay(crashed_before_marking)))

    assert stream.message_count() == 4
    assert len(stream.read()) == 4
    assert crashed_before_marking.unpublished == []


def test_the_relay_adds_its_subjects_to_an_existing_stream_and_keeps_its_messages(
    stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    outbox.add(stream.encode(staged_time(1)))
    asyncio.run(publish_until_drained(stream.relay(outbox)))
    other_root = stream.root + "x"
    outbox.add(staged_time_on(other_root, 2))

    relay = OutboxRelay(outbox, stream.url, stream.name, (*stream.subjects, f"{other_root}.>"))
    asyncio.run(publish_until_drained(relay))

    assert stream.message_count() == 2
    assert outbox.unpublished == []


def test_many_messages_publish_in_a_few_batches_with_many_acks_in_flight(
    stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    outbox.add(*(stream.encode(staged_time(number)) for number in range(2000)))
    relay = AckCountingRelay(outbox, stream.url, stream.name, stream.subjects, batch_size=500)

    batches = asyncio.run(publish_until_drained(relay))

    assert batches == [500, 500, 500, 500]
    assert [len(marked) for marked in outbox.marked_batches] == [500, 500, 500, 500]
    assert relay.most_in_flight > 100
    assert stream.message_count() == 2000


def staged_time_on(root: str, number: int) -> OutboxMessage:
    event = staged_time(number)
    return OutboxMessage(event.event_id, f"{root}.v1.billing.billable_event_staged", b"")


def test_a_message_the_broker_refuses_stays_pending_while_the_rest_of_its_batch_is_marked(
    stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    taken = [stream.encode(staged_time(number)) for number in range(3)]
    refused = staged_time_on("nostream" + stream.root, 99)
    outbox.add(taken[0], refused, *taken[1:])

    with pytest.raises(PublishFailed) as failure:
        asyncio.run(publish_until_drained(stream.relay(outbox)))

    assert (failure.value.published, failure.value.failed) == (3, 1)
    assert outbox.unpublished == [refused]
    assert stream.message_count() == 3


def test_a_stream_deleted_under_the_relay_is_created_again_on_the_next_attempt(
    stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    async def publish_across_a_deleted_stream(relay: OutboxRelay) -> None:
        try:
            await relay.publish_pending()
            await asyncio.to_thread(stream.delete)
            outbox.add(stream.encode(staged_time(2)))
            with pytest.raises(PublishFailed):
                await relay.publish_pending()
            await relay.publish_pending()
        finally:
            await relay.close()

    outbox.add(stream.encode(staged_time(1)))

    asyncio.run(publish_across_a_deleted_stream(stream.relay(outbox)))

    assert outbox.unpublished == []
    assert [r.message.billable_event_id for r in stream.read()] == ["BE-2"]


def test_reading_a_stream_the_relay_has_not_created_yet_finds_no_events(stream):
    assert stream.read() == []


def test_each_event_reaches_the_stream_with_its_envelope_in_the_headers(
    stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    messages = [stream.encode(staged_time(number), sequence=number) for number in (1, 2)]
    outbox.add(*messages)

    asyncio.run(publish_until_drained(stream.relay(outbox)))

    received = stream.headers()
    assert received == [dict(message.headers) for message in messages]
    assert [h[headers.AGGREGATE_SEQUENCE] for h in received] == ["1", "2"]
    assert {h[headers.EVENT_TYPE] for h in received} == {"o2c.v1.BillableEventStaged"}


def test_a_row_written_before_the_envelope_still_publishes_under_its_event_id(
    stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    encoded = stream.encode(staged_time())
    outbox.add(OutboxMessage(encoded.event_id, encoded.subject, encoded.payload))

    asyncio.run(publish_until_drained(stream.relay(outbox)))

    assert stream.headers() == [{headers.MSG_ID: encoded.event_id}]
