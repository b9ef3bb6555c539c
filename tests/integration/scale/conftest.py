"""One PostgreSQL database shared by several replicas, as a scaled-out o2c runs on."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from integration.messaging.broker import StreamUnderTest
from sqlalchemy import Engine
from support.databases import postgres_engine

from adapters.persistence.outbox_claims import ClaimingOutboxStore


@pytest.fixture(name="shared_postgres")
def shared_postgres_fixture() -> Iterator[Engine]:
    yield from postgres_engine()


@pytest.fixture
def stream(nats_url: str) -> Iterator[StreamUnderTest]:
    under_test = StreamUnderTest.unique(nats_url)
    yield under_test
    under_test.delete()


@pytest.fixture
def replica_outbox(shared_postgres: Engine) -> Iterator[Callable[[], ClaimingOutboxStore]]:
    """Each call: the outbox as one more replica's relay sees it; claims end with the test."""
    stores: list[ClaimingOutboxStore] = []

    def another() -> ClaimingOutboxStore:
        stores.append(ClaimingOutboxStore(shared_postgres))
        return stores[-1]

    yield another
    for store in stores:
        store.release()
