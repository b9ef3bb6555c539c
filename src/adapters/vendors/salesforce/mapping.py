"""Which Salesforce object and field holds each part of a deal, and where o2c writes back: a TOML
file, the packaged `mapping.toml` unless the firm names its own. A mapping o2c cannot use is
refused when it is loaded, by its table and key; fields listed under `extensions` are read and
carried along in the deal's extensions under the names given."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from attrs import field, frozen

PACKAGED_FILE = "mapping.toml"
API_NAME = re.compile(r"([A-Za-z][A-Za-z0-9]*__)?[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*(__c)?")


class SalesforceMappingError(ValueError):
    """A mapping o2c cannot use; the message names the table and the key."""


@frozen
class Spec:
    required: frozenset[str]
    optional: frozenset[str] = frozenset()
    object: str = ""  # fixed for a standard object; else the mapping names it
    extensions: bool = False
    ordered: bool = False


SPECS = {
    "opportunity": Spec(
        frozenset({"legal_entity_code", "currency", "billing_method", "start_date", "end_date"})
        | {"contract_value", "engagement_id", "engagement_status"},
        frozenset({"payment_terms_days", "exception_id"}),
        object="Opportunity",
        extensions=True,
    ),
    "account": Spec(
        frozenset({"name"}),
        frozenset({"country", "vat_number", "legal_entity_code"}),
        "Account",
        extensions=True,
    ),
    "rate_card": Spec(
        frozenset({"opportunity", "role", "amount"}), frozenset({"currency"}), ordered=True
    ),
    "work_packages": Spec(
        frozenset({"opportunity", "code", "name"}),
        frozenset({"region", "delivering_legal_entity_code"}),
        ordered=True,
    ),
    "payment_status": Spec(
        frozenset({"external_id", "account", "invoice_number", "status", "total", "paid"})
        | {"balance", "as_of"},  # as_of keeps a late, older status from replacing a newer one
        frozenset({"currency"}),
    ),
}


@frozen
class Section:
    object: str
    fields: Mapping[str, str]  # o2c's name -> the field's API name
    extensions: Mapping[str, str] = field(factory=dict)  # extension key -> API name
    order_by: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> str:
        """The API name of `name`; "" for an optional field the firm does not map."""
        return self.fields.get(name, "")


@frozen
class SalesforceMapping:
    opportunity: Section
    account: Section
    rate_card: Section
    work_packages: Section
    payment_status: Section
    values: Mapping[str, Mapping[str, str]] = field(factory=dict)  # o2c name -> SF -> o2c

    def in_o2c_words(self, name: str, value: str) -> str:
        return self.values.get(name, {}).get(value, value)

    def in_salesforce_words(self, name: str, value: str) -> str:
        reverse = {o2c: sf for sf, o2c in self.values.get(name, {}).items()}
        return reverse.get(value, value)


def load_mapping(path: str = "") -> SalesforceMapping:
    """The file at `path`, or the mapping packaged with o2c when `path` is empty."""
    source = Path(path) if path else resources.files(__package__).joinpath(PACKAGED_FILE)
    try:
        return parse_mapping(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, SalesforceMappingError) as error:
        raise SalesforceMappingError(f"Salesforce mapping {source}: {error}") from error


def parse_mapping(text: str) -> SalesforceMapping:
    document = tomllib.loads(text)
    check_keys(document, {*SPECS, "values"}, "the file", required=set(SPECS))
    sections = {name: section(name, spec, document[name]) for name, spec in SPECS.items()}
    repeated = set(sections["opportunity"].extensions) & set(sections["account"].extensions)
    if repeated:
        raise SalesforceMappingError(
            f"account.extensions: {', '.join(sorted(repeated))} is also an opportunity extension"
        )
    return SalesforceMapping(**sections, values=values(document.get("values", {}), sections))


def section(name: str, spec: Spec, table: Any) -> Section:
    if not isinstance(table, dict):
        raise SalesforceMappingError(f"{name}: is a table, e.g. [{name}]")
    extras = {"extensions"} if spec.extensions else set()
    extras |= {"object", "order_by"} if spec.ordered or not spec.object else set()
    required = set(spec.required) | ({"object"} if not spec.object else set())
    check_keys(table, set(spec.required | spec.optional) | extras, name, required=required)
    fields = {
        key: api_name(table, key, name) for key in spec.required | spec.optional if key in table
    }
    return Section(
        object=spec.object or api_name(table, "object", name),
        fields=fields,
        extensions=extensions(table.get("extensions", []), name),
        order_by=order_by(table, name) if spec.ordered else (),
    )


def extensions(value: Any, where: str) -> dict[str, str]:
    if isinstance(value, list):
        value = {name: name for name in value} if all(isinstance(n, str) for n in value) else None
    if not isinstance(value, dict):
        raise SalesforceMappingError(
            f'{where}.extensions: is a list of field names, e.g. ["Industry"], '
            'or a table of names, e.g. { sector = "Industry" }'
        )
    return {str(key): api_name(value, key, f"{where}.extensions") for key in value}


def order_by(table: Mapping[str, Any], where: str) -> tuple[str, ...]:
    value = table.get("order_by", ["CreatedDate", "Id"])
    if not isinstance(value, list) or not value:
        raise SalesforceMappingError(f'{where}.order_by: is a list of fields, e.g. ["Name"]')
    return tuple(api_name({"order_by": name}, "order_by", where) for name in value)


def values(table: Any, sections: Mapping[str, Section]) -> dict[str, dict[str, str]]:
    mapped = {key for s in sections.values() for key in s.fields}
    if not isinstance(table, dict):
        raise SalesforceMappingError("values: is a table, e.g. [values.billing_method]")
    check_keys(table, mapped, "values")
    translated: dict[str, dict[str, str]] = {}
    for name, pairs in table.items():
        if not isinstance(pairs, dict) or not all(isinstance(v, str) for v in pairs.values()):
            raise SalesforceMappingError(
                f"values.{name}: is a table of Salesforce value = o2c value, e.g. "
                '"Time & Materials" = "time_and_materials"'
            )
        translated[name] = dict(pairs)
    return translated


def api_name(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not API_NAME.fullmatch(value):
        raise SalesforceMappingError(
            f'{where}.{key}: is a Salesforce API name such as "Legal_Entity__c", got {value!r}'
        )
    return value


def check_keys(
    table: Mapping[str, Any], known: set[str], where: str, *, required: set[str] | None = None
) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise SalesforceMappingError(
            f"{where}: unknown key {', '.join(map(repr, unknown))}; "
            f"expected {', '.join(sorted(known))}"
        )
    missing = sorted((required or set()) - set(table))
    if missing:
        raise SalesforceMappingError(f"{where}: {', '.join(missing)} is missing")
