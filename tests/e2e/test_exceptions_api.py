"""The exception queue through gRPC: a pending-data engagement's case listed, shown, retried
(still unmapped: open again with its attempt kept), taken and discarded; a limited caller sees
none of it."""

from __future__ import annotations

import grpc
import pytest
from support.auth import call_metadata
from support.requests import closed_won

from o2c.v1 import exceptions_pb2, exceptions_pb2_grpc

OPERATIONS = call_metadata("operations", subject="ops.anna")


@pytest.fixture
def queue(channel: grpc.Channel) -> exceptions_pb2_grpc.ExceptionServiceStub:
    return exceptions_pb2_grpc.ExceptionServiceStub(channel)


def test_a_parked_case_is_listed_retried_taken_and_discarded(engagements, queue, run_key):
    parked = engagements.CreateServiceEngagement(closed_won(run_key, "BR01")).engagement
    key = parked.opportunity_id

    listed = queue.ListExceptions(
        exceptions_pb2.ListExceptionsRequest(
            business_key=key,
            owner_role=exceptions_pb2.OWNER_ROLE_FINANCE,
            status=exceptions_pb2.EXCEPTION_STATUS_OPEN,
        ),
        metadata=OPERATIONS,
    ).exceptions
    assert [case.exception_id for case in listed] == [parked.exception.exception_id]
    case_id = listed[0].exception_id

    retried = queue.RetryException(
        exceptions_pb2.RetryExceptionRequest(request_id=f"retry-{run_key}", exception_id=case_id),
        metadata=OPERATIONS,
    ).exception
    assert retried.status == exceptions_pb2.EXCEPTION_STATUS_OPEN
    assert retried.attempts == 2
    assert [a.succeeded for a in retried.attempt_log] == [False, False]
    assert "no ERP mapping" in retried.attempt_log[-1].detail

    taken = queue.AssignException(
        exceptions_pb2.AssignExceptionRequest(
            request_id=f"take-{run_key}", exception_id=case_id, assignee="ops.anna"
        ),
        metadata=OPERATIONS,
    ).exception
    assert taken.assignee == "ops.anna"

    discarded = queue.DiscardException(
        exceptions_pb2.DiscardExceptionRequest(
            request_id=f"drop-{run_key}", exception_id=case_id, reason="a test deal"
        ),
        metadata=OPERATIONS,
    ).exception
    assert discarded.status == exceptions_pb2.EXCEPTION_STATUS_DISCARDED
    assert (discarded.resolution_note, discarded.resolved_by) == ("a test deal", "ops.anna")
    assert discarded.time_to_resolution.ToTimedelta().total_seconds() > 0

    with pytest.raises(grpc.RpcError) as refused:
        queue.ResolveException(
            exceptions_pb2.ResolveExceptionRequest(
                request_id=f"late-{run_key}", exception_id=case_id, note="too late"
            ),
            metadata=OPERATIONS,
        )
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_a_caller_limited_to_some_legal_entities_sees_no_case(queue):
    with pytest.raises(grpc.RpcError) as refused:
        queue.ListExceptions(
            exceptions_pb2.ListExceptionsRequest(),
            metadata=call_metadata("operations", legal_entities=("US01",)),
        )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_resolving_without_a_note_is_refused_naming_the_field(queue):
    with pytest.raises(grpc.RpcError) as refused:
        queue.ResolveException(
            exceptions_pb2.ResolveExceptionRequest(request_id="r-1", exception_id="x-1"),
            metadata=OPERATIONS,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "note" in refused.value.details()
