"""The correlation id of each call: the caller's `x-correlation-id` (or a new one), sent back in
the initial metadata, bound to the logs and kept for the call so that events, vendor requests
and sagas carry it on."""

from __future__ import annotations

from typing import Any

import grpc
import structlog

from application.correlation import Trace, accepted, traced
from entrypoints.grpc.call_facts import business_key_of
from entrypoints.grpc.interceptors import Continuation, UnaryHandler, around_unary

HEADER = "x-correlation-id"


class CorrelationIds(grpc.ServerInterceptor):
    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        offered = offered_id(handler_call_details.invocation_metadata or ())
        return around_unary(
            continuation, handler_call_details, lambda inner, _method: correlated(inner, offered)
        )


def offered_id(metadata: Any) -> str:
    for key, value in metadata:
        if key == HEADER and isinstance(value, str):
            return value
    return ""


def correlated(inner: UnaryHandler, offered: str) -> UnaryHandler:
    def correlate(request: Any, context: grpc.ServicerContext) -> Any:
        trace = Trace(accepted(offered), business_key_of(request))
        context.send_initial_metadata(((HEADER, trace.correlation_id),))
        with (
            traced(trace),
            structlog.contextvars.bound_contextvars(correlation_id=trace.correlation_id),
        ):
            return inner(request, context)

    return correlate
