"""The exception queue's API: list, show, retry, assign, resolve, discard. The methods read the
request, call the use case and answer with the case as it stands."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TypeVar

import grpc
from google.protobuf import duration_pb2, timestamp_pb2

from adapters.proto_values import (
    enum_number,
    owner_role_number,
    reason_code_number,
    workflow_number,
)
from application.exception_commands import (
    AssignException,
    DiscardException,
    ExceptionDesk,
    ResolveException,
)
from application.exception_listing import ExceptionCursor, ExceptionFilter
from application.exception_retry import ExceptionRetry, RetryException
from domain.errors import DomainError, InvalidField
from domain.exception_case import (
    AttemptOutcome,
    ExceptionCase,
    ExceptionStatus,
    OwnerRole,
    Workflow,
)
from entrypoints.grpc.errors import abort_with
from entrypoints.grpc.page_tokens import (
    after_key,
    keyed_page_token,
    not_a_page_token,
    page_size,
)
from entrypoints.grpc.servicers import proven_caller
from o2c.v1 import exceptions_pb2, exceptions_pb2_grpc

T = TypeVar("T")
PAYLOAD_SHOWN = 16_384
ATTEMPTS_SHOWN = 1000
LONGEST_PLACE = 40 + 1 + 64
OWNER_ROLES = {owner_role_number(role): role for role in OwnerRole}
WORKFLOWS = {workflow_number(workflow): workflow for workflow in Workflow}
STATUSES = {
    enum_number(exceptions_pb2.ExceptionStatus, "EXCEPTION_STATUS", status): status
    for status in ExceptionStatus
}


class ExceptionServicer(exceptions_pb2_grpc.ExceptionServiceServicer):
    def __init__(self, desk: ExceptionDesk, retrying: ExceptionRetry | None) -> None:
        self.desk = desk
        self.retrying = retrying

    def ListExceptions(
        self, request: exceptions_pb2.ListExceptionsRequest, context: grpc.ServicerContext
    ) -> exceptions_pb2.ListExceptionsResponse:
        try:
            where = exception_filter(request)
            after = cursor_of(after_key(request.page_token, where, LONGEST_PLACE))
            limit = page_size(request)
            found = self.desk.page(proven_caller(), where, after, limit + 1)
        except DomainError as error:
            abort_with(context, error)
        page = found[:limit]
        last = ExceptionCursor(page[-1].created_at, page[-1].id) if len(found) > limit else None
        return exceptions_pb2.ListExceptionsResponse(
            exceptions=[case_message(case) for case in page],
            next_page_token=keyed_page_token(last.key() if last else None, where),
        )

    def GetException(
        self, request: exceptions_pb2.GetExceptionRequest, context: grpc.ServicerContext
    ) -> exceptions_pb2.GetExceptionResponse:
        case = answer(context, lambda: self.desk.show(proven_caller(), request.exception_id))
        return exceptions_pb2.GetExceptionResponse(exception=case_message(case, attempts=True))

    def RetryException(
        self, request: exceptions_pb2.RetryExceptionRequest, context: grpc.ServicerContext
    ) -> exceptions_pb2.RetryExceptionResponse:
        def retry() -> ExceptionCase:
            if self.retrying is None:
                raise InvalidField("retrying is not configured on this server", field="")
            command = RetryException(request.request_id, request.exception_id, proven_caller())
            return self.retrying.retry(command)

        case = answer(context, retry)
        return exceptions_pb2.RetryExceptionResponse(exception=case_message(case, attempts=True))

    def AssignException(
        self, request: exceptions_pb2.AssignExceptionRequest, context: grpc.ServicerContext
    ) -> exceptions_pb2.AssignExceptionResponse:
        case = answer(
            context,
            lambda: self.desk.assign(
                AssignException(
                    request.request_id, request.exception_id, request.assignee, proven_caller()
                )
            ),
        )
        return exceptions_pb2.AssignExceptionResponse(exception=case_message(case))

    def ResolveException(
        self, request: exceptions_pb2.ResolveExceptionRequest, context: grpc.ServicerContext
    ) -> exceptions_pb2.ResolveExceptionResponse:
        case = answer(
            context,
            lambda: self.desk.resolve(
                ResolveException(
                    request.request_id, request.exception_id, request.note, proven_caller()
                )
            ),
        )
        return exceptions_pb2.ResolveExceptionResponse(exception=case_message(case))

    def DiscardException(
        self, request: exceptions_pb2.DiscardExceptionRequest, context: grpc.ServicerContext
    ) -> exceptions_pb2.DiscardExceptionResponse:
        case = answer(
            context,
            lambda: self.desk.discard(
                DiscardException(
                    request.request_id, request.exception_id, request.reason, proven_caller()
                )
            ),
        )
        return exceptions_pb2.DiscardExceptionResponse(exception=case_message(case))


def answer(context: grpc.ServicerContext, call: Callable[[], ExceptionCase]) -> ExceptionCase:
    try:
        return call()
    except DomainError as error:
        abort_with(context, error)


def exception_filter(request: exceptions_pb2.ListExceptionsRequest) -> ExceptionFilter:
    return ExceptionFilter(
        owner_role=known(OWNER_ROLES, request.owner_role, "owner_role"),
        workflow=known(WORKFLOWS, request.workflow, "workflow"),
        business_key=request.business_key,
        status=known(STATUSES, request.status, "status"),
        created_after=instant(request, "created_after"),
        created_before=instant(request, "created_before"),
    )


def known(values: dict[int, T], number: int, name: str) -> T | None:
    if not number:
        return None
    if number not in values:
        raise InvalidField(f"{name} {number} is not one o2c knows", field=name)
    return values[number]


def instant(request: exceptions_pb2.ListExceptionsRequest, name: str) -> dt.datetime | None:
    if not request.HasField(name):
        return None
    try:
        return getattr(request, name).ToDatetime(tzinfo=dt.UTC)
    except (ValueError, OverflowError):
        raise InvalidField(f"{name} is not a valid time", field=name) from None


def cursor_of(key: str) -> ExceptionCursor | None:
    if not key:
        return None
    try:
        return ExceptionCursor.of_key(key)
    except ValueError:
        raise not_a_page_token() from None


def case_message(case: ExceptionCase, *, attempts: bool = False) -> exceptions_pb2.ExceptionCase:
    message = exceptions_pb2.ExceptionCase(
        exception_id=case.id,
        workflow=workflow_number(case.workflow),
        business_key=case.business_key,
        reason_code=reason_code_number(case.reason_code),
        owner_role=owner_role_number(case.owner_role),
        detail=case.detail[:2000],
        status=enum_number(exceptions_pb2.ExceptionStatus, "EXCEPTION_STATUS", case.status),
        assignee=case.assignee,
        attempts=case.attempts,
        create_time=timestamp(case.created_at),
        update_time=timestamp(case.updated_at),
        resolution_note=case.resolution_note[:2000],
        resolved_by=case.resolved_by,
        payload_version=case.payload_version,
        payload_json=json.dumps(case.payload, default=str)[:PAYLOAD_SHOWN],
    )
    if case.resolved_at is not None:
        message.resolve_time.CopyFrom(timestamp(case.resolved_at))
    if case.time_to_resolution is not None:
        message.time_to_resolution.CopyFrom(duration(case.time_to_resolution))
    if case.resolution is not None:
        message.resolution = enum_number(
            exceptions_pb2.ExceptionResolution, "EXCEPTION_RESOLUTION", case.resolution
        )
    if attempts:
        message.attempt_log.extend(
            exceptions_pb2.ExceptionAttempt(
                number=attempt.number,
                attempt_time=timestamp(attempt.at),
                succeeded=attempt.outcome is AttemptOutcome.SUCCEEDED,
                detail=attempt.detail[:2000],
            )
            for attempt in case.attempt_log[-ATTEMPTS_SHOWN:]
        )
    return message


def timestamp(moment: dt.datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def duration(span: dt.timedelta) -> duration_pb2.Duration:
    value = duration_pb2.Duration()
    value.FromTimedelta(span)
    return value
