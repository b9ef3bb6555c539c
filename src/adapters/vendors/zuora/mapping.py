"""The firm's mapping of o2c's billing words to its Zuora tenant, from a TOML file: the one
packaged here, or the firm's own. A file o2c cannot use is refused at start, naming the table
and key."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from attrs import frozen

PACKAGED_FILE = "mapping.toml"
CUSTOM_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_]*__c", re.ASCII)
CATALOG_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}", re.ASCII)
CHARGE_MODELS = ("flat_fee", "one_time")


class ZuoraMappingError(ValueError):
    """A mapping o2c cannot use; the message names the table and the key."""


@frozen
class CatalogCharge:
    product_rate_plan_id: str
    product_rate_plan_charge_id: str
    uom: str = ""


@frozen
class ZuoraMapping:
    legal_entity_field: str
    payment_term: str  # with {days}
    bill_cycle_day: int
    subscription_key_field: str  # "" when the key is only the subscription number
    charges: Mapping[str, CatalogCharge]  # by o2c's charge model
    usage: Mapping[str, CatalogCharge]  # by o2c's unit

    def payment_term_for(self, days: int) -> str:
        return "Due Upon Receipt" if days == 0 else self.payment_term.format(days=days)


def load_mapping(path: str = "") -> ZuoraMapping:
    """The file at `path`, or the one packaged with o2c when `path` is empty."""
    source = Path(path) if path else resources.files(__package__).joinpath(PACKAGED_FILE)
    try:
        return parse_mapping(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, ZuoraMappingError) as error:
        raise ZuoraMappingError(f"zuora mapping {source}: {error}") from error


def parse_mapping(text: str) -> ZuoraMapping:
    document = tomllib.loads(text)
    check_keys(document, {"account", "subscription", "charges", "usage"}, "the file")
    account = table(document, "account")
    check_keys(account, {"legal_entity_code", "payment_term", "bill_cycle_day"}, "account")
    subscription = table(document, "subscription")
    check_keys(subscription, {"key"}, "subscription", needed=set())
    charges = table(document, "charges")
    check_keys(charges, set(CHARGE_MODELS), "charges")
    return ZuoraMapping(
        legal_entity_field=custom_field(account["legal_entity_code"], "account.legal_entity_code"),
        payment_term=payment_term(account["payment_term"]),
        bill_cycle_day=bill_cycle_day(account["bill_cycle_day"]),
        subscription_key_field=custom_field(subscription.get("key", ""), "subscription.key", True),
        charges={m: catalog(charges[m], f"charges.{m}", False) for m in CHARGE_MODELS},
        usage={
            unit: catalog(entry, f"usage.{unit}", True)
            for unit, entry in table(document, "usage").items()
        },
    )


def table(document: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = document[name]
    if not isinstance(value, dict):
        raise ZuoraMappingError(f"{name}: is a table, e.g. [{name}]")
    return value


def catalog(value: Any, where: str, with_uom: bool) -> CatalogCharge:
    if not isinstance(value, dict):
        raise ZuoraMappingError(f"{where}: is a table, e.g. [{where}]")
    names = {"product_rate_plan_id", "product_rate_plan_charge_id"}
    check_keys(value, names | ({"uom"} if with_uom else set()), where)
    for name in sorted(names):
        if not isinstance(value[name], str) or not CATALOG_ID.fullmatch(value[name]):
            raise ZuoraMappingError(f"{where}.{name}: is a Zuora id, got {value[name]!r}")
    uom = value.get("uom", "")
    if with_uom and (not isinstance(uom, str) or not uom.strip()):
        raise ZuoraMappingError(f"{where}.uom: is the tenant's unit of measure, got {uom!r}")
    return CatalogCharge(value["product_rate_plan_id"], value["product_rate_plan_charge_id"], uom)


def custom_field(value: Any, where: str, blank_allowed: bool = False) -> str:
    if blank_allowed and value == "":
        return ""
    if not isinstance(value, str) or not CUSTOM_FIELD.fullmatch(value):
        raise ZuoraMappingError(
            f'{where}: is a Zuora custom field such as "LegalEntity__c", got {value!r}'
        )
    return value


def payment_term(value: Any) -> str:
    if not isinstance(value, str) or "{days}" not in value:
        raise ZuoraMappingError('account.payment_term: holds {days}, e.g. "Net {days}"')
    return value


def bill_cycle_day(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 31:
        raise ZuoraMappingError(f"account.bill_cycle_day: is a day 1 to 31, got {value!r}")
    return value


def check_keys(
    table_: Mapping[str, Any], known: set[str], where: str, needed: set[str] | None = None
) -> None:
    for key in table_:
        if key not in known:
            raise ZuoraMappingError(f"{where}: {key!r} is not one of {sorted(known)}")
    for key in sorted((known if needed is None else needed) - set(table_)):
        raise ZuoraMappingError(f"{where}.{key}: is missing")
