"""The master data NetSuite's users keep, as o2c reads it by SuiteQL: each subsidiary (o2c's ERP
legal entity is the subsidiary's internal id) with its country and base currency; the sales tax
codes (`salestaxitem`) and departments (the cost centres, coded by their externalid) set up for
one subsidiary; and the subsidiary's customers, their billing country from the default billing
address. A customer's externalid is o2c's "<subsidiary>.<CRM account>" when o2c made or linked
it; any other (or none) is a customer o2c does not know, read with no external id.

A tax code or department shared by several subsidiaries (a multi-select in OneWorld) is read
only as set up for one subsidiary; SuiteQL's rate may carry its percent sign or not."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.vendors.netsuite.payloads import entity_external_id, sql_text
from adapters.vendors.netsuite.settings import NetSuiteSettings
from application.reference_ports import (
    ErpCostCentre,
    ErpCustomerRecord,
    ErpLegalEntityRecord,
    ErpTaxCode,
)

Row = dict[str, Any]
TICKED = "T"


def subsidiaries_query() -> str:
    return "SELECT id, name, country, currency FROM subsidiary ORDER BY id"


def tax_codes_query(subsidiary: str) -> str:
    return (
        "SELECT id, itemid, description, rate, country FROM salestaxitem"
        f" WHERE subsidiary = {sql_text(subsidiary)} AND isinactive = 'F' ORDER BY itemid"
    )


def departments_query(subsidiary: str) -> str:
    return (
        "SELECT id, name, externalid, isinactive FROM department"
        f" WHERE subsidiary = {sql_text(subsidiary)} ORDER BY externalid"
    )


def customers_query(subsidiary: str) -> str:
    return (
        "SELECT customer.id, customer.externalid, customer.companyname, customer.vatregnumber,"
        " customer.currency, address.country FROM customer"
        " LEFT JOIN entityaddress address ON address.nkey = customer.defaultbillingaddress"
        f" WHERE customer.subsidiary = {sql_text(subsidiary)} ORDER BY customer.id"
    )


def legal_entity(row: Row, settings: NetSuiteSettings) -> ErpLegalEntityRecord:
    return ErpLegalEntityRecord(
        erp_legal_entity=str(row["id"]),
        name=str(row["name"]),
        country=str(row.get("country", "")),
        currency=settings.currency_code(str(row["currency"])),
    )


def tax_code(row: Row, subsidiary: str) -> ErpTaxCode:
    return ErpTaxCode(
        erp_legal_entity=subsidiary,
        code=str(row["itemid"]),
        description=str(row.get("description", "")),
        percent=Decimal(str(row["rate"]).strip().removesuffix("%")),
        country=str(row.get("country", "")),
    )


def cost_centre(row: Row, subsidiary: str) -> ErpCostCentre:
    return ErpCostCentre(
        erp_legal_entity=subsidiary,
        code=str(row.get("externalid") or row["id"]),
        name=str(row["name"]),
        active=row.get("isinactive") != TICKED,
    )


def customer(row: Row, subsidiary: str, settings: NetSuiteSettings) -> ErpCustomerRecord:
    return ErpCustomerRecord(
        erp_legal_entity=subsidiary,
        erp_id=str(row["id"]),
        external_id=o2c_key(str(row.get("externalid", "")), subsidiary),
        name=str(row["companyname"]),
        tax_registration=str(row.get("vatregnumber", "")),
        country=str(row.get("country", "")),
        currency=settings.currency_code(str(row["currency"])),
    )


def o2c_key(external_id: str, subsidiary: str) -> str:
    prefix = entity_external_id(subsidiary, "")
    return external_id.removeprefix(prefix) if external_id.startswith(prefix) else ""
