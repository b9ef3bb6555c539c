"""A client-streaming call passes through every interceptor as a unary call does: the limits
check each message as the handler reads it, each message takes a rate-limit token, and the call
is measured once with the code it ended with."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import grpc
import pytest
from prometheus_client import CollectorRegistry
from support.billing_requests import batch_of
from support.requests import time_entry

from domain.principal import CallingSystem, Principal
from entrypoints.grpc.interceptors import DeclaredLimits
from entrypoints.grpc.observed import Measured, RpcMetrics
from entrypoints.grpc.principal_context import calling_as
from entrypoints.grpc.rate_limit import RateLimit, TokenBuckets
from o2c.v1 import billing_pb2

METHOD = "/o2c.v1.BillingService/ImportBillableEvents"


class StreamContext:
    """What a servicer sees of its call: the code and status it was ended with."""

    def __init__(self) -> None:
        self.ended_with: grpc.StatusCode | None = None

    def code(self) -> grpc.StatusCode | None:
        return self.ended_with

    def abort_with_status(self, status: grpc.Status) -> None:
        self.ended_with = status.code
        raise Exception(status.details)


class Reader:
    """A stream handler that remembers the batches it read before the call ended."""

    def __init__(self) -> None:
        self.read: list[str] = []

    def __call__(self, requests: Iterator[billing_pb2.ImportBillableEventsRequest], _: object):
        for request in requests:
            self.read.append(request.request_id)
        return billing_pb2.ImportBillableEventsResponse(batches=len(self.read))


def batch(request_id: str) -> billing_pb2.ImportBillableEventsRequest:
    items = batch_of(request_id, time_entry(request_id[:8], "eng-1")).items
    return billing_pb2.ImportBillableEventsRequest(request_id=request_id, items=items)


class CallDetails(NamedTuple):
    method: str
    invocation_metadata: tuple[tuple[str, str], ...]


def intercepted(interceptor: grpc.ServerInterceptor, reader: Reader) -> grpc.RpcMethodHandler:
    handler = grpc.stream_unary_rpc_method_handler(reader)
    details = CallDetails(METHOD, ())
    wrapped = interceptor.intercept_service(lambda _: handler, details)
    assert wrapped is not None and wrapped.stream_unary is not reader, "the stream is wrapped"
    return wrapped


def test_the_declared_limits_check_each_message_as_the_handler_reads_it():
    reader, context = Reader(), StreamContext()
    handler = intercepted(DeclaredLimits(), reader)
    over = batch("b" * 129)

    with pytest.raises(Exception, match="request_id"):
        handler.stream_unary(iter([batch("first"), over, batch("never")]), context)

    assert reader.read == ["first"]
    assert context.ended_with is grpc.StatusCode.INVALID_ARGUMENT


def test_each_streamed_message_takes_a_rate_limit_token():
    reader, context = Reader(), StreamContext()
    buckets = TokenBuckets(per_second=1, burst=2, clock=lambda: 1_000.0)
    handler = intercepted(RateLimit(buckets), reader)

    psa = Principal("psa-certinia", CallingSystem.PSA, frozenset())
    with calling_as(psa), pytest.raises(Exception, match="too many calls"):
        handler.stream_unary(iter([batch("a"), batch("b"), batch("c")]), context)

    assert reader.read == ["a", "b"]
    assert context.ended_with is grpc.StatusCode.RESOURCE_EXHAUSTED


def test_a_stream_is_measured_once_with_the_code_it_ended_with():
    metrics = RpcMetrics(registry := CollectorRegistry())
    handler = intercepted(Measured(metrics), Reader())

    answer = handler.stream_unary(iter([batch("a"), batch("b")]), StreamContext())

    assert answer.batches == 2
    labels = {"method": METHOD, "code": "OK"}
    assert registry.get_sample_value("o2c_rpc_requests_total", labels) == 1
