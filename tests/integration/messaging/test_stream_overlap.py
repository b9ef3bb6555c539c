from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from adapters.messaging.relay import OutboxRelay, RelayThread, StreamSubjectsOverlap
from adapters.messaging.subjects import covers, overlap

from .broker import StreamUnderTest, eventually
from .builders import one_of_each_kind, staged_time
from .memory_outbox import InMemoryOutbox


async def publish_once(relay: OutboxRelay) -> int:
    try:
        return await relay.publish_pending()
    finally:
        await relay.close()


def test_a_stream_whose_subjects_another_stream_takes_is_refused_with_the_other_stream_and_the_fix(
    stream: StreamUnderTest, other_stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    other_stream.create(f"{stream.root}.>")
    outbox.add(*(stream.encode(event) for event in one_of_each_kind()))

    with pytest.raises(StreamSubjectsOverlap) as refused:
        asyncio.run(publish_once(stream.relay(outbox, subjects=(f"{stream.prefix}.>",))))

    message = str(refused.value)
    assert f"stream {stream.name} cannot take subjects {stream.prefix}.>" in message
    assert f"stream {other_stream.name} takes {stream.root}.>" in message
    assert f"O2C_STREAM={other_stream.name}" in message
    assert "O2C_SUBJECT_PREFIX" in message
    assert len(outbox.unpublished) == 4
    assert not stream.exists()


def test_subjects_added_to_an_existing_stream_that_another_stream_takes_are_refused_by_name(
    stream: StreamUnderTest, other_stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    stream.create(f"{stream.root}.mine.>")
    other_stream.create(f"{stream.root}.theirs.>")
    relay = stream.relay(outbox, subjects=(f"{stream.root}.mine.>", f"{stream.root}.theirs.v1"))

    with pytest.raises(StreamSubjectsOverlap, match=f"stream {other_stream.name} takes"):
        asyncio.run(publish_once(relay))


def test_pointing_the_relay_at_the_stream_that_takes_its_subjects_publishes_into_it(
    stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    stream.create(f"{stream.root}.>")
    outbox.add(stream.encode(staged_time()))

    asyncio.run(publish_once(stream.relay(outbox, subjects=(f"{stream.prefix}.>",))))

    assert outbox.unpublished == []
    assert stream.message_count() == 1


def test_the_running_relay_logs_an_overlap_once_reports_it_and_recovers_once_it_is_fixed(
    stream: StreamUnderTest, other_stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    other_stream.create(f"{stream.root}.>")
    outbox.add(stream.encode(staged_time()))
    relay = stream.relay(outbox, max_retry_delay=0.02)
    thread = RelayThread(relay, idle_interval=0.02)

    with capture_logs() as logs:
        thread.start()
        assert eventually(lambda: relay.state.reason == "STREAM_SUBJECTS_OVERLAP")
        assert eventually(lambda: len(entries(logs, "outbox still not published")) >= 10)
        assert relay.state.misconfigured
        assert other_stream.name in relay.state.error
        other_stream.delete()
        assert eventually(lambda: not outbox.unpublished)
        assert thread.stop(timeout=5)

    logged = entries(logs, "outbox not published")
    retries = entries(logs, "outbox still not published")
    assert (logged[0]["log_level"], logged[0]["reason"]) == ("error", "STREAM_SUBJECTS_OVERLAP")
    assert f"O2C_STREAM={other_stream.name}" in str(logged[0]["error"])
    # Once per change of reason, not once per attempt: a loaded machine may add a brief broker
    # hiccup (another reason, then the overlap again), never one entry per retry.
    assert len(logged) <= 3 < len(retries)
    assert len(entries(logs, "outbox publishing again")) == 1
    assert not relay.state.failing
    assert relay.state.last_published_at is not None


def entries(logs: list[dict[str, object]], event: str) -> list[dict[str, object]]:
    return [entry for entry in list(logs) if entry["event"] == event]


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("o2c.>", "o2c.v1.>", True),
        ("o2c.v1.>", "o2c.v1.billing.staged", True),
        ("o2c.*.billing", "o2c.v1.>", True),
        ("o2c.v1.>", "o2c.v2.>", False),
        ("o2c.v1", "o2c.v1.>", False),
        ("o2c.v1.a", "o2c.v1.a", True),
        ("o2c.*", "o2c.v1.a", False),
    ],
)
def test_two_subject_patterns_overlap_when_one_subject_matches_both(first, second, expected):
    assert overlap(first, second) is expected
    assert overlap(second, first) is expected


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("o2c.>", "o2c.v1.>", True),
        ("o2c.v1.>", "o2c.>", False),
        ("o2c.*.a", "o2c.v1.a", True),
        ("o2c.*", "o2c.>", False),
        ("o2c.>", "o2c", False),
        ("o2c.v1.a", "o2c.v1.a", True),
    ],
)
def test_a_pattern_covers_another_when_it_matches_every_subject_the_other_does(
    pattern, subject, expected
):
    assert covers(pattern, subject) is expected
