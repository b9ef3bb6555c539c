"""A real NATS server with JetStream: the shared one if it answers, else one started here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.nats import embedded_or_missing

from adapters.messaging.embedded_nats import EmbeddedNats

from .broker import StreamUnderTest
from .memory_outbox import InMemoryOutbox


@pytest.fixture
def stream(nats_url: str) -> Iterator[StreamUnderTest]:
    under_test = StreamUnderTest.unique(nats_url)
    yield under_test
    under_test.delete()


@pytest.fixture
def other_stream(stream: StreamUnderTest) -> Iterator[StreamUnderTest]:
    """Another stream on the same broker, named apart from `stream` but free to take its
    subjects."""
    other = StreamUnderTest(stream.url, stream.name + "_OTHER", stream.root)
    yield other
    other.delete()


@pytest.fixture
def outbox() -> InMemoryOutbox:
    return InMemoryOutbox()


@pytest.fixture
def embedded_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A broker of the test's own, to stop and restart."""
    with embedded_or_missing(tmp_path / "nats", "the test needs a broker it can stop") as server:
        yield server
