"""Domain errors as gRPC statuses: the right details for each code, and bounded echoes."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2
from support.statuses import details_of

from domain import errors
from entrypoints.grpc.errors import to_status

HUGE_ID = "E" * 100_000


def rpc_status_of(error: errors.DomainError) -> tuple[grpc.Status, status_pb2.Status]:
    status = to_status(error)
    [(_, binary)] = status.trailing_metadata
    return status, status_pb2.Status.FromString(binary)


def details_by_kind(error: errors.DomainError) -> dict[type, Any]:
    return {type(detail): detail for detail in details_of(rpc_status_of(error)[1])}


def test_an_invalid_field_carries_bad_request_and_error_info():
    details = details_by_kind(
        errors.InvalidField("hours must be positive", field="time_entry.hours")
    )
    [violation] = details[error_details_pb2.BadRequest].field_violations
    assert (violation.field, violation.description) == (
        "time_entry.hours",
        "hours must be positive",
    )
    info = details[error_details_pb2.ErrorInfo]
    assert (info.reason, info.domain) == ("INVALID_FIELD", "o2c.v1")


@pytest.mark.parametrize(
    "error",
    [
        errors.NotFound("engagement 'x' not found", field="engagement_id"),
        errors.OwnershipViolation("the CRM may not approve time", field="source_system"),
        errors.RequestIdReused("request_id was used for another request", field="request_id"),
        errors.RequestInProgress("request 'r' is in progress", field="request_id"),
    ],
)
def test_bad_request_goes_only_with_invalid_argument(error):
    details = details_by_kind(error)
    assert error_details_pb2.BadRequest not in details
    assert details[error_details_pb2.ErrorInfo].metadata["field"] == error.field


@pytest.mark.parametrize(
    "error",
    [
        errors.RequestInProgress("request 'r' is in progress", field="request_id"),
        errors.ConcurrentUpdate("engagement 'e' changed meanwhile"),
    ],
)
def test_aborted_tells_the_caller_when_to_retry(error):
    status, _ = rpc_status_of(error)
    assert status.code is grpc.StatusCode.ABORTED
    assert details_by_kind(error)[error_details_pb2.RetryInfo].retry_delay.seconds == 1


def test_a_database_that_does_not_answer_is_unavailable_and_tells_when_to_retry():
    error = errors.StorageUnavailable("the database is not answering", keys={"cause": "X"})
    status, _ = rpc_status_of(error)
    assert status.code is grpc.StatusCode.UNAVAILABLE
    details = details_by_kind(error)
    assert details[error_details_pb2.RetryInfo].retry_delay.seconds == 1
    assert details[error_details_pb2.ErrorInfo].reason == "STORAGE_UNAVAILABLE"
    assert error_details_pb2.BadRequest not in details


def test_an_unknown_id_of_100000_characters_is_quoted_as_a_short_prefix_only():
    error = errors.NotFound(
        f"engagement {HUGE_ID!r} not found", field="engagement_id", keys={"engagement_id": HUGE_ID}
    )
    status, wire = rpc_status_of(error)
    assert status.code is grpc.StatusCode.NOT_FOUND
    assert wire.ByteSize() < 1024
    assert "E" * 65 not in status.details
    assert status.details.startswith("engagement 'EEEE")
    info = details_by_kind(error)[error_details_pb2.ErrorInfo]
    assert "E" * 65 not in info.metadata["engagement_id"]


def test_a_long_description_is_capped_whatever_it_quotes():
    error = errors.InvalidField(f"work package {HUGE_ID} is odd", field="opportunity.x")
    _, wire = rpc_status_of(error)
    assert wire.ByteSize() < 2048
    violation = details_by_kind(error)[error_details_pb2.BadRequest].field_violations[0]
    assert len(violation.description) < 600
