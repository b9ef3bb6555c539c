"""The server's saga worker finishes what a dead process left, with no client retrying."""

from __future__ import annotations

import grpc
import pytest
from support.auth import as_rightful_callers
from support.builders import closed_won
from support.faults import Fuse, ProcessDied, fused
from support.nats import embedded_or_missing
from support.service import running_service
from support.waiting import eventually

from application.create_engagement import create_service_engagement
from domain.errors import RequestInProgress
from o2c.v1 import engagement_pb2, engagement_pb2_grpc


def status_of(port: int, opportunity_id: str) -> int:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as plain:
        channel = as_rightful_callers(plain)
        stub = engagement_pb2_grpc.EngagementServiceStub(channel)
        request = engagement_pb2.GetServiceEngagementRequest(opportunity_id=opportunity_id)
        return stub.GetServiceEngagement(request).engagement.status


@pytest.mark.nats
def test_a_saga_whose_process_died_is_finished_by_the_servers_worker(tmp_path):
    broker = embedded_or_missing(tmp_path / "nats", "the service needs a broker")
    settings = {"O2C_SAGA_LEASE_SECONDS": "1", "O2C_SAGA_SWEEP_SECONDS": "0.1"}
    try:
        with running_service(f"sqlite:///{tmp_path / 'o2c.db'}", broker.url, **settings) as service:
            ports = service.container.provisioning()
            with pytest.raises(ProcessDied):  # another process, killed mid-saga
                create_service_engagement(
                    closed_won(), fused(ports, Fuse(where="after create_project"))
                )
            with pytest.raises(RequestInProgress):
                create_service_engagement(closed_won(), ports)

            active = engagement_pb2.ENGAGEMENT_STATUS_ACTIVE
            assert eventually(lambda: status_of(service.port, "006-ACME-1") == active, timeout=15)
            assert create_service_engagement(closed_won(), ports)
    finally:
        broker.stop()
