"""The longest value each string field of the API accepts, and the most items each repeated
field accepts, as `proto/` declares them with protovalidate (`(buf.validate.field)`).

One declaration serves protovalidate's check of every request before any handler runs and the
database columns that hold the same values, so the two can never disagree.
"""

from __future__ import annotations

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from buf.validate import validate_pb2
from o2c.v1 import options_pb2


def max_length(message: type[Message], field_name: str) -> int:
    """The declared maximum of `message.field_name`; a string field without one is a bug."""
    field = message.DESCRIPTOR.fields_by_name[field_name]
    length = declared(field)
    if length is None:
        raise LookupError(f"{message.DESCRIPTOR.full_name}.{field_name} declares no string.max_len")
    return length


def declared(field: FieldDescriptor) -> int | None:
    """The longest string the field holds: its own, or each item's of a repeated field."""
    rules = rules_of(field)
    if rules is None:
        return None
    strings = rules.repeated.items.string if field.is_repeated else rules.string
    return int(strings.max_len) if strings.HasField("max_len") else None


def declared_items(field: FieldDescriptor) -> int | None:
    rules = rules_of(field)
    if rules is None or not rules.repeated.HasField("max_items"):
        return None
    return int(rules.repeated.max_items)


def rules_of(field: FieldDescriptor) -> validate_pb2.FieldRules | None:
    options = field.GetOptions()
    if not options.HasExtension(validate_pb2.field):
        return None
    return options.Extensions[validate_pb2.field]


def is_identifier(field: FieldDescriptor) -> bool:
    return bool(field.GetOptions().Extensions[options_pb2.identifier])


def undeclared_string_fields(message: Descriptor) -> list[str]:
    """Every string field reachable from `message` that declares no maximum, by full name."""
    strings = (f for f in reachable_fields(message) if f.type == FieldDescriptor.TYPE_STRING)
    return [field.full_name for field in strings if declared(field) is None]


def unbounded_repeated_fields(message: Descriptor) -> list[str]:
    """Every repeated field reachable from `message` that declares no most items."""
    repeated = (field for field in reachable_fields(message) if field.is_repeated)
    return [field.full_name for field in repeated if declared_items(field) is None]


def reachable_fields(message: Descriptor) -> list[FieldDescriptor]:
    fields: list[FieldDescriptor] = []
    seen: set[str] = set()

    def visit(descriptor: Descriptor) -> None:
        if descriptor.full_name in seen:
            return
        seen.add(descriptor.full_name)
        for field in descriptor.fields:
            fields.append(field)
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                visit(field.message_type)

    visit(message)
    return fields
