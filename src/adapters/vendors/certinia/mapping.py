"""Which field of Certinia's objects holds each of o2c's words: a TOML file, the packaged
`mapping.toml` unless the firm names its own. A file o2c cannot use is refused when it is
loaded, naming its table and key; fields under `extensions` are read and carried along."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from importlib import resources
from pathlib import Path
from typing import Any

from attrs import field, frozen

from adapters.vendors.salesforce.mapping import API_NAME

PACKAGED_FILE = "mapping.toml"
RELATIONSHIP = re.compile(r"([A-Za-z][A-Za-z0-9]*__)?[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*(__r)?")
INVOICE = frozenset({"invoiced", "invoice_number", "invoice_date"})
WORK = INVOICE | {"approved_on", "day", "project"}
Scalar = str | bool | int | float


class CertiniaMappingError(ValueError):
    """A mapping o2c cannot use; the message names the table and the key."""


@frozen
class Spec:
    object: str  # Certinia's object; "" when the mapping names it
    written: frozenset[str]  # o2c writes these: plain fields of the object
    read: frozenset[str] = frozenset()  # o2c reads these: fields or paths through lookups
    optional: frozenset[str] = frozenset()
    fixed: bool = False  # may give [x.fixed] values written on every record o2c creates


SPECS = {
    "project": Spec(
        "pse__Proj__c",
        frozenset({"external_id", "name", "account", "opportunity", "active", "start_date"})
        | {"end_date", "engagement_id", "region"},
        optional=frozenset({"account", "opportunity", "start_date", "end_date"})
        | {"engagement_id", "region"},
        fixed=True,
    ),
    "milestones": Spec(
        "pse__Milestone__c",
        frozenset({"external_id", "project", "code", "name", "amount", "currency"}) | INVOICE,
        WORK,
        optional=frozenset({"currency"}),
        fixed=True,
    ),
    "change_orders": Spec(
        "",
        frozenset({"external_id", "project", "engagement_id", "version", "effective_on"})
        | {"summary"},
        optional=frozenset({"engagement_id", "effective_on"}),
        fixed=True,
    ),
    "timecards": Spec("pse__Timecard__c", INVOICE, WORK | {"hours", "resource", "role"}),
    "expenses": Spec(
        "pse__Expense__c", INVOICE, WORK | {"resource", "category", "amount", "currency"}
    ),
}
WORK_SECTIONS = ("timecards", "expenses", "milestones")


@frozen
class Section:
    object: str
    fields: Mapping[str, str]  # o2c's name -> the field's API name, or a path for a read
    extensions: Mapping[str, str] = field(factory=dict)  # extension name -> path
    approved_when: Mapping[str, Scalar] = field(factory=dict)  # field -> value once approved
    fixed: Mapping[str, Scalar] = field(factory=dict)  # field -> value on every record made

    def __getitem__(self, name: str) -> str:
        """The API name or path of `name`; "" for an optional field the firm does not map."""
        return self.fields.get(name, "")


@frozen
class CertiniaMapping:
    project: Section
    milestones: Section
    change_orders: Section
    timecards: Section
    expenses: Section

    def work(self, kind: str) -> Section | None:
        return {"time": self.timecards, "expense": self.expenses, "milestone": self.milestones}.get(
            kind
        )


def load_mapping(path: str = "") -> CertiniaMapping:
    """The file at `path`, or the mapping packaged with o2c when `path` is empty."""
    source = Path(path) if path else resources.files(__package__).joinpath(PACKAGED_FILE)
    try:
        return parse_mapping(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, CertiniaMappingError) as error:
        raise CertiniaMappingError(f"Certinia mapping {source}: {error}") from error


def parse_mapping(text: str) -> CertiniaMapping:
    document = tomllib.loads(text)
    check_keys(document, set(SPECS), "the file", required=set(SPECS))
    return CertiniaMapping(
        **{name: section(name, spec, document[name]) for name, spec in SPECS.items()}
    )


def section(name: str, spec: Spec, table: Any) -> Section:
    if not isinstance(table, dict):
        raise CertiniaMappingError(f"{name}: is a table, e.g. [{name}]")
    keys = spec.written | spec.read
    extras = {"object"} if not spec.object else set()
    extras |= {"fixed"} if spec.fixed else set()
    extras |= {"approved_when", "extensions"} if spec.read else set()
    required = (keys - spec.optional) | ({"object"} if not spec.object else set())
    required |= {"approved_when"} if spec.read else set()
    check_keys(table, keys | extras, name, required=required)
    fields = {
        key: (api_name(table, key, name) if key in spec.written else path(table, key, name))
        for key in keys
        if key in table
    }
    return Section(
        object=spec.object or api_name(table, "object", name),
        fields=fields,
        extensions=extensions(table.get("extensions", {}), name),
        approved_when=values(table.get("approved_when", {}), f"{name}.approved_when"),
        fixed=values(table.get("fixed", {}), f"{name}.fixed"),
    )


def extensions(value: Any, where: str) -> dict[str, str]:
    if isinstance(value, list) and all(isinstance(n, str) for n in value):
        value = {name: name for name in value}
    if not isinstance(value, dict):
        raise CertiniaMappingError(
            f"{where}.extensions: is a table of names and fields, "
            '{ billable = "pse__Billable__c" }'
        )
    return {str(key): path(value, key, f"{where}.extensions") for key in value}


def values(table: Any, where: str) -> dict[str, Scalar]:
    if not isinstance(table, dict):
        raise CertiniaMappingError(
            f'{where}: is a table of fields and values, e.g. {{ pse__Status__c = "Approved" }}'
        )
    for name, value in table.items():
        api_name({name: name}, name, where)
        if not isinstance(value, str | bool | int | float):
            raise CertiniaMappingError(f"{where}.{name}: is a text, number or true/false")
    return dict(table)


def api_name(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not API_NAME.fullmatch(value):
        raise CertiniaMappingError(
            f'{where}.{key}: is a Salesforce API name such as "pse__Status__c", got {value!r}'
        )
    return value


def path(table: Mapping[str, Any], key: str, where: str) -> str:
    """A field, or a field reached through lookups: every step before the last a relationship."""
    value = table.get(key)
    *lookups, last = value.split(".") if isinstance(value, str) else [""]
    if not API_NAME.fullmatch(last) or not all(RELATIONSHIP.fullmatch(s) for s in lookups):
        raise CertiniaMappingError(
            f"{where}.{key}: is a field or a path through lookups such as "
            f'"pse__Resource__r.Name", got {value!r}'
        )
    return str(value)


def check_keys(
    table: Mapping[str, Any], known: AbstractSet[str], where: str, *, required: AbstractSet[str]
) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise CertiniaMappingError(
            f"{where}: unknown key {', '.join(map(repr, unknown))}; "
            f"expected {', '.join(sorted(known))}"
        )
    missing = sorted(required - set(table))
    if missing:
        raise CertiniaMappingError(f"{where}: {', '.join(missing)} is missing")
