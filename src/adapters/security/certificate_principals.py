"""Which principal a client certificate's identity stands for, from a JSON document:

    {"spiffe://o2c/psa/certinia": {"system": "psa", "legal_entities": ["US01"],
                                   "scopes": ["billable-events:write", "engagements:read"]}}

The identity is the certificate's SAN URI, or else its subject CN. Every entry names all
three: a certificate gets nothing by omission."""

from __future__ import annotations

import json
from typing import Any

from domain.principal import MAX_SUBJECT_LENGTH, CallingSystem, Principal

SYSTEMS = ", ".join(system.value for system in CallingSystem)


class MappingProblem(ValueError):
    """A mapping o2c cannot use; the message names the identity and what is wrong with it."""


def principals_by_identity(document: str) -> dict[str, Principal]:
    try:
        entries = json.loads(document)
    except json.JSONDecodeError as error:
        raise MappingProblem(f"is not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(entries, dict):
        raise MappingProblem("is not a JSON object of identity → principal")
    return {identity: principal(identity, entry) for identity, entry in entries.items()}


def principal(identity: str, entry: Any) -> Principal:
    if len(identity) > MAX_SUBJECT_LENGTH or not identity.isprintable():
        raise MappingProblem(
            f"maps an identity that is not printable or longer than {MAX_SUBJECT_LENGTH} "
            f"characters: {identity[:64]!r}"
        )
    if not isinstance(entry, dict):
        raise MappingProblem(
            f"maps {identity!r} to no object with system, legal_entities and scopes"
        )
    return Principal(
        subject=identity,
        system=calling_system(identity, entry.get("system")),
        legal_entities=names(identity, entry, "legal_entities"),
        scopes=names(identity, entry, "scopes"),
    )


def calling_system(identity: str, value: Any) -> CallingSystem:
    try:
        return CallingSystem(value)
    except ValueError:
        raise MappingProblem(
            f"gives {identity!r} the system {value!r}, not one of {SYSTEMS}"
        ) from None


def names(identity: str, entry: dict[str, Any], key: str) -> frozenset[str]:
    value = entry.get(key)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise MappingProblem(
            f"gives {identity!r} no list of strings as {key} ([] for none; legal_entities "
            '["*"] for all)'
        )
    return frozenset(value)
