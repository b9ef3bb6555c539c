"""What the audit reads from a call: whether the method can change something, the request's
id and business key (read from the field its proto marks `(o2c.v1.business_key)`), and the
outcome (gRPC code and ErrorInfo reason). Never the token, never the payload."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import grpc
from google.protobuf import descriptor_pool
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.descriptor_pb2 import MethodOptions
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2

from o2c.v1 import options_pb2

O2C_PACKAGE = "o2c.v1."
STATUS_DETAILS = "grpc-status-details-bin"
UNEXPECTED = grpc.StatusCode.INTERNAL.name  # what the error boundary makes of an exception


@functools.cache
def is_mutating(method_path: str) -> bool:
    """An o2c RPC whose descriptor does not declare `idempotency_level = NO_SIDE_EFFECTS`."""
    method = o2c_method(method_path)
    return method is not None and (
        method.GetOptions().idempotency_level != MethodOptions.NO_SIDE_EFFECTS
    )


def o2c_method(method_path: str) -> MethodDescriptor | None:
    service, _, name = method_path.lstrip("/").partition("/")
    if not service.startswith(O2C_PACKAGE):
        return None
    try:
        return descriptor_pool.Default().FindMethodByName(f"{service}.{name}")
    except KeyError:
        return None


def request_id_of(request: object) -> str:
    if not isinstance(request, Message) or "request_id" not in request.DESCRIPTOR.fields_by_name:
        return ""
    return str(request.request_id)


def business_key_of(request: object) -> str:
    """The value of the field marked as the business key, or "" when the request has none.
    Of several marked fields (one per event of a oneof), the first the caller set."""
    if not isinstance(request, Message):
        return ""
    for path in business_key_paths(request.DESCRIPTOR):
        value = value_at(request, path)
        if value:
            return value
    return ""


def value_at(request: Message, path: tuple[str, ...]) -> str:
    value: Any = request
    for name in path[:-1]:
        if not value.HasField(name):
            return ""
        value = getattr(value, name)
    return str(getattr(value, path[-1]))


def business_key_path(message: Descriptor) -> tuple[str, ...]:
    """Field names from `message` down to its business key: the first one marked."""
    paths = business_key_paths(message)
    return paths[0] if paths else ()


@functools.cache
def business_key_paths(
    message: Descriptor, seen: frozenset[str] = frozenset()
) -> tuple[tuple[str, ...], ...]:
    """Every path from `message` down to a field marked as the business key, depth first."""
    paths: list[tuple[str, ...]] = []
    for field in message.fields:
        if is_business_key(field):
            paths.append((field.name,))
        elif nested_once(field) and field.message_type.full_name not in seen:
            inner = business_key_paths(field.message_type, seen | {message.full_name})
            paths.extend((field.name, *path) for path in inner)
    return tuple(paths)


def is_business_key(field: FieldDescriptor) -> bool:
    return bool(field.GetOptions().Extensions[options_pb2.business_key])


def nested_once(field: FieldDescriptor) -> bool:
    return field.type == FieldDescriptor.TYPE_MESSAGE and not field.is_repeated


def outcome_of(context: grpc.ServicerContext) -> tuple[str, str]:
    """The (code, reason) a call that raised ends with: as aborted, or INTERNAL."""
    code = context.code()
    if code is None:
        return UNEXPECTED, ""
    return code_name(code), reason_in(context.trailing_metadata() or ())


def code_name(code: grpc.StatusCode | int | str) -> str:
    if isinstance(code, grpc.StatusCode):
        return code.name
    if isinstance(code, int):
        return next((c.name for c in grpc.StatusCode if c.value[0] == code), str(code))
    return code


def reason_in(trailing_metadata: Sequence[tuple[str, str | bytes]]) -> str:
    for key, value in trailing_metadata:
        if key == STATUS_DETAILS and isinstance(value, bytes):
            return error_info_reason(status_pb2.Status.FromString(value))
    return ""


def error_info_reason(status: status_pb2.Status) -> str:
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info.reason
    return ""
