"""Domain errors → gRPC status with google.rpc details (BadRequest, ErrorInfo)."""

from __future__ import annotations

import grpc
import structlog
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from domain import errors

ERROR_DOMAIN = "o2c.v1"
log = structlog.get_logger("o2c.refusals")

STATUS_BY_ERROR: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.InvalidField, code_pb2.INVALID_ARGUMENT),
    (errors.CurrencyMismatch, code_pb2.INVALID_ARGUMENT),
    (errors.NotFound, code_pb2.NOT_FOUND),
    (errors.OwnershipViolation, code_pb2.PERMISSION_DENIED),
    (errors.RequestIdReused, code_pb2.ALREADY_EXISTS),
    (errors.EngagementExists, code_pb2.ALREADY_EXISTS),
    (errors.BillableEventConflict, code_pb2.ALREADY_EXISTS),
    (errors.RequestInProgress, code_pb2.ABORTED),
    (errors.ConcurrentUpdate, code_pb2.ABORTED),
)


def status_code_for(error: errors.DomainError) -> int:
    for error_type, code in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return code
    return code_pb2.FAILED_PRECONDITION


def to_status(error: errors.DomainError) -> grpc.Status:
    details = [
        pack(
            error_details_pb2.ErrorInfo(
                reason=error.reason, domain=ERROR_DOMAIN, metadata=error.keys
            )
        )
    ]
    if error.field:
        violation = error_details_pb2.BadRequest.FieldViolation(
            field=error.field, description=error.message
        )
        details.append(pack(error_details_pb2.BadRequest(field_violations=[violation])))
    status = status_pb2.Status(code=status_code_for(error), message=error.message, details=details)
    return rpc_status.to_status(status)


def pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed


def abort_with(context: grpc.ServicerContext, error: errors.DomainError) -> None:
    log.info("refused", reason=error.reason, field=error.field, message=error.message, **error.keys)
    context.abort_with_status(to_status(error))
