"""Server interceptors: no stack trace ever reaches a caller; every call is logged; no request
reaches a handler unless it decodes and keeps within the limits its fields declare."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import grpc
import structlog
from attrs import frozen

from domain.errors import DomainError, MalformedRequest
from entrypoints.grpc.errors import abort_with
from entrypoints.grpc.limits import check_request

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


class DeclaredLimits(grpc.ServerInterceptor):
    """Refuses a request over its declared limits, or one that is no protobuf of its type, as
    INVALID_ARGUMENT (grpc itself would answer the latter INTERNAL)."""

    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        return grpc.unary_unary_rpc_method_handler(
            within_limits(handler.unary_unary),
            request_deserializer=lenient(handler.request_deserializer),
            response_serializer=handler.response_serializer,
        )


@frozen
class Undecodable:
    """What a request's bytes became when they were no message of the method's request type."""

    reason: str


def lenient(parse: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    if parse is None:
        return None

    def parse_or_say_why(data: bytes) -> Any:
        try:
            return parse(data)
        except Exception as error:  # whatever the bytes were, the caller hears why, not INTERNAL
            return Undecodable(type(error).__name__)

    return parse_or_say_why


def within_limits(inner: UnaryHandler) -> UnaryHandler:
    def check(request: Any, context: grpc.ServicerContext) -> Any:
        try:
            if isinstance(request, Undecodable):
                raise MalformedRequest(
                    "the request is not a valid protobuf message of this method's request type",
                    keys={"cause": request.reason},
                )
            check_request(request)
        except DomainError as error:
            abort_with(context, error)
        return inner(request, context)

    return check
