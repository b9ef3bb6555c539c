"""What a refused gRPC call told its caller: code, message and google.rpc details."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest
from attrs import frozen
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status


@frozen
class Refusal:
    code: grpc.StatusCode
    message: str
    details: tuple[Message, ...]
    size: int

    @property
    def reason(self) -> str:
        return self.detail(error_details_pb2.ErrorInfo).reason

    @property
    def field(self) -> str:
        """The field a BadRequest names; empty when there is no BadRequest."""
        bad = self.detail(error_details_pb2.BadRequest)
        return bad.field_violations[0].field if bad.field_violations else ""

    def detail(self, kind: type[Message]) -> Message:
        found = [detail for detail in self.details if isinstance(detail, kind)]
        return found[0] if found else kind()


DETAIL_KINDS = (
    error_details_pb2.ErrorInfo,
    error_details_pb2.BadRequest,
    error_details_pb2.RetryInfo,
)


def refusal_of(call: Callable[[], object]) -> Refusal:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    return refusal_from(caught.value)


def refusal_from(error: grpc.RpcError) -> Refusal:
    status = rpc_status.from_call(error)
    return Refusal(
        code=error.code(),
        message=error.details(),
        details=details_of(status) if status else (),
        size=status.ByteSize() if status else 0,
    )


def details_of(status: status_pb2.Status) -> tuple[Message, ...]:
    return tuple(unpacked(packed) for packed in status.details)


def unpacked(packed: any_pb2.Any) -> Message:
    for kind in DETAIL_KINDS:
        if packed.Is(kind.DESCRIPTOR):
            detail = kind()
            packed.Unpack(detail)
            return detail
    return packed
