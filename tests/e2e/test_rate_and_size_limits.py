"""Rate and size limits of a real server configured tight: a principal past its burst gets
RESOURCE_EXHAUSTED with RetryInfo while another principal is served; a request one byte over
O2C_GRPC_MAX_MESSAGE_BYTES gets RESOURCE_EXHAUSTED, and one at or under the limit is read."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from google.rpc import error_details_pb2
from support.auth import call_metadata
from support.databases import sqlite_url
from support.requests import closed_won
from support.service import running_service
from support.statuses import refusal_of

from entrypoints.runtime import Runtime
from o2c.v1 import audit_pb2, audit_pb2_grpc, engagement_pb2, engagement_pb2_grpc

BURST = 3
MAX_MESSAGE_BYTES = 2048


@pytest.fixture(scope="module")
def tight_service(tmp_path_factory, nats_url) -> Iterator[Runtime]:
    with running_service(
        sqlite_url(tmp_path_factory.mktemp("tight")),
        nats_url,
        O2C_RATE_LIMIT_PER_SECOND="0.2",
        O2C_RATE_LIMIT_BURST=str(BURST),
        O2C_GRPC_MAX_MESSAGE_BYTES=str(MAX_MESSAGE_BYTES),
    ) as runtime:
        yield runtime


@pytest.fixture
def channel(tight_service) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{tight_service.port}") as channel:
        yield channel


@pytest.fixture
def engagements(channel):
    return engagement_pb2_grpc.EngagementServiceStub(channel)


def lookup(engagements, caller) -> grpc.StatusCode:
    request = engagement_pb2.GetServiceEngagementRequest(engagement_id="eng-unknown")
    try:
        engagements.GetServiceEngagement(request, metadata=caller)
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def test_a_principal_past_its_burst_is_told_to_wait_and_another_is_served(engagements, run_key):
    erp = call_metadata("erp", subject=f"erp-{run_key}")
    assert [lookup(engagements, erp) for _ in range(BURST)] == [grpc.StatusCode.NOT_FOUND] * BURST

    refused = refusal_of(
        lambda: engagements.GetServiceEngagement(
            engagement_pb2.GetServiceEngagementRequest(engagement_id="eng-unknown"), metadata=erp
        )
    )
    delay = refused.detail(error_details_pb2.RetryInfo).retry_delay
    assert (refused.code, refused.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED")
    assert 0 < delay.seconds + delay.nanos / 1e9 <= 5
    other = call_metadata("erp", subject=f"erp-other-{run_key}")
    assert lookup(engagements, other) == grpc.StatusCode.NOT_FOUND


def test_a_rate_limited_change_is_in_the_audit_as_rate_limited(tight_service, channel, run_key):
    crm = call_metadata("crm", subject=f"crm-{run_key}")
    engagements = engagement_pb2_grpc.EngagementServiceStub(channel)
    codes = []
    for attempt in range(BURST + 1):
        request = closed_won(f"{run_key}{attempt}")
        codes.append(
            refusal_or_ok(lambda r=request: engagements.CreateServiceEngagement(r, metadata=crm))
        )

    listing = audit_pb2.ListCallRecordsRequest(subject=f"crm-{run_key}", reason="RATE_LIMITED")
    audit = audit_pb2_grpc.AuditServiceStub(channel)
    found = audit.ListCallRecords(
        listing, metadata=call_metadata("operations", subject=f"ops-{run_key}")
    )
    assert codes[-1] == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert [(r.code, r.business_key) for r in found.call_records] == [
        ("RESOURCE_EXHAUSTED", f"006-{run_key}{BURST}-US01")
    ]


def refusal_or_ok(call) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def padded_to(size: int, run_key: str) -> engagement_pb2.CreateServiceEngagementRequest:
    """A request of exactly `size` bytes on the wire, padded in a field the handler checks."""
    request = closed_won(run_key)
    for length in range(size):
        request.opportunity.account_name = "n" * length
        if request.ByteSize() == size:
            return request
    raise AssertionError(f"no padding makes a request of {size} bytes")


def test_a_request_one_byte_over_the_limit_is_resource_exhausted(engagements, run_key):
    crm = call_metadata("crm", subject=f"crm-over-{run_key}")
    request = padded_to(MAX_MESSAGE_BYTES + 1, run_key)
    refused = refusal_of(lambda: engagements.CreateServiceEngagement(request, metadata=crm))
    assert refused.code == grpc.StatusCode.RESOURCE_EXHAUSTED


@pytest.mark.parametrize("size", [MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES - 1])
def test_a_request_at_or_under_the_limit_is_read_and_checked(engagements, run_key, size):
    """Padded past its field's declared length, it is refused by name: proof it was read."""
    crm = call_metadata("crm", subject=f"crm-under-{size}-{run_key}")
    request = padded_to(size, run_key)
    refused = refusal_of(lambda: engagements.CreateServiceEngagement(request, metadata=crm))
    assert (refused.code, refused.field) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "opportunity.account_name",
    )


def test_calls_proving_no_principal_are_slowed_per_host_and_stop_filling_the_audit(
    engagements, channel, run_key
):
    request = closed_won(f"{run_key}-unproven")
    garbage = (("authorization", "Bearer garbage"),)
    codes = [
        refusal_or_ok(lambda: engagements.CreateServiceEngagement(request, metadata=garbage))
        for _ in range(BURST + 2)
    ]
    assert grpc.StatusCode.RESOURCE_EXHAUSTED in codes
    assert codes.count(grpc.StatusCode.UNAUTHENTICATED) <= BURST

    listing = audit_pb2.ListCallRecordsRequest(
        business_key=request.opportunity.opportunity_id, page_size=50
    )
    audit = audit_pb2_grpc.AuditServiceStub(channel)
    found = audit.ListCallRecords(listing, metadata=call_metadata("operations", subject=run_key))
    assert len(found.call_records) == codes.count(grpc.StatusCode.UNAUTHENTICATED)
