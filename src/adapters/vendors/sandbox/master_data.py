"""The sandbox ERP's master data, as its own users keep it in sandbox_records: legal entities by
their id, tax codes and cost centres by entity and code, and customers made by hand beside the
ones o2c made ("ledger_customer", keyed `<entity>/<external id>`). A hand-made customer is
keyed `<entity>#<its own key>` and has no o2c external id."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from adapters.vendors.sandbox.records import SandboxRecords
from application.reference_ports import (
    ErpCostCentre,
    ErpCustomerRecord,
    ErpLegalEntityRecord,
    ErpTaxCode,
)

CUSTOMER = "ledger_customer"


class SandboxMasterData:
    def __init__(self, records: SandboxRecords) -> None:
        self.records = records

    def keep(
        self,
        legal_entity: ErpLegalEntityRecord,
        tax_codes: Iterable[ErpTaxCode],
        cost_centres: Iterable[ErpCostCentre],
    ) -> None:
        entity = legal_entity.erp_legal_entity
        payload = {
            "name": legal_entity.name,
            "country": legal_entity.country,
            "currency": legal_entity.currency,
        }
        self.records.upsert("legal_entity", entity, "LE", payload)
        for tax in tax_codes:
            self.records.upsert("tax_code", f"{entity}/{tax.code}", "TAX", tax_payload(entity, tax))
        for centre in cost_centres:
            key = f"{entity}/{centre.code}"
            self.records.upsert("cost_centre", key, "CC", centre_payload(entity, centre))

    def keep_customer(self, entity: str, customer: ErpCustomerRecord) -> None:
        key = f"{entity}#{customer.erp_id or uuid.uuid4().hex}"
        payload = {
            "name": customer.name,
            "legal_entity": entity,
            "external_id": "",
            "currency": customer.currency,
            "tax_registration": customer.tax_registration,
            "country": customer.country,
        }
        self.records.upsert(CUSTOMER, key, "C", payload)

    def legal_entities(self) -> list[ErpLegalEntityRecord]:
        found = [
            ErpLegalEntityRecord(key, p["name"], p["country"], p["currency"])
            for key, _, p in self.records.live("legal_entity")
        ]
        return sorted(found, key=lambda entity: entity.erp_legal_entity)

    def tax_codes(self, entity: str) -> list[ErpTaxCode]:
        found = [
            ErpTaxCode(entity, p["code"], p["description"], Decimal(p["percent"]), p["country"])
            for p in self.of_entity("tax_code", entity)
        ]
        return sorted(found, key=lambda tax: tax.code)

    def cost_centres(self, entity: str) -> list[ErpCostCentre]:
        found = [
            ErpCostCentre(entity, p["code"], p["name"], p["active"])
            for p in self.of_entity("cost_centre", entity)
        ]
        return sorted(found, key=lambda centre: centre.code)

    def customers(self, entity: str) -> list[ErpCustomerRecord]:
        found = [
            customer_of(key, record_id, p)
            for key, record_id, p in self.records.live(CUSTOMER)
            if p["legal_entity"] == entity
        ]
        return sorted(found, key=lambda customer: customer.erp_id)

    def of_entity(self, kind: str, entity: str) -> list[dict[str, Any]]:
        return [p for _, _, p in self.records.live(kind) if p["legal_entity"] == entity]


def tax_payload(entity: str, tax: ErpTaxCode) -> dict[str, Any]:
    return {
        "legal_entity": entity,
        "code": tax.code,
        "description": tax.description,
        "percent": f"{tax.percent:f}",
        "country": tax.country,
    }


def centre_payload(entity: str, centre: ErpCostCentre) -> dict[str, Any]:
    return {
        "legal_entity": entity,
        "code": centre.code,
        "name": centre.name,
        "active": centre.active,
    }


def customer_of(key: str, record_id: str, payload: dict[str, Any]) -> ErpCustomerRecord:
    """o2c's customers carry their external id (older records only in their key)."""
    external_id = payload.get("external_id", key.partition("/")[2])
    return ErpCustomerRecord(
        erp_legal_entity=payload["legal_entity"],
        erp_id=record_id,
        external_id=external_id,
        name=payload["name"],
        tax_registration=payload.get("tax_registration", ""),
        country=payload.get("country", ""),
        currency=payload["currency"],
    )
