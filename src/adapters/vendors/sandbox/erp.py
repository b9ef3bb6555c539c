"""The sandbox ERP: legal-entity master data from configuration, customers in the database."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.vendors.sandbox.records import SandboxRecords
from application.ports import CustomerRequest, LegalEntity


def parse_legal_entities(spec: str) -> dict[str, LegalEntity]:
    """`US01=USMF:US-EIN-12-3456789,GB01=GBSI:` → mappings; an empty tax id means none."""
    entities: dict[str, LegalEntity] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        code, _, target = item.partition("=")
        erp_entity, _, tax = target.partition(":")
        if not code or not erp_entity:
            raise ValueError(f"legal entity mapping {item!r} is not CODE=ERP_ENTITY:TAX_ID")
        entities[code] = LegalEntity(code, erp_entity, tax or None)
    return entities


class SandboxErp:
    def __init__(self, records: SandboxRecords, legal_entities: Mapping[str, LegalEntity]):
        self.records = records
        self.legal_entities = dict(legal_entities)

    def legal_entity(self, legal_entity_code: str) -> LegalEntity | None:
        return self.legal_entities.get(legal_entity_code)

    def find_customer(self, account_id: str, erp_legal_entity: str) -> str | None:
        return self.records.find("customer", f"{erp_legal_entity}/{account_id}")

    def upsert_customer(self, request: CustomerRequest) -> str:
        payload = {
            "name": request.name,
            "legal_entity": request.erp_legal_entity,
            "tax_registration": request.tax_registration,
            "currency": request.currency,
            "crm_account_id": request.external_id,
        }
        external_id = f"{request.erp_legal_entity}/{request.external_id}"
        return self.records.upsert("customer", external_id, "CUST", payload)

    def remove_customer(self, customer_number: str) -> None:
        self.records.remove("customer", customer_number)
