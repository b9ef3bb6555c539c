from __future__ import annotations

import uuid
from collections.abc import Iterator

import grpc
import pytest
from support.auth import as_rightful_callers
from support.databases import BACKENDS
from support.service import service_on

from entrypoints.runtime import Runtime
from o2c.v1 import audit_pb2_grpc, billing_pb2_grpc, engagement_pb2_grpc


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, nats_url: str) -> Iterator[Runtime]:
    yield from service_on("sqlite", tmp_path_factory.mktemp("o2c"), nats_url)


@pytest.fixture(scope="module", params=BACKENDS)
def service_on_each_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, nats_url: str
) -> Iterator[Runtime]:
    """The service on SQLite, then on PostgreSQL: for answers that must not depend on it."""
    yield from service_on(request.param, tmp_path_factory.mktemp("o2c"), nats_url)


@pytest.fixture
def channel(service: Runtime) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{service.port}") as channel:
        yield as_rightful_callers(channel)


@pytest.fixture
def channel_on_each_database(service_on_each_database: Runtime) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{service_on_each_database.port}") as channel:
        yield as_rightful_callers(channel)


@pytest.fixture
def run_key() -> str:
    return uuid.uuid4().hex[:8].upper()


@pytest.fixture
def engagements(channel: grpc.Channel) -> engagement_pb2_grpc.EngagementServiceStub:
    return engagement_pb2_grpc.EngagementServiceStub(channel)


@pytest.fixture
def billing(channel: grpc.Channel) -> billing_pb2_grpc.BillingServiceStub:
    return billing_pb2_grpc.BillingServiceStub(channel)


@pytest.fixture
def audit(channel: grpc.Channel) -> audit_pb2_grpc.AuditServiceStub:
    return audit_pb2_grpc.AuditServiceStub(channel)
