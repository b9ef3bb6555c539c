"""Faults seen from a caller: the broker down, the database's connections dropped."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import grpc
import pytest
from sqlalchemy import text
from support.auth import as_rightful_callers
from support.databases import postgres_schema_url, url_with
from support.nats import embedded_or_missing
from support.requests import closed_won, time_entry
from support.service import running_service
from support.waiting import eventually

from adapters.messaging.subscriber import read_events
from adapters.persistence.engine import create_engine_for
from entrypoints.runtime import Runtime
from o2c.v1 import billing_pb2_grpc, engagement_pb2, engagement_pb2_grpc


def events_on(service: Runtime, engagement_id: str) -> set[str]:
    """The event types published for `engagement_id`, as subjects without the prefix."""
    values = service.values
    prefix = values["O2C_SUBJECT_PREFIX"]
    events = asyncio.run(read_events(values["O2C_NATS_URL"], values["O2C_STREAM"], prefix=prefix))
    return {
        e.subject.removeprefix(prefix + ".")
        for e in events
        if getattr(e.message, "engagement_id", "") == engagement_id
    }


@pytest.mark.nats
def test_with_the_broker_down_calls_succeed_and_no_event_is_lost(tmp_path):
    broker = embedded_or_missing(tmp_path / "nats", "the test stops its own broker")
    try:
        with running_service(f"sqlite:///{tmp_path / 'o2c.db'}", broker.url) as service:
            broker.stop()
            engagement = engagement_with_approved_time(service.port)
            assert engagement.status == engagement_pb2.ENGAGEMENT_STATUS_ACTIVE
            broker.start()
            wanted = {
                "engagement.activated",
                "billing.billable_event_rated",
                "billing.billable_event_staged",
            }
            assert eventually(
                lambda: events_on(service, engagement.engagement_id) == wanted, timeout=30
            )
    finally:
        broker.stop()


def engagement_with_approved_time(port: int) -> engagement_pb2.ServiceEngagement:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as plain:
        channel = as_rightful_callers(plain)
        key = uuid.uuid4().hex[:8]
        engagement = (
            engagement_pb2_grpc.EngagementServiceStub(channel)
            .CreateServiceEngagement(closed_won(key))
            .engagement
        )
        billing_pb2_grpc.BillingServiceStub(channel).ApproveBillableEvent(
            time_entry(key, engagement.engagement_id)
        )
    return engagement


@pytest.fixture
def postgres_url() -> Iterator[str]:
    for url in postgres_schema_url():
        yield url_with(url, application_name=f"o2c_fault_{uuid.uuid4().hex[:8]}")


def drop_connections(url: str) -> int:
    name = url.split("application_name=")[1].split("&")[0]
    admin = create_engine_for(url.split("?")[0])
    with admin.begin() as connection:
        dropped = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name"
            ),
            {"name": name},
        ).scalar_one()
    admin.dispose()
    return int(dropped)


@pytest.mark.postgres
def test_calls_succeed_after_the_database_dropped_every_connection(postgres_url, nats_url):
    with (
        running_service(postgres_url, nats_url) as service,
        grpc.insecure_channel(f"127.0.0.1:{service.port}") as channel,
    ):
        engagements = engagement_pb2_grpc.EngagementServiceStub(as_rightful_callers(channel))
        first = engagements.CreateServiceEngagement(closed_won(uuid.uuid4().hex[:8]))
        assert drop_connections(postgres_url) > 0
        second = engagements.CreateServiceEngagement(closed_won(uuid.uuid4().hex[:8]))
    assert (
        first.engagement.status
        == second.engagement.status
        == (engagement_pb2.ENGAGEMENT_STATUS_ACTIVE)
    )
