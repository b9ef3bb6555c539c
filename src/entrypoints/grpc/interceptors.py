"""Server interceptors: no stack trace ever reaches a caller; every call is logged; no
request reaches a handler with a string longer than its field declares."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import grpc
import structlog

from domain.errors import DomainError
from entrypoints.grpc.errors import abort_with
from entrypoints.grpc.limits import check_lengths

log = structlog.get_logger("o2c.grpc")


UnaryHandler = Callable[[Any, grpc.ServicerContext], Any]
Continuation = Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None]


def around_unary(
    continuation: Continuation,
    details: grpc.HandlerCallDetails,
    wrap: Callable[[UnaryHandler, str], UnaryHandler],
) -> grpc.RpcMethodHandler | None:
    """The method's unary handler wrapped by `wrap(handler, method)`; other kinds untouched."""
    handler = continuation(details)
    if handler is None or handler.unary_unary is None:
        return handler
    return grpc.unary_unary_rpc_method_handler(
        wrap(handler.unary_unary, details.method),
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )


class ErrorBoundary(grpc.ServerInterceptor):
    """Turns an unexpected exception into INTERNAL with a reference the on-call can grep."""

    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        return around_unary(continuation, handler_call_details, guarded)


def guarded(inner: UnaryHandler, method: str) -> UnaryHandler:
    def guard(request: Any, context: grpc.ServicerContext) -> Any:
        started = time.perf_counter()
        try:
            response = inner(request, context)
        except Exception:
            if context.code() is not None:
                log.info("rpc", method=method, code=str(context.code()), ms=ms(started))
                raise
            reference = uuid.uuid4().hex[:12]
            log.exception("rpc failed", method=method, reference=reference)
            context.abort(grpc.StatusCode.INTERNAL, f"internal error (reference {reference})")
        log.info("rpc", method=method, code="OK", ms=ms(started))
        return response

    return guard


def ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


class DeclaredLengths(grpc.ServerInterceptor):
    """Refuses an over-long string as INVALID_ARGUMENT, the same whatever the database."""

    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        return around_unary(continuation, handler_call_details, length_checked)


def length_checked(inner: UnaryHandler, _method: str) -> UnaryHandler:
    def check(request: Any, context: grpc.ServicerContext) -> Any:
        try:
            check_lengths(request)
        except DomainError as error:
            abort_with(context, error)
        return inner(request, context)

    return check
