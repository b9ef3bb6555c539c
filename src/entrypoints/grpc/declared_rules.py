"""The rules `proto/` declares on request fields with protovalidate (`(buf.validate.field)`,
`(buf.validate.oneof)`), enforced by protovalidate itself: each violation becomes o2c's refusal,
naming the field by the path the caller wrote (`opportunity.work_packages[1].name`).

A rule that appears in `proto/` only is enforced all the same; the rules o2c's callers rely on
keep the reasons they always had."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import protovalidate
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message

from domain.errors import FieldTooLong, InvalidField, TooManyItems, UnknownValue

VALIDATOR = protovalidate.Validator()


def rule_violations(request: Message) -> Iterator[InvalidField]:
    for violation in VALIDATOR.collect_violations(request):
        yield refusal(request.DESCRIPTOR, violation)


def refusal(request: Descriptor, violation: protovalidate.Violation) -> InvalidField:
    elements = list(violation.proto.field.elements) if violation.proto.field else []
    path = caller_path(elements)
    parent = containing_message(request, elements[:-1])
    rule = rule_names(violation)
    if rule[-2:] == ("string", "max_len"):
        limit = str(violation.rule_value)
        message = f"{path} is longer than {limit} characters"
        return FieldTooLong(message, field=path, keys={"max_length": limit})
    if rule[-2:] == ("repeated", "max_items"):
        most = str(violation.rule_value)
        message = f"{path} has more than {most} items"
        return TooManyItems(message, field=path, keys={"max_items": most})
    if rule[-2:] == ("enum", "defined_only"):
        enum = parent.fields_by_number[elements[-1].field_number].enum_type.name
        return UnknownValue(f"{path} is not a value that {enum} has", field=path)
    if elements and elements[-1].field_name in parent.oneofs_by_name:
        return oneof_required(parent, elements[-1].field_name, path)
    if rule == ("required",):
        return InvalidField(f"{path} is required", field=path)
    return InvalidField(
        f"{path} {violation.proto.message}", field=path, keys={"rule": violation.proto.rule_id}
    )


def oneof_required(parent: Descriptor, oneof: str, path: str) -> InvalidField:
    """A oneof of one field is named by its field; of several, by the names it takes."""
    fields = [field.name for field in parent.oneofs_by_name[oneof].fields]
    if len(fields) == 1:
        path = path.removesuffix(oneof) + fields[0]
        return InvalidField(f"{path} is required", field=path)
    return InvalidField(f"{' or '.join(fields)} is required", field=path)


def rule_names(violation: protovalidate.Violation) -> tuple[str, ...]:
    rule = violation.proto.rule
    return tuple(element.field_name for element in rule.elements) if rule else ()


def containing_message(request: Descriptor, elements: list[Any]) -> Descriptor:
    message = request
    for element in elements:
        message = message.fields_by_number[element.field_number].message_type
    return message


def caller_path(elements: list[Any]) -> str:
    return ".".join(element.field_name + subscript(element) for element in elements)


def subscript(element: Any) -> str:
    if element.subscript is None:
        return ""
    value = element.subscript.value
    return f'["{value}"]' if isinstance(value, str) else f"[{value}]"
