"""A small month-end across the replicas: engagements closed-won, time approved through every
replica, then a finalising billing cycle handed out in chunks through the work-queue stream.
One replica is killed with SIGKILL as soon as the first chunk is billed; its unacknowledged
chunk goes to another replica. A call that meets a dead replica goes to the next one with the
same request id, as a client with a load balancer would retry it."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import grpc
from attrs import define, field, frozen

from adapters.messaging.chunk_queue import BillingChunk, ChunkQueue
from entrypoints.cluster.replicas import Replica
from entrypoints.demo_requests import CallerMetadata, billed_by, terms, time_worked
from o2c.v1 import billing_pb2, billing_pb2_grpc, engagement_pb2_grpc

Reply = TypeVar("Reply")
CALLERS = ("crm", "psa", "billing")
FAILOVER_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED})


@frozen
class MonthEnd:
    engagement_ids: list[str]
    approved_sources: list[str]
    killed: str
    killed_exit_code: int | None
    calls_failed_over: int


@define
class Spread:
    """Sends each call to a replica in turn, and to the next live one when that one is gone."""

    replicas: Sequence[Replica]
    calling_as: CallerMetadata
    channels: list[grpc.Channel] = field(init=False)
    signed: dict[str, object] = field(init=False)
    failed_over: int = 0
    _lock: threading.Lock = field(factory=threading.Lock)

    def __attrs_post_init__(self) -> None:
        self.channels = [grpc.insecure_channel(r.address) for r in self.replicas]
        # Signed once, before the threads start: signing writes the development keys.
        self.signed = {system: self.calling_as(system) for system in CALLERS}

    def call(self, turn: int, system: str, send: Callable[[grpc.Channel, object], Reply]) -> Reply:
        metadata = self.signed[system]
        for attempt in range(2 * len(self.replicas)):
            index = (turn + attempt) % len(self.replicas)
            if not self.replicas[index].alive:
                continue
            try:
                return send(self.channels[index], metadata)
            except grpc.RpcError as error:
                if error.code() not in FAILOVER_CODES:
                    raise
                with self._lock:
                    self.failed_over += 1
        raise RuntimeError("no replica answered")

    def close(self) -> None:
        for channel in self.channels:
            channel.close()


def month_end(
    replicas: Sequence[Replica],
    calling_as: CallerMetadata,
    run: str,
    sizes: tuple[int, int, int],
    chunks: ChunkQueue,
    invoiced: Callable[[], int],
) -> MonthEnd:
    """`sizes`: engagements, time entries each, engagements per billing chunk; `invoiced()`:
    how many invoices the replicas have finalised so far."""
    engagements, entries_each, chunk_size = sizes
    spread = Spread(replicas, calling_as)
    victim = replicas[-1]
    try:
        engagement_ids = [create(spread, run, number) for number in range(engagements)]
        approvals = [
            (engagement_id, f"TC-{number}-{entry}", 1 + entry % 28)
            for number, engagement_id in enumerate(engagement_ids)
            for entry in range(entries_each)
        ]

        def approve(turn: int) -> str:
            engagement_id, source, day = approvals[turn]
            request = time_worked(run, engagement_id, source, day, "7.5")
            reply = spread.call(turn, "psa", approval_sender(request))
            return str(reply.staged_line.source_id)

        with ThreadPoolExecutor(max_workers=6) as pool:
            sources = list(pool.map(approve, range(len(approvals))))
        hand_out(chunks, f"cluster-{run}", engagement_ids, chunk_size)
        wait_for(lambda: invoiced() > 0, timeout=60)
        victim.kill()
    finally:
        spread.close()
    return MonthEnd(
        engagement_ids,
        sources,
        killed=victim.name,
        killed_exit_code=victim.process.returncode if victim.process else None,
        calls_failed_over=spread.failed_over,
    )


def create(spread: Spread, run: str, number: int) -> str:
    request = billed_by(run, f"ME{number}", terms("TIME_AND_MATERIALS"))

    def send(channel: grpc.Channel, metadata: object) -> str:
        stub = engagement_pb2_grpc.EngagementServiceStub(channel)
        reply = stub.CreateServiceEngagement(request, metadata=metadata, timeout=30)
        return str(reply.engagement.engagement_id)

    return spread.call(number, "crm", send)


def approval_sender(
    request: billing_pb2.ApproveBillableEventRequest,
) -> Callable[[grpc.Channel, object], billing_pb2.ApproveBillableEventResponse]:
    def send(channel: grpc.Channel, metadata: object) -> billing_pb2.ApproveBillableEventResponse:
        stub = billing_pb2_grpc.BillingServiceStub(channel)
        reply: billing_pb2.ApproveBillableEventResponse = stub.ApproveBillableEvent(
            request, metadata=metadata, timeout=30
        )
        return reply

    return send


def hand_out(queue: ChunkQueue, cycle_id: str, engagement_ids: list[str], size: int) -> None:
    as_of = dt.date(2026, 12, 31)
    chunks = [
        BillingChunk(cycle_id, as_of, tuple(engagement_ids[start : start + size]))
        for start in range(0, len(engagement_ids), size)
    ]

    async def queue_them() -> None:
        try:
            await queue.hand_out(chunks)
        finally:
            await queue.close()

    asyncio.run(queue_them())


def wait_for(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not so after {timeout}s")
        time.sleep(0.02)
