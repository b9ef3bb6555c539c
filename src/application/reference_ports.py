"""The master data each ERP keeps and o2c only reads: its legal entities, their tax codes and
cost centres, and the customer master. `SyncReferenceData` copies them into o2c, and compares
each customer the ERP keeps for a CRM account with what the CRM says of that account.

Each ERP names these in its own words (a NetSuite subsidiary, a Dynamics 365 company, a legacy
operating unit); the adapter reads them from the ERP's own records, nothing made up."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol, runtime_checkable

from attrs import frozen


@frozen
class ErpLegalEntityRecord:
    erp_legal_entity: str  # the ERP's id: a NetSuite subsidiary id, a dataAreaId, an org id
    name: str
    country: str  # ISO 3166 alpha-2
    currency: str  # the entity's base (functional) currency, ISO 4217


@frozen
class ErpTaxCode:
    erp_legal_entity: str
    code: str  # the ERP's code for the tax, e.g. "VAT20" or "UK-S-20"
    description: str
    percent: Decimal  # as the ERP states it: exactly, never a float
    country: str  # ISO 3166 alpha-2 of the tax jurisdiction, "" when the ERP does not say


@frozen
class ErpCostCentre:
    erp_legal_entity: str
    code: str
    name: str
    active: bool


@frozen
class ErpCustomerRecord:
    """A customer as the ERP keeps it. `external_id` is o2c's key for it (the CRM account id)
    when o2c made it or someone linked it; "" for a customer only the ERP knows."""

    erp_legal_entity: str
    erp_id: str  # the ERP's own id for the customer
    external_id: str
    name: str
    tax_registration: str  # VAT or tax number, "" when none is recorded
    country: str  # ISO 3166 alpha-2, "" when none is recorded
    currency: str


@runtime_checkable
class ErpReferenceData(Protocol):
    def legal_entities(self) -> list[ErpLegalEntityRecord]:
        """Every legal entity the ERP keeps, in the ERP's id order."""
        ...

    def tax_codes(self, erp_legal_entity: str) -> list[ErpTaxCode]:
        """The tax codes usable in the entity, in code order."""
        ...

    def cost_centres(self, erp_legal_entity: str) -> list[ErpCostCentre]:
        """The entity's cost centres, inactive ones included, in code order."""
        ...

    def customers(self, erp_legal_entity: str) -> list[ErpCustomerRecord]:
        """Every customer of the entity, read page by page to the end, in ERP id order."""
        ...


@frozen
class CrmAccount:
    """An account as the CRM keeps it now, in the fields the firm's mapping names."""

    account_id: str
    name: str
    tax_registration: str  # "" when the CRM holds none
    country: str  # "" when the CRM holds none
    legal_entity_code: str  # the entity that owns the relationship, "" when the CRM holds none


class CrmAccounts(Protocol):
    def accounts(self, account_ids: Sequence[str]) -> dict[str, CrmAccount]:
        """The accounts the CRM knows among these ids, by id; an unknown id is left out."""
        ...
