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


class ErrorBoundary(grpc.ServerInterceptor):
    """Turns an unexpected exception into INTERNAL with a reference the on-call can grep."""

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = handler_call_details.method
        inner = handler.unary_unary

        def guarded(request: Any, context: grpc.ServicerContext) -> Any:
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

        return grpc.unary_unary_rpc_method_handler(
            guarded,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


class DeclaredLengths(grpc.ServerInterceptor):
    """Refuses an over-long string as INVALID_ARGUMENT, the same whatever the database."""

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        inner = handler.unary_unary

        def checked(request: Any, context: grpc.ServicerContext) -> Any:
            try:
                check_lengths(request)
            except DomainError as error:
                abort_with(context, error)
            return inner(request, context)

        return grpc.unary_unary_rpc_method_handler(
            checked,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
