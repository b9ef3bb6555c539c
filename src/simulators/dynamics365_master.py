"""The master data a simulated Dynamics 365 environment's own users keep, which o2c only reads:
`LegalEntities` (LegalEntityId, Name, AddressCountryRegionId as D365 writes a country, ISO
alpha-3) and their `Ledgers` (AccountingCurrency), both shared across companies; per company
`TaxCodes` (TaxCode, TaxName) and their effective-dated `TaxCodeValues` (Value, FromDate,
ToDate, which is null while the value is open); and `FinancialDimensionValues`, shared, each
value of a dimension (the cost centres' is `CostCenter`) restricted to one legal entity by
LegalEntityId, or to none when it is blank, suspended by IsSuspended (NoYes).

The entity sets are read-only on the wire: their users keep them through the simulator's
`keep` (an upsert by key, checked as a write is). The shape of TaxCodeValues' key and of its
dates are the simulator's own (vendors.md says nothing of tax)."""

from __future__ import annotations

KEYS: dict[str, tuple[str, ...]] = {
    "LegalEntities": ("LegalEntityId",),
    "Ledgers": ("LegalEntityId",),
    "TaxCodes": ("dataAreaId", "TaxCode"),
    "TaxCodeValues": ("dataAreaId", "TaxCode", "FromDate"),
    "FinancialDimensionValues": ("FinancialDimension", "LegalEntityId", "DimensionValue"),
}
FIELDS: dict[str, dict[str, str]] = {
    "LegalEntities": {"LegalEntityId": "text", "Name": "text", "AddressCountryRegionId": "text"},
    "Ledgers": {"LegalEntityId": "text", "AccountingCurrency": "text"},
    "TaxCodes": {"dataAreaId": "text", "TaxCode": "text", "TaxName": "text"},
    "TaxCodeValues": {
        "dataAreaId": "text",
        "TaxCode": "text",
        "FromDate": "datetime",
        "ToDate": "datetime",
        "Value": "number",
    },
    "FinancialDimensionValues": {
        "FinancialDimension": "text",
        "LegalEntityId": "text",
        "DimensionValue": "text",
        "Description": "text",
        "IsSuspended": "text",
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "LegalEntities": ("Name", "AddressCountryRegionId"),
    "Ledgers": ("AccountingCurrency",),
    "TaxCodes": ("TaxName",),
    "TaxCodeValues": ("Value",),
    "FinancialDimensionValues": ("Description",),
}
ENUMS = {"IsSuspended": ("No", "Yes")}
# Entity sets that belong to no company: no dataAreaId, the same whatever company is asked.
SHARED = ("LegalEntities", "Ledgers", "FinancialDimensionValues")
# A key field that may be blank: a dimension value restricted to no legal entity.
BLANK_KEYS = {"FinancialDimensionValues": ("LegalEntityId",)}
# Where each company-specific set's rows must refer to: tax values to their tax code.
REFERENCES = {
    "TaxCodeValues": (
        "TaxCodes",
        ("dataAreaId", "TaxCode"),
        "Sales tax code {} does not exist in company {}.",
    ),
}
