"""The fuzz's judge: which answers are faults. Without these, a fuzz that passes proves little."""

from __future__ import annotations

import grpc
from google.rpc import error_details_pb2, status_pb2

from entrypoints.grpc.errors import pack
from fuzz.cases import Case
from fuzz.judge import judged

CASE = Case("/o2c.v1.EngagementService/GetServiceEngagement", 7, b"\x0a\x01x", ())


class Refused(grpc.RpcError, grpc.Call):
    """What a client sees of a refused call: code, message and the google.rpc status."""

    def __init__(self, code: grpc.StatusCode, *details: object) -> None:
        self.status = status_pb2.Status(
            code=code.value[0], message="refused", details=[pack(d) for d in details]
        )
        self._code = code

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self.status.message

    def trailing_metadata(self):
        return (("grpc-status-details-bin", self.status.SerializeToString()),)

    def initial_metadata(self):
        return ()

    def is_active(self) -> bool:
        return False

    def time_remaining(self) -> float:
        return 0.0

    def cancel(self) -> bool:
        return False

    def add_callback(self, callback) -> bool:
        return False


def reason(name: str) -> error_details_pb2.ErrorInfo:
    return error_details_pb2.ErrorInfo(reason=name, domain="o2c.v1")


def naming(field: str) -> error_details_pb2.BadRequest:
    violation = error_details_pb2.BadRequest.FieldViolation(field=field, description="bad")
    return error_details_pb2.BadRequest(field_violations=[violation])


def test_an_internal_answer_is_a_fault():
    assert judged(CASE, Refused(grpc.StatusCode.INTERNAL, reason("X"))).problem


def test_an_unknown_answer_or_a_missed_deadline_is_a_fault():
    assert judged(CASE, Refused(grpc.StatusCode.UNKNOWN)).problem
    assert judged(CASE, Refused(grpc.StatusCode.DEADLINE_EXCEEDED)).problem


def test_invalid_argument_without_a_field_is_a_fault():
    answer = judged(CASE, Refused(grpc.StatusCode.INVALID_ARGUMENT, reason("INVALID_FIELD")))
    assert "names no field" in answer.problem


def test_invalid_argument_naming_its_field_is_an_answer():
    refused = Refused(grpc.StatusCode.INVALID_ARGUMENT, reason("INVALID_FIELD"), naming("key"))
    assert not judged(CASE, refused).problem


def test_undecodable_bytes_refused_as_malformed_need_no_field():
    refused = Refused(grpc.StatusCode.INVALID_ARGUMENT, reason("MALFORMED_REQUEST"))
    assert not judged(CASE, refused).problem


def test_not_found_is_an_answer():
    assert not judged(CASE, Refused(grpc.StatusCode.NOT_FOUND, reason("NOT_FOUND"))).problem
