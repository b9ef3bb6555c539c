"""Domain errors → gRPC status with google.rpc details (ErrorInfo, BadRequest, RetryInfo).

A status quotes at most a short prefix of anything the caller sent, so that an absurd input
cannot inflate the answer past gRPC's metadata limits (and turn NOT_FOUND into
RESOURCE_EXHAUSTED).
"""

from __future__ import annotations

import grpc
import structlog
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from domain import errors

ERROR_DOMAIN = "o2c.v1"
ECHO_LIMIT = 64
TEXT_LIMIT = 512
RETRY_DELAY_SECONDS = 1
RETRYABLE_CODES = (code_pb2.ABORTED, code_pb2.UNAVAILABLE)
log = structlog.get_logger("o2c.refusals")

STATUS_BY_ERROR: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.InvalidField, code_pb2.INVALID_ARGUMENT),
    (errors.CurrencyMismatch, code_pb2.INVALID_ARGUMENT),
    (errors.NotFound, code_pb2.NOT_FOUND),
    (errors.OwnershipViolation, code_pb2.PERMISSION_DENIED),
    (errors.Unauthenticated, code_pb2.UNAUTHENTICATED),
    (errors.CallerNotAllowed, code_pb2.PERMISSION_DENIED),
    (errors.RequestIdReused, code_pb2.ALREADY_EXISTS),
    (errors.EngagementExists, code_pb2.ALREADY_EXISTS),
    (errors.BillableEventConflict, code_pb2.ALREADY_EXISTS),
    (errors.RequestInProgress, code_pb2.ABORTED),
    (errors.ConcurrentUpdate, code_pb2.ABORTED),
    (errors.StorageUnavailable, code_pb2.UNAVAILABLE),
    (errors.ErpUnavailable, code_pb2.UNAVAILABLE),
)


def status_code_for(error: errors.DomainError) -> int:
    for error_type, code in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return code
    return code_pb2.FAILED_PRECONDITION


def to_status(error: errors.DomainError) -> grpc.Status:
    return rpc_status.to_status(status_message(error))


def status_message(error: errors.DomainError) -> status_pb2.Status:
    """The google.rpc.Status a call refused with `error` ends with, as a message."""
    code = status_code_for(error)
    message = bounded_message(error)
    details = [pack(error_info(error))]
    if code == code_pb2.INVALID_ARGUMENT and error.field:
        details.append(pack(bad_request(error.field, message)))
    if code in RETRYABLE_CODES:
        details.append(pack(retry_info(RETRY_DELAY_SECONDS)))
    return status_pb2.Status(code=code, message=message, details=details)


def error_info(error: errors.DomainError) -> error_details_pb2.ErrorInfo:
    metadata = {name: shortened(value) for name, value in error.keys.items()}
    if error.field:
        metadata.setdefault("field", shortened(error.field, TEXT_LIMIT))
    return error_details_pb2.ErrorInfo(reason=error.reason, domain=ERROR_DOMAIN, metadata=metadata)


def bad_request(field: str, description: str) -> error_details_pb2.BadRequest:
    violation = error_details_pb2.BadRequest.FieldViolation(
        field=shortened(field, TEXT_LIMIT), description=description
    )
    return error_details_pb2.BadRequest(field_violations=[violation])


def retry_info(seconds: int) -> error_details_pb2.RetryInfo:
    return error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=seconds))


def bounded_message(error: errors.DomainError) -> str:
    """The message with every long value it quotes cut to a prefix, and the whole capped."""
    message = error.message
    for value in sorted(error.keys.values(), key=len, reverse=True):
        if len(value) > ECHO_LIMIT:
            message = message.replace(value, shortened(value))
    return shortened(message, TEXT_LIMIT)


def shortened(text: str, limit: int = ECHO_LIMIT) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed


def abort_with(context: grpc.ServicerContext, error: errors.DomainError) -> None:
    info = error_info(error)
    log.info(
        "refused", reason=error.reason, message=bounded_message(error), keys=dict(info.metadata)
    )
    context.abort_with_status(to_status(error))
