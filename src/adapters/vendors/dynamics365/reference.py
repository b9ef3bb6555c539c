"""The master data Dynamics 365's users keep, as o2c reads it over OData. A legal entity is a
`LegalEntities` row (its country an AddressCountryRegionId, mapped to alpha-2 by the settings)
with its ledger's AccountingCurrency from `Ledgers`; o2c names it by the legal entity the
`companies` setting maps to its dataAreaId, or by the dataAreaId when none does.

A company's tax codes are its `TaxCodes` with the `TaxCodeValues` value in effect today (a code
with none is not usable, so not read); D365 keeps no country on a tax code, so its country is
the company's. Cost centres are the `FinancialDimensionValues` of the cost centre dimension
restricted to the company or to none, suspended ones inactive. Customers are the company's
`CustomersV3` rows; o2c's key for one is in the firm's extension field (see FieldNames), blank
on a customer made in D365. A dataAreaId D365 does not keep reads as no master data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.vendors.dynamics365.client import SYSTEM
from adapters.vendors.dynamics365.settings import Dynamics365Settings
from application.errors import VendorRejected
from application.reference_ports import (
    ErpCostCentre,
    ErpCustomerRecord,
    ErpLegalEntityRecord,
    ErpTaxCode,
)

Row = dict[str, Any]
LEGAL_ENTITIES = "LegalEntities"
LEDGERS = "Ledgers"
TAX_CODES = "TaxCodes"
TAX_VALUES = "TaxCodeValues"
DIMENSION_VALUES = "FinancialDimensionValues"
LEGAL_ENTITY_FIELDS = "LegalEntityId,Name,AddressCountryRegionId"
TAX_VALUE_FIELDS = "TaxCode,FromDate,ToDate,Value"
DIMENSION_FIELDS = "DimensionValue,Description,IsSuspended,LegalEntityId"


def customer_fields(settings: Dynamics365Settings) -> str:
    return ",".join(
        (
            "CustomerAccount",
            "OrganizationName",
            "TaxExemptNumber",
            "AddressCountryRegionId",
            "SalesCurrencyCode",
            settings.fields.customer_external_id,
        )
    )


def legal_entity(
    row: Row, currencies: dict[str, str], settings: Dynamics365Settings
) -> ErpLegalEntityRecord:
    company = str(row["LegalEntityId"])
    return ErpLegalEntityRecord(
        erp_legal_entity=settings.legal_entity(company),
        name=str(row["Name"]),
        country=settings.country(str(row.get("AddressCountryRegionId") or "")),
        currency=currencies[company.lower()],
    )


def tax_codes(
    codes: list[Row], values: list[Row], erp_legal_entity: str, country: str, today: dt.date
) -> list[ErpTaxCode]:
    rates = rates_in_effect(values, today)
    found = [
        ErpTaxCode(
            erp_legal_entity, code["TaxCode"], code["TaxName"], rates[code["TaxCode"]], country
        )
        for code in codes
        if code["TaxCode"] in rates
    ]
    return sorted(found, key=lambda tax: tax.code)


def rates_in_effect(values: list[Row], today: dt.date) -> dict[str, Decimal]:
    """Each code's value from the latest FromDate not after today, unless it ended before."""
    ordered = sorted(values, key=lambda value: day_of(value["FromDate"]))
    return {
        value["TaxCode"]: Decimal(str(value["Value"]))
        for value in ordered
        if day_of(value["FromDate"]) <= today
        and (not value.get("ToDate") or day_of(value["ToDate"]) >= today)
    }


def cost_centres(rows: list[Row], company: str, erp_legal_entity: str) -> list[ErpCostCentre]:
    found = [
        ErpCostCentre(
            erp_legal_entity,
            str(row["DimensionValue"]),
            str(row["Description"]),
            row.get("IsSuspended") != "Yes",
        )
        for row in rows
        if str(row.get("LegalEntityId") or "").lower() in ("", company.lower())
    ]
    return sorted(found, key=lambda centre: centre.code)


def customer(row: Row, erp_legal_entity: str, settings: Dynamics365Settings) -> ErpCustomerRecord:
    return ErpCustomerRecord(
        erp_legal_entity=erp_legal_entity,
        erp_id=str(row["CustomerAccount"]),
        external_id=str(row.get(settings.fields.customer_external_id) or ""),
        name=str(row["OrganizationName"]),
        tax_registration=str(row.get("TaxExemptNumber") or ""),
        country=settings.country(str(row.get("AddressCountryRegionId") or "")),
        currency=str(row["SalesCurrencyCode"]),
    )


def day_of(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])


@contextmanager
def reading(what: str) -> Iterator[None]:
    """An answer o2c cannot read (a field missing, a country not mapped) is refused."""
    try:
        yield
    except (KeyError, TypeError, ValueError, InvalidOperation) as error:
        raise VendorRejected(SYSTEM, f"{what}: cannot map {error!r}") from error
