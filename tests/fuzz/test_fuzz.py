"""At least 10,000 mutated requests across every RPC of o2c's services, against the whole
service on SQLite: no INTERNAL (nor any other answer that means a server fault), no crash (health
answers afterwards), no hang (each call has a deadline), and every INVALID_ARGUMENT names its
field in a BadRequest — but for bytes that are no request at all, refused as MALFORMED_REQUEST.

Seeded: the seed is printed, and FUZZ_SEED=<seed> sends the same requests again. FUZZ_COUNT sets
the requests per RPC (`make fuzz` sends 100,000 per RPC)."""

from __future__ import annotations

import collections
import math
import os
import random
from collections.abc import Iterable, Iterator
from concurrent import futures

import grpc
import pytest
from attrs import define, field
from grpc_health.v1 import health_pb2, health_pb2_grpc
from support.auth import call_metadata
from support.requests import closed_won

from fuzz.cases import CaseMaker, rpcs, starting_requests
from fuzz.judge import Answer, answer_to
from o2c.v1 import engagement_pb2_grpc

SEED = int(os.environ.get("FUZZ_SEED") or random.SystemRandom().randrange(2**32))
PER_RPC = os.environ.get("FUZZ_COUNT")
IN_THE_SUITE = 10_000
CLIENT_THREADS = 8
BATCH = 25
SHOWN = 10


def batches(count: int) -> Iterator[tuple[int, range]]:
    """(rpc number, case indexes), the RPCs taking turns so that all of them run side by side."""
    methods = len(rpcs())
    for start in range(0, count, BATCH):
        for rpc in range(methods):
            yield rpc, range(start, min(start + BATCH, count))


@define
class Outcome:
    """What the server answered, counted per RPC and code; the faults kept to be shown."""

    counts: collections.Counter[tuple[str, str]] = field(factory=collections.Counter)
    faults: list[Answer] = field(factory=list)

    def add(self, answers: Iterable[Answer]) -> None:
        for answer in answers:
            self.counts[answer.case.path.rsplit("/", 1)[1], answer.code.name] += 1
            if answer.problem:
                self.faults.append(answer)

    @property
    def sent(self) -> int:
        return sum(self.counts.values())

    def __str__(self) -> str:
        return "\n".join(f"  {rpc} {code}: {n}" for (rpc, code), n in sorted(self.counts.items()))


def fuzz(channel: grpc.Channel, maker: CaseMaker, count: int) -> Outcome:
    methods, outcome = rpcs(), Outcome()

    def run(rpc: int, indexes: range) -> list[Answer]:
        return [answer_to(channel, maker.case(methods[rpc], index)) for index in indexes]

    with futures.ThreadPoolExecutor(CLIENT_THREADS) as pool:
        for answers in pool.map(lambda batch: run(*batch), batches(count)):
            outcome.add(answers)
    return outcome


def requests_per_rpc() -> int:
    return int(PER_RPC) if PER_RPC else math.ceil(IN_THE_SUITE / len(rpcs()))


@pytest.fixture
def case_maker(fuzz_channel):
    """Cases that start from a real engagement, so that valid requests reach deep."""
    engagements = engagement_pb2_grpc.EngagementServiceStub(fuzz_channel)
    created = engagements.CreateServiceEngagement(
        closed_won(f"FZ{SEED}"), metadata=call_metadata("crm")
    ).engagement
    return CaseMaker(SEED, starting_requests(created.engagement_id, created.opportunity_id))


@pytest.mark.timeout(0 if PER_RPC else 900)
def test_mutated_requests_to_every_rpc_get_a_refusal_naming_the_field_never_a_fault(
    fuzz_channel, case_maker, capsys
):
    count = requests_per_rpc()
    with capsys.disabled():  # the seed and the tally show even when the test passes
        print(f"\nfuzz: FUZZ_SEED={SEED}, {count} requests to each of {len(rpcs())} RPCs")
    outcome = fuzz(fuzz_channel, case_maker, count)
    with capsys.disabled():
        print(outcome)
    assert outcome.sent >= min(IN_THE_SUITE, count * len(rpcs()))
    assert not outcome.faults, (
        f"{len(outcome.faults)} of {outcome.sent} answers are faults (replay with "
        f"FUZZ_SEED={SEED}{f' FUZZ_COUNT={PER_RPC}' if PER_RPC else ''}):\n"
        + "\n".join(str(fault) for fault in outcome.faults[:SHOWN])
    )
    health = health_pb2_grpc.HealthStub(fuzz_channel).Check(
        health_pb2.HealthCheckRequest(), timeout=5
    )
    assert health.status == health_pb2.HealthCheckResponse.SERVING
