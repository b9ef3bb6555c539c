"""Which answers to a fuzz case are faults: any code that is no answer to a request (INTERNAL,
UNKNOWN, a missed deadline, a server gone), and an INVALID_ARGUMENT that names no field — but for
bytes that are no request at all, refused as MALFORMED_REQUEST."""

from __future__ import annotations

import os

import grpc
from attrs import frozen
from support.statuses import refusal_from

from fuzz.cases import Case

DEADLINE_SECONDS = float(os.environ.get("FUZZ_DEADLINE_SECONDS", "20"))
ACCEPTED = {
    grpc.StatusCode.OK,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.OUT_OF_RANGE,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
}
MALFORMED = "MALFORMED_REQUEST"


@frozen
class Answer:
    case: Case
    code: grpc.StatusCode
    problem: str = ""

    def __str__(self) -> str:
        payload = self.case.payload
        shown = payload[:120].hex() + ("…" if len(payload) > 120 else "")
        return (
            f"{self.case.path} case {self.case.index}: {self.code.name}: {self.problem}\n"
            f"    payload {shown}"
        )


def answer_to(channel: grpc.Channel, case: Case) -> Answer:
    call = channel.unary_unary(case.path)  # bytes in, bytes out: any payload can be sent
    try:
        call(case.payload, timeout=DEADLINE_SECONDS, metadata=case.metadata)
    except grpc.RpcError as error:
        return judged(case, error)
    return Answer(case, grpc.StatusCode.OK)


def judged(case: Case, error: grpc.RpcError) -> Answer:
    refusal = refusal_from(error)
    if refusal.code not in ACCEPTED:
        return Answer(case, refusal.code, f"not an answer for a request: {refusal.message!r}")
    if refusal.code == grpc.StatusCode.INVALID_ARGUMENT and not (
        refusal.field or refusal.reason == MALFORMED
    ):
        return Answer(case, refusal.code, f"names no field: {refusal.reason} {refusal.message!r}")
    return Answer(case, refusal.code)
