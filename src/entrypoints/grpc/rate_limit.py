"""Rate limits per principal: a token bucket per subject, refilled at a steady rate up to a
burst. A caller over its limit gets RESOURCE_EXHAUSTED with RetryInfo (how long until a token is
free) and ErrorInfo reason RATE_LIMITED; other callers are unaffected.

It runs inside the authentication interceptor, so the principal is known; a call without one
was refused before it got here. A client stream takes a token for each message it sends, as
that many unary calls would: a stream is no way around the limit."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from typing import Any

import grpc
from attrs import frozen
from google.protobuf import duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from entrypoints.grpc.errors import ERROR_DOMAIN, pack
from entrypoints.grpc.interceptors import Continuation, UnaryHandler, around_unary
from entrypoints.grpc.principal_context import current_principal

RATE_LIMITED = "RATE_LIMITED"
Seconds = Callable[[], float]


@frozen
class Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """Thread-safe. A bucket left alone for `burst / rate` seconds is full again, so it is
    dropped (a new one starts full): memory holds only the principals calling lately."""

    def __init__(self, per_second: float, burst: int, clock: Seconds) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError("a rate limit needs a rate above 0 and a burst of at least 1")
        self.rate = per_second
        self.burst = burst
        self.clock = clock
        self.refill_seconds = burst / per_second
        self.buckets: dict[str, Bucket] = {}
        self.swept = clock()
        self.lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take a token from `key`'s bucket: 0 when taken, else the seconds until one is free."""
        with self.lock:
            now = self.clock()
            self.drop_idle(now)
            bucket = self.buckets.get(key, Bucket(self.burst, now))
            tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            if tokens >= 1:
                self.buckets[key] = Bucket(tokens - 1, now)
                return 0.0
            self.buckets[key] = Bucket(tokens, now)
            return (1 - tokens) / self.rate

    def drop_idle(self, now: float) -> None:
        if now - self.swept < self.refill_seconds:
            return
        self.swept = now
        idle = [key for key, b in self.buckets.items() if now - b.updated >= self.refill_seconds]
        for key in idle:
            del self.buckets[key]


class RateLimit(grpc.ServerInterceptor):
    def __init__(self, buckets: TokenBuckets) -> None:
        self.buckets = buckets

    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        return around_unary(continuation, handler_call_details, self.limited)

    def limited(self, inner: UnaryHandler, _method: str) -> UnaryHandler:
        def limit(request: Any, context: grpc.ServicerContext) -> Any:
            if isinstance(request, Iterator):  # a client stream: a token per message
                return inner((self.taken(each, context) for each in request), context)
            return inner(self.taken(request, context), context)

        return limit

    def taken(self, request: Any, context: grpc.ServicerContext) -> Any:
        """The request, once its caller's bucket gave a token; else the call ends."""
        principal = current_principal()
        wait = 0.0 if principal is None else self.buckets.take(principal.subject)
        if wait > 0:
            context.abort_with_status(rate_limited(wait))
        return request


def rate_limited(wait_seconds: float) -> grpc.Status:
    millis = max(1, math.ceil(wait_seconds * 1000))
    delay = duration_pb2.Duration(seconds=millis // 1000, nanos=(millis % 1000) * 1_000_000)
    info = error_details_pb2.ErrorInfo(
        reason=RATE_LIMITED, domain=ERROR_DOMAIN, metadata={"retry_after_ms": str(millis)}
    )
    status = status_pb2.Status(
        code=code_pb2.RESOURCE_EXHAUSTED,
        message=f"too many calls from this caller: retry in {millis} ms",
        details=[pack(info), pack(error_details_pb2.RetryInfo(retry_delay=delay))],
    )
    return rpc_status.to_status(status)


def token_buckets(per_second: float, burst: int, clock: Seconds) -> TokenBuckets | None:
    """None when the rate is 0: no limit (for a load test, never a default)."""
    return None if per_second == 0 else TokenBuckets(per_second, burst, clock)
