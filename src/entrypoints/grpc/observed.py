"""Server interceptors that watch every call: Prometheus counters and latencies per method, and
an OpenTelemetry span per call when tracing is configured."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import grpc
import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram

from entrypoints.grpc.interceptors import Continuation, UnaryHandler, around_unary

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

CORRELATION_HEADER = "x-correlation-id"
LATENCY_BOUNDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class RpcMetrics:
    """Per replica, in process: Prometheus sums them across replicas."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "o2c_rpc_requests",
            "Calls by full method and the gRPC status code they ended with",
            ["method", "code"],
            registry=registry,
        )
        self.errors = Counter(
            "o2c_rpc_errors",
            "Calls that ended with a code other than OK",
            ["method", "code"],
            registry=registry,
        )
        self.latency = Histogram(
            "o2c_rpc_duration_seconds",
            "Time to answer a call, by full method",
            ["method"],
            buckets=LATENCY_BOUNDS,
            registry=registry,
        )

    def record(self, method: str, code: grpc.StatusCode, seconds: float) -> None:
        self.requests.labels(method, code.name).inc()
        if code is not grpc.StatusCode.OK:
            self.errors.labels(method, code.name).inc()
        self.latency.labels(method).observe(seconds)


class Measured(grpc.ServerInterceptor):
    """Outermost, so that it counts the refusals of authentication and rate limits too."""

    def __init__(self, metrics: RpcMetrics) -> None:
        self.metrics = metrics

    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        return around_unary(continuation, handler_call_details, self.measured)

    def measured(self, inner: UnaryHandler, method: str) -> UnaryHandler:
        def measure(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            try:
                response = inner(request, context)
            except BaseException:
                self.metrics.record(method, ended_with(context, failed=True), elapsed(started))
                raise
            self.metrics.record(method, ended_with(context, failed=False), elapsed(started))
            return response

        return measure


class Traced(grpc.ServerInterceptor):
    """A server span per call, named by its method, with its status code and correlation id."""

    def __init__(self, tracer: Tracer) -> None:
        self.tracer = tracer

    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        return around_unary(continuation, handler_call_details, self.traced)

    def traced(self, inner: UnaryHandler, method: str) -> UnaryHandler:
        from opentelemetry.trace import SpanKind, Status, StatusCode

        def trace(request: Any, context: grpc.ServicerContext) -> Any:
            with self.tracer.start_as_current_span(
                method, kind=SpanKind.SERVER, record_exception=False, set_status_on_exception=False
            ) as span:
                span.set_attribute("rpc.system", "grpc")
                span.set_attribute("rpc.method", method)
                correlation = correlation_id(context)
                if correlation:
                    span.set_attribute("o2c.correlation_id", correlation)
                failed = True
                try:
                    response = inner(request, context)
                    failed = False
                    return response
                finally:
                    code = ended_with(context, failed=failed)
                    span.set_attribute("rpc.grpc.status_code", code.value[0])
                    span.set_attribute("rpc.grpc.status", code.name)
                    if code is not grpc.StatusCode.OK:
                        span.set_status(Status(StatusCode.ERROR, code.name))

        return trace


def ended_with(context: grpc.ServicerContext, *, failed: bool) -> grpc.StatusCode:
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return code
    return grpc.StatusCode.UNKNOWN if failed else grpc.StatusCode.OK


def correlation_id(context: grpc.ServicerContext) -> str:
    """The id bound to the call's logs (when correlation runs outside this interceptor), else
    the one its caller sent."""
    bound = structlog.contextvars.get_contextvars().get("correlation_id")
    if bound:
        return str(bound)
    for key, value in context.invocation_metadata() or ():
        if key == CORRELATION_HEADER:
            return value if isinstance(value, str) else value.decode(errors="replace")
    return ""


def elapsed(started: float) -> float:
    return time.perf_counter() - started
