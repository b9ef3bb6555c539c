"""What every request must respect before any handler runs, as `proto/` declares it: first
the rules declared with protovalidate (no string longer than its field allows, no repeated field
with more items than it allows, no enum number its enum does not define, no required field
absent; see `declared_rules`), then what protovalidate cannot express: no control characters
(NUL, terminal escapes, text-direction overrides) in any string, and no identifier that merely
looks like another (full-width, decomposed or invisible characters). The same request gets the
same answer whatever database stands behind the server."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from adapters.declared_lengths import is_identifier
from domain.errors import ControlCharacters, InvalidField, LookAlikeIdentifier
from entrypoints.grpc.declared_rules import rule_violations

# Descriptors never change while the process runs; reading their options halves the check's cost.
identifier = functools.cache(is_identifier)
# C0 and C1 controls but tab, line feed and carriage return; bidirectional embeddings,
# overrides and isolates, which make text read otherwise than it is stored.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def check_request(request: Message) -> None:
    """Refuse the first field over its declared limits, named as the caller wrote it."""
    for violation in rule_violations(request):
        raise violation
    for violation in text_violations(request):
        raise violation


def text_violations(message: Message, prefix: str = "") -> Iterator[InvalidField]:
    for field, value in message.ListFields():
        path = prefix + field.name
        if not field.is_repeated:
            yield from value_violations(field, value, path)
            continue
        for index, item in enumerate(value):
            yield from value_violations(field, item, f"{path}[{index}]")


def value_violations(field: FieldDescriptor, value: object, path: str) -> Iterator[InvalidField]:
    if isinstance(value, Message):
        yield from text_violations(value, path + ".")
    elif isinstance(value, str):
        if CONTROL.search(value):
            yield ControlCharacters(
                f"{path} contains control characters (such as NUL, escape codes or "
                "text-direction overrides)",
                field=path,
            )
        elif identifier(field) and not canonical(value):
            yield LookAlikeIdentifier(
                f"{path} is an identifier and must be sent in Unicode NFKC form, without "
                "invisible characters (such as zero-width spaces or full-width letters)",
                field=path,
            )


def canonical(value: str) -> bool:
    """No other text looks the same: NFKC already, and no invisible formatting characters."""
    if value.isascii():
        return True
    invisible = any(unicodedata.category(char) == "Cf" for char in value)
    return not invisible and unicodedata.normalize("NFKC", value) == value
