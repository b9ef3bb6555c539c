"""The firm's billing reference data from a TOML file: where each legal entity is, which engine
bills it (o2c's own, or an external billing platform), and the tax rules. A row o2c cannot use
is refused by its place in the file, before any invoice is made."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from attrs import Factory, frozen

from application.billing_platform_ports import BILLING_ENGINES, O2C_ENGINE
from domain.errors import InvalidField
from domain.intercompany import TransferPricing
from domain.invoicing.tax import LegalEntity, TaxRule, TaxTable, TaxTreatment
from domain.money import parse_decimal

PACKAGED_FILE = "billing_reference.toml"
COUNTRY = re.compile(r"[A-Z]{2}", re.ASCII)
TREATMENTS = {treatment.value: treatment for treatment in TaxTreatment}
RULE_TEXT = ("legal_entity_country", "customer_country", "service_type")
RULE_FIELDS = frozenset({*RULE_TEXT, "treatment", "percent", "reverse_charge", "note"})
HUNDRED = Decimal(100)
ALL_OF_IT = TransferPricing(Decimal(1))  # no [intercompany] table: the whole revenue


class BillingReferenceError(ValueError):
    """A reference file o2c cannot use; the message names the row and the field."""


@frozen
class TomlBillingReference:
    legal_entities: Mapping[str, LegalEntity]
    taxes: TaxTable
    pricing: TransferPricing = ALL_OF_IT
    engines: Mapping[str, str] = Factory(dict)  # legal entity → its billing engine, if not o2c

    def legal_entity(self, code: str) -> LegalEntity | None:
        return self.legal_entities.get(code)

    def billing_platform(self, code: str) -> str:
        return self.engines.get(code, O2C_ENGINE)

    def tax_table(self) -> TaxTable:
        return self.taxes

    def transfer_pricing(self) -> TransferPricing:
        return self.pricing


def load_billing_reference(path: str = "") -> TomlBillingReference:
    """The file at `path`, or the one packaged with o2c when `path` is empty."""
    source = Path(path) if path else resources.files(__package__).joinpath(PACKAGED_FILE)
    try:
        return parse_billing_reference(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, BillingReferenceError) as error:
        raise BillingReferenceError(f"billing reference {source}: {error}") from error


def parse_billing_reference(text: str) -> TomlBillingReference:
    document = tomllib.loads(text)
    check_known_keys(document, {"legal_entities", "tax_rules", "intercompany"}, "the file")
    entries = table_at(document, "legal_entities")
    entities = legal_entities(entries)
    rules = [tax_rule(index, row) for index, row in enumerate(rows_at(document, "tax_rules"))]
    pricing = transfer_pricing(table_at(document, "intercompany"), entities)
    try:
        return TomlBillingReference(entities, TaxTable.of(rules), pricing, engines(entries))
    except InvalidField as error:
        raise BillingReferenceError(f"{error.field}: {error.message}") from None


def legal_entities(entries: Mapping[str, Any]) -> dict[str, LegalEntity]:
    return {code: legal_entity(code, entry) for code, entry in entries.items()}


def legal_entity(code: str, entry: Any) -> LegalEntity:
    where = f"legal_entities.{code}"
    if not isinstance(entry, dict):
        raise BillingReferenceError(f'{where}: is a table such as {{ country = "GB" }}')
    check_known_keys(entry, {"country", "billing_platform"}, where)
    return LegalEntity(code, country(entry, "country", where))


def engines(entries: Mapping[str, Any]) -> dict[str, str]:
    """The legal entities an external billing platform bills; absent means o2c bills them."""
    found = {code: engine(code, entry) for code, entry in entries.items()}
    return {code: name for code, name in found.items() if name != O2C_ENGINE}


def engine(code: str, entry: Mapping[str, Any]) -> str:
    value = entry.get("billing_platform", O2C_ENGINE)
    if value not in BILLING_ENGINES:
        raise BillingReferenceError(
            f"legal_entities.{code}.billing_platform: {value!r} is not one of "
            f"{', '.join(BILLING_ENGINES)}"
        )
    return str(value)


def transfer_pricing(
    table: Mapping[str, Any], entities: Mapping[str, LegalEntity]
) -> TransferPricing:
    """The share of billed revenue a delivering entity charges; all of it when unconfigured."""
    check_known_keys(table, {"revenue_share_percent", "agreements"}, "intercompany")
    default = ALL_OF_IT.default_share
    if "revenue_share_percent" in table:
        default = share(table, "intercompany")
    shares: dict[tuple[str, str], Decimal] = {}
    for index, row in enumerate(rows_at(table, "agreements")):
        where = f"intercompany.agreements[{index}]"
        if not isinstance(row, dict):
            raise BillingReferenceError(f"{where}: is a table of an agreement's fields")
        check_known_keys(row, {"delivering", "contracting", "revenue_share_percent"}, where)
        pair = (
            known(row, "delivering", where, entities),
            known(row, "contracting", where, entities),
        )
        if pair in shares or pair[0] == pair[1]:
            raise BillingReferenceError(
                f"{where}: {pair[0]} to {pair[1]} is given twice or is one entity"
            )
        shares[pair] = share(row, where)
    return TransferPricing(default, shares)


def share(row: Mapping[str, Any], where: str) -> Decimal:
    value = percent(row, where, "revenue_share_percent")
    if not Decimal(0) < value <= HUNDRED:
        raise BillingReferenceError(f"{where}.revenue_share_percent: is above 0 and at most 100")
    return value / HUNDRED


def known(
    row: Mapping[str, Any], name: str, where: str, entities: Mapping[str, LegalEntity]
) -> str:
    code = text(row, name, where)
    if code not in entities:
        raise BillingReferenceError(f"{where}.{name}: {code!r} is not in legal_entities")
    return code


def tax_rule(index: int, row: Any) -> TaxRule:
    where = f"tax_rules[{index}]"
    if not isinstance(row, dict):
        raise BillingReferenceError(f"{where}: is a table of a tax rule's fields")
    check_known_keys(row, RULE_FIELDS, where)
    return TaxRule(
        legal_entity_country=country(row, "legal_entity_country", where),
        customer_country=country(row, "customer_country", where),
        service_type=text(row, "service_type", where),
        treatment=treatment(row, where),
        percent=percent(row, where),
        reverse_charge=flag(row, "reverse_charge", where),
        note=text(row, "note", where, required=False),
    )


def country(row: Mapping[str, Any], name: str, where: str) -> str:
    value = text(row, name, where)
    if not COUNTRY.fullmatch(value):
        raise BillingReferenceError(f'{where}.{name}: {value!r} is not a country code like "GB"')
    return value


def treatment(row: Mapping[str, Any], where: str) -> TaxTreatment:
    value = text(row, "treatment", where)
    if value not in TREATMENTS:
        raise BillingReferenceError(
            f"{where}.treatment: {value!r} is not one of {', '.join(sorted(TREATMENTS))}"
        )
    return TREATMENTS[value]


def percent(row: Mapping[str, Any], where: str, name: str = "percent") -> Decimal:
    """A string, so the rate is exactly what was written: TOML reads 20.0 as a binary float."""
    value = row.get(name)
    if not isinstance(value, str):
        raise BillingReferenceError(
            f'{where}.{name}: write the rate as a string, e.g. {name} = "20", not {value!r}'
        )
    try:
        return parse_decimal(value, f"{where}.{name}")
    except InvalidField as error:
        raise BillingReferenceError(f"{error.field}: {error.message}") from None


def text(row: Mapping[str, Any], name: str, where: str, *, required: bool = True) -> str:
    value = row.get(name, None if required else "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise BillingReferenceError(f"{where}.{name}: is a non-empty string, got {value!r}")
    return value


def flag(row: Mapping[str, Any], name: str, where: str) -> bool:
    value = row.get(name, False)
    if not isinstance(value, bool):
        raise BillingReferenceError(f"{where}.{name}: is true or false, got {value!r}")
    return value


def table_at(document: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = document.get(name, {})
    if not isinstance(value, dict):
        raise BillingReferenceError(f"{name}: is a table, e.g. [{name}.US01]")
    return value


def rows_at(document: Mapping[str, Any], name: str) -> list[Any]:
    value = document.get(name, [])
    if not isinstance(value, list):
        raise BillingReferenceError(f"{name}: is a list of [[{name}]] rows")
    return value


def check_known_keys(row: Mapping[str, Any], known: set[str] | frozenset[str], where: str) -> None:
    unknown = sorted(set(row) - known)
    if unknown:
        raise BillingReferenceError(
            f"{where}: unknown field {', '.join(map(repr, unknown))}; "
            f"expected {', '.join(sorted(known))}"
        )
