from __future__ import annotations

import grpc
import pytest
from support.auth import call_metadata, trusting_test_tokens
from support.requests import time_entry
from unit.fakes import FakeClock, FakeCrm, FakeErp, FakePsa, SequentialIds

from application.approve_billable_event import BillingPorts
from application.create_engagement import ProvisioningPorts
from domain.ownership import OwnershipMatrix
from entrypoints.grpc.server import create_server
from o2c.v1 import billing_pb2_grpc


def database_down():
    raise RuntimeError("connection to server at 10.0.0.5 failed: password authentication failed")


@pytest.fixture
def broken_server():
    erp = FakeErp({})
    provisioning = ProvisioningPorts(
        database_down, erp, erp, FakePsa(), FakeCrm(), FakeClock(), SequentialIds()
    )
    billing = BillingPorts(database_down, FakeClock(), SequentialIds(), OwnershipMatrix.default())
    server, port = create_server(
        "127.0.0.1:0", provisioning, billing, authentication=trusting_test_tokens()
    )
    server.start()
    yield port
    server.stop(0)


def test_an_unexpected_failure_reaches_the_caller_as_internal_without_its_details(broken_server):
    request = time_entry("K1", "e-1")
    with (
        grpc.insecure_channel(f"127.0.0.1:{broken_server}") as channel,
        pytest.raises(grpc.RpcError) as caught,
    ):
        billing_pb2_grpc.BillingServiceStub(channel).ApproveBillableEvent(
            request, metadata=call_metadata("psa")
        )
    assert caught.value.code() is grpc.StatusCode.INTERNAL
    assert caught.value.details().startswith("internal error (reference ")
    assert "password" not in caught.value.details()
    assert "Traceback" not in caught.value.details()
