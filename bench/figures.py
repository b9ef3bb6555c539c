"""o2c's figures and the gRPC echo baseline, each driven by the same client harness."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import grpc
import psycopg
from google.protobuf import descriptor

from bench import requests
from bench.echo import echo_call
from bench.harness import Load, closed_loop, paced
from bench.scratch import libpq_url
from bench.service import Service
from o2c.v1 import billing_pb2, billing_pb2_grpc, engagement_pb2_grpc

THREADS = (1, 2, 4, 8, 16)
CURRENCIES = {"US01": "USD", "GB01": "GBP"}


@dataclass(frozen=True)
class Curve:
    """Closed-loop loads at each client thread count, and the paced run at half of 8 threads."""

    loads: list[Load]
    half_load: Load | None = None

    def at(self, threads: int) -> Load:
        return next(load for load in self.loads if load.threads == threads)

    def as_dict(self) -> dict[str, Any]:
        return {
            "by_threads": [load.as_dict() for load in self.loads],
            "half_load": self.half_load.as_dict() if self.half_load else None,
        }


def curve(call: Callable[[int], object], seconds: float, with_half_load: bool) -> Curve:
    numbers = itertools.count()
    loads = [closed_loop(call, threads, seconds, numbers) for threads in THREADS]
    if not with_half_load:
        return Curve(loads)
    at_eight = next(load for load in loads if load.threads == 8)
    return Curve(loads, paced(call, at_eight.rps / 2, 8, seconds, numbers))


def echo_curve(port: int, seconds: float) -> Curve:
    payload = requests.approval("ECHO", "engagement-id-of-usual-length", 0).SerializeToString()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        echo = echo_call(channel)
        return curve(lambda _number: echo(payload), seconds, with_half_load=True)


def engagements(
    service: Service, key: str, count: int, threads: int = 8, legal_entity: str = "US01"
) -> list[str]:
    with service.channel() as channel:
        stub = engagement_pb2_grpc.EngagementServiceStub(channel)
        crm = service.metadata("crm")

        def create(number: int) -> str:
            currency = CURRENCIES[legal_entity]
            request = requests.closed_won(f"{key}-{number}", legal_entity, currency)
            return str(stub.CreateServiceEngagement(request, metadata=crm).engagement.engagement_id)

        with futures.ThreadPoolExecutor(threads) as pool:
            return list(pool.map(create, range(count)))


def unary_curve(service: Service, engagement_ids: list[str], seconds: float) -> Curve:
    with service.channel() as channel:
        stub = billing_pb2_grpc.BillingServiceStub(channel)
        psa = service.metadata("psa")

        def approve(number: int) -> None:
            engagement = engagement_ids[number % len(engagement_ids)]
            answer = stub.ApproveBillableEvent(
                requests.approval("UNARY", engagement, number), metadata=psa
            )
            assert not answer.already_staged

        return curve(approve, seconds, with_half_load=True)


def saga_steps_per_second(service: Service, threads: int, seconds: float) -> dict[str, Any]:
    """Provisioning sagas against the sandbox vendors at `threads` callers: steps recorded/s."""
    before = _saga_steps(service)
    with service.channel() as channel:
        stub = engagement_pb2_grpc.EngagementServiceStub(channel)
        crm = service.metadata("crm")

        def create(number: int) -> None:
            stub.CreateServiceEngagement(requests.closed_won(f"SAGA-{number}"), metadata=crm)

        load = closed_loop(create, threads, seconds, itertools.count())
    steps = _saga_steps(service) - before
    return {"steps": steps, "per_second": steps / load.seconds, "engagements": load.as_dict()}


def _saga_steps(service: Service) -> int:
    with psycopg.connect(libpq_url(service.values["O2C_DATABASE_URL"])) as connection:
        row = connection.execute("SELECT count(*) FROM saga_steps").fetchone()
    return int(row[0]) if row else 0


def approve_in_batches(
    service: Service, key: str, engagement_ids: list[str], events: int, batch: int, threads: int
) -> dict[str, Any]:
    """`events` approved through ApproveBillableEvents, `batch` a call, `threads` callers."""
    with service.channel() as channel:
        stub = billing_pb2_grpc.BillingServiceStub(channel)
        psa = service.metadata("psa")

        def send(first: int) -> int:
            size = min(batch, events - first)
            answer = stub.ApproveBillableEvents(
                requests.batch(key, engagement_ids, first, size), metadata=psa
            )
            return sum(1 for result in answer.results if result.HasField("staged_line"))

        began = time.perf_counter()
        with futures.ThreadPoolExecutor(threads) as pool:
            staged = sum(pool.map(send, range(0, events, batch)))
        elapsed = time.perf_counter() - began
    return {
        "events": events,
        "staged": staged,
        "batch": batch,
        "threads": threads,
        "seconds": round(elapsed, 3),
        "per_second": staged / elapsed,
    }


def streaming_import(
    service: Service, key: str, engagement_ids: list[str], events: int, batch: int
) -> dict[str, Any] | None:
    """The client-streaming import RPC, when BillingService has one: None until then."""
    method = _client_streaming_import()
    if method is None:
        return None
    request_type = method.input_type._concrete_class
    items_field = next(
        field.name
        for field in method.input_type.fields
        if field.message_type is billing_pb2.BillableEventItem.DESCRIPTOR
    )

    def messages() -> Any:
        for first in range(0, events, batch):
            items = requests.batch(key, engagement_ids, first, min(batch, events - first)).items
            yield request_type(**{items_field: items})

    path = f"/{method.containing_service.full_name}/{method.name}"
    with service.channel() as channel:
        call = channel.stream_unary(
            path,
            request_serializer=request_type.SerializeToString,
            response_deserializer=method.output_type._concrete_class.FromString,
        )
        began = time.perf_counter()
        call(messages(), metadata=service.metadata("psa"))
        elapsed = time.perf_counter() - began
    return {
        "rpc": method.name,
        "events": events,
        "batch": batch,
        "seconds": round(elapsed, 3),
        "per_second": events / elapsed,
    }


def _client_streaming_import() -> descriptor.MethodDescriptor | None:
    service = billing_pb2.DESCRIPTOR.services_by_name["BillingService"]
    for method in service.methods:
        takes_items = any(
            field.message_type is billing_pb2.BillableEventItem.DESCRIPTOR
            for field in method.input_type.fields
        )
        if method.client_streaming and takes_items:
            return method
    return None


def billing_cycle(service: Service, key: str, engagement_ids: list[str]) -> dict[str, Any]:
    """One finalising cycle over `engagement_ids`, in calls of at most 1,000 engagements."""
    with service.channel() as channel:
        stub = billing_pb2_grpc.BillingServiceStub(channel)
        billing = service.metadata("billing")
        began = time.perf_counter()
        invoices = 0
        for first in range(0, len(engagement_ids), 1000):
            chunk = engagement_ids[first : first + 1000]
            answer = stub.RunBillingCycle(
                requests.billing_cycle(f"{key}-{first}", chunk), metadata=billing, timeout=3600
            )
            invoices += len(answer.invoices)
        elapsed = time.perf_counter() - began
    return {"engagements": len(engagement_ids), "invoices": invoices, "seconds": round(elapsed, 3)}
