"""Server interceptors: no stack trace ever reaches a caller; every call is logged; no request
reaches a handler unless it decodes and keeps within the limits its fields declare.

Each interceptor wraps unary calls and client-streaming (stream-unary) calls alike: a streaming
handler gets the request iterator in place of the request, and the limits check every message
as the handler reads it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
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
    """The method's unary or stream-unary handler wrapped by `wrap(handler, method)` (for a
    stream, the handler's "request" is the iterator of requests); server-streaming kinds, which
    o2c does not serve, untouched."""
    return around_calls(continuation(details), lambda inner: wrap(inner, details.method))


def around_calls(
    handler: grpc.RpcMethodHandler | None,
    wrap: Callable[[UnaryHandler], UnaryHandler],
    parse: Callable[[Any], Any] = lambda parse: parse,
) -> grpc.RpcMethodHandler | None:
    """`handler` with its unary or stream-unary behaviour wrapped, its deserializer through
    `parse`."""
    if handler is None:
        return None
    for behaviour, make in (
        (handler.unary_unary, grpc.unary_unary_rpc_method_handler),
        (handler.stream_unary, grpc.stream_unary_rpc_method_handler),
    ):
        if behaviour is not None:
            return make(
                wrap(behaviour),
                request_deserializer=parse(handler.request_deserializer),
                response_serializer=handler.response_serializer,
            )
    return handler


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
        streams = handler is not None and handler.stream_unary is not None
        return around_calls(handler, each_within_limits if streams else within_limits, lenient)


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
        return inner(checked(request, context), context)

    return check


def each_within_limits(inner: UnaryHandler) -> UnaryHandler:
    """For a client stream: each message checked as the handler reads it, the first one over
    its limits ending the call."""

    def check_each(requests: Iterator[Any], context: grpc.ServicerContext) -> Any:
        return inner((checked(request, context) for request in requests), context)

    return check_each


def checked(request: Any, context: grpc.ServicerContext) -> Any:
    """The request, if it decoded and keeps within its declared limits; else the call aborts."""
    try:
        if isinstance(request, Undecodable):
            raise MalformedRequest(
                "the request is not a valid protobuf message of this method's request type",
                keys={"cause": request.reason},
            )
        check_request(request)
    except DomainError as error:
        abort_with(context, error)
    return request
