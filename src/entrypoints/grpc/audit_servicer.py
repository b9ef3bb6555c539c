"""The audit of calls, read through `AuditService.ListCallRecords`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import grpc
from google.protobuf import timestamp_pb2

from application.call_records import CallAuditUnitOfWork, CallRecordFilter
from application.list_call_records import list_call_records
from domain.call_record import CallRecord
from domain.errors import DomainError, InvalidField
from entrypoints.grpc.errors import abort_with
from entrypoints.grpc.page_tokens import cursor_of, page_size, page_token
from entrypoints.grpc.servicers import proven_caller
from o2c.v1 import audit_pb2, audit_pb2_grpc

CODES = frozenset(code.name for code in grpc.StatusCode)


class AuditServicer(audit_pb2_grpc.AuditServiceServicer):
    def __init__(self, uow_factory: Callable[[], CallAuditUnitOfWork]) -> None:
        self.uow_factory = uow_factory

    def ListCallRecords(
        self, request: audit_pb2.ListCallRecordsRequest, context: grpc.ServicerContext
    ) -> audit_pb2.ListCallRecordsResponse:
        try:
            matching = call_filter(request)
            after = cursor_of(request.page_token, matching)
            page = list_call_records(
                proven_caller(), matching, after, page_size(request), self.uow_factory
            )
        except DomainError as error:
            abort_with(context, error)
        return audit_pb2.ListCallRecordsResponse(
            call_records=[call_record_message(record) for record in page.records],
            next_page_token=page_token(page.next, matching),
        )


def call_filter(request: audit_pb2.ListCallRecordsRequest) -> CallRecordFilter:
    if request.code and request.code not in CODES:
        raise InvalidField("code is not the name of a gRPC status code", field="code")
    return CallRecordFilter(
        subject=request.subject,
        method=request.method,
        business_key=request.business_key,
        code=request.code,
        reason=request.reason,
        since=instant(request, "start_time"),
        until=instant(request, "end_time"),
    )


def instant(request: audit_pb2.ListCallRecordsRequest, name: str) -> dt.datetime | None:
    if not request.HasField(name):
        return None
    try:
        return getattr(request, name).ToDatetime(tzinfo=dt.UTC)
    except (ValueError, OverflowError):
        raise InvalidField(f"{name} is not a valid time", field=name) from None


def call_record_message(record: CallRecord) -> audit_pb2.CallRecord:
    message = audit_pb2.CallRecord(
        call_record_id=record.id,
        record_time=timestamp(record.recorded_at),
        method=record.method,
        request_id=record.request_id,
        business_key=record.business_key,
        code=record.code,
        reason=record.reason,
    )
    if record.caller is not None:
        message.principal.subject = record.caller.subject
        message.principal.calling_system = record.caller.system
    return message


def timestamp(moment: dt.datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp
