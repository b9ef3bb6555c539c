"""The declared maximum length of every string in a request, checked before any handler runs."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from adapters.declared_lengths import declared
from domain.errors import FieldTooLong

# Descriptors never change while the process runs; reading their options halves the check's cost.
limit_of = functools.cache(declared)


def check_lengths(request: Message) -> None:
    """Refuse the first string longer than its field declares, named as the caller wrote it."""
    for path, limit in overlong_strings(request):
        raise FieldTooLong(
            f"{path} is longer than {limit} characters",
            field=path,
            keys={"max_length": str(limit)},
        )


def overlong_strings(message: Message, prefix: str = "") -> Iterator[tuple[str, int]]:
    for field, value in message.ListFields():
        path = prefix + field.name
        if field.is_repeated:
            for index, item in enumerate(value):
                yield from overlong_value(field, item, f"{path}[{index}]")
        else:
            yield from overlong_value(field, value, path)


def overlong_value(field: FieldDescriptor, value: object, path: str) -> Iterator[tuple[str, int]]:
    if isinstance(value, Message):
        yield from overlong_strings(value, path + ".")
    elif isinstance(value, str):
        limit = limit_of(field)
        if limit is not None and len(value) > limit:
            yield path, limit
