"""The longest value each string field of the API accepts, as `proto/` declares it.

One declaration serves the request check before any handler runs and the database columns
that hold the same values, so the two can never disagree.
"""

from __future__ import annotations

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from o2c.v1 import options_pb2


def max_length(message: type[Message], field_name: str) -> int:
    """The declared maximum of `message.field_name`; a string field without one is a bug."""
    field = message.DESCRIPTOR.fields_by_name[field_name]
    length = declared(field)
    if length is None:
        raise LookupError(f"{message.DESCRIPTOR.full_name}.{field_name} declares no max_length")
    return length


def declared(field: FieldDescriptor) -> int | None:
    options = field.GetOptions()
    if not options.HasExtension(options_pb2.max_length):
        return None
    return int(options.Extensions[options_pb2.max_length])


def undeclared_string_fields(message: Descriptor) -> list[str]:
    """Every string field reachable from `message` that declares no maximum, by full name."""
    missing: list[str] = []
    seen: set[str] = set()

    def visit(descriptor: Descriptor) -> None:
        if descriptor.full_name in seen:
            return
        seen.add(descriptor.full_name)
        for field in descriptor.fields:
            if field.type == FieldDescriptor.TYPE_STRING and declared(field) is None:
                missing.append(field.full_name)
            elif field.type == FieldDescriptor.TYPE_MESSAGE:
                visit(field.message_type)

    visit(message)
    return missing
