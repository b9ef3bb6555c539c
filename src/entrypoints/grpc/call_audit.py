"""The audit of every call that could change something, allowed or refused: who (or nobody,
when authentication failed), which method, the request id, the business key, the outcome and
the time — each kept in a transaction of its own, so a call that failed is still recorded.

`CallAudit` records the calls that pass authentication; `CallAuditor.on_denied` is what the
authentication interceptor calls for those it refuses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import structlog

from adapters.declared_lengths import max_length
from application.call_records import CallAuditUnitOfWork
from application.correlation import correlation_id
from application.ports import Clock, IdGenerator
from application.record_call import record_call
from domain.call_record import SUCCEEDED, Caller, CallRecord
from domain.principal import Principal
from entrypoints.grpc.call_facts import (
    business_key_of,
    code_name,
    is_mutating,
    outcome_of,
    request_id_of,
)
from entrypoints.grpc.interceptors import Continuation, UnaryHandler, around_unary
from entrypoints.grpc.limits import CONTROL
from entrypoints.grpc.principal_context import current_principal
from o2c.v1 import audit_pb2

log = structlog.get_logger("o2c.audit")
RECORD, PRINCIPAL = audit_pb2.CallRecord, audit_pb2.CallPrincipal


def bounded(text: str, message: type[Any], field: str) -> str:
    """Cut to the declared length, control characters made visible: a refused request's text
    has not been checked yet."""
    return CONTROL.sub("\ufffd", text)[: max_length(message, field)]


class CallAuditor:
    def __init__(
        self, uow_factory: Callable[[], CallAuditUnitOfWork], clock: Clock, ids: IdGenerator
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.ids = ids

    def build(
        self,
        method: str,
        request: object,
        principal: Principal | None,
        code: str,
        reason: str,
        arrived_at: dt.datetime | None = None,
    ) -> CallRecord:
        """Kept at the time the call arrived, so that it comes before the work it started."""
        return CallRecord(
            id=self.ids.new_id(),
            recorded_at=arrived_at or self.clock.now(),
            caller=None if principal is None else caller(principal),
            method=bounded(method, RECORD, "method"),
            request_id=bounded(request_id_of(request), RECORD, "request_id"),
            business_key=bounded(business_key_of(request), RECORD, "business_key"),
            code=bounded(code, RECORD, "code"),
            reason=bounded(reason, RECORD, "reason"),
            correlation_id=correlation_id(),
        )

    def record(
        self,
        method: str,
        request: object,
        principal: Principal | None,
        code: str,
        reason: str,
        arrived_at: dt.datetime | None = None,
    ) -> None:
        """Never changes the call's answer: a record that cannot be written is logged as lost."""
        try:
            built = self.build(method, request, principal, code, reason, arrived_at)
            record_call(built, self.uow_factory)
        except Exception:
            log.exception("call record lost", method=method, code=code, reason=reason)

    def on_denied(
        self,
        method: str,
        request: object,
        principal: Principal | None,
        code: grpc.StatusCode | int | str,
        reason: str,
    ) -> None:
        if is_mutating(method):
            self.record(method, request, principal, code_name(code), reason)


def caller(principal: Principal) -> Caller:
    return Caller(
        subject=bounded(principal.subject, PRINCIPAL, "subject"),
        system=bounded(principal.system.value, PRINCIPAL, "calling_system"),
    )


class CallAudit(grpc.ServerInterceptor):
    def __init__(self, auditor: CallAuditor) -> None:
        self.auditor = auditor

    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        if not is_mutating(handler_call_details.method):
            return continuation(handler_call_details)
        return around_unary(continuation, handler_call_details, self.audited)

    def audited(self, inner: UnaryHandler, method: str) -> UnaryHandler:
        def audit(request: Any, context: grpc.ServicerContext) -> Any:
            arrived_at = self.auditor.clock.now()
            stream = Remembered(request) if isinstance(request, Iterator) else None
            try:
                response = inner(stream or request, context)
            except Exception:
                code, reason = outcome_of(context)
                named = stream.first if stream else request
                self.auditor.record(method, named, current_principal(), code, reason, arrived_at)
                raise
            named = stream.first if stream else request
            self.auditor.record(method, named, current_principal(), SUCCEEDED, "", arrived_at)
            return response

        return audit


class Remembered(Iterator[Any]):
    """A client stream that keeps its first message: one record per call, named by it."""

    def __init__(self, requests: Iterator[Any]) -> None:
        self.requests = requests
        self.first: Any = None

    def __next__(self) -> Any:
        request = next(self.requests)
        if self.first is None:
            self.first = request
        return request
