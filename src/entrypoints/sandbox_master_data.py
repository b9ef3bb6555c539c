"""The sandbox ERP's own master data, kept at start-up so that SyncReferenceData has the firm's
legal entities to read without a real ERP: each entity of O2C_SANDBOX_LEGAL_ENTITIES under its
sandbox id, in its country from the billing reference data, and the tax codes that reference
data charges in that country. Keeping them again at the next start changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from adapters.vendors.sandbox.ledger import SandboxLedger
from application.billing_ports import BillingReferenceData
from application.ports import LegalEntity
from application.reference_ports import ErpLegalEntityRecord, ErpTaxCode
from domain.invoicing.tax import TaxRule

# The base currency of a sandbox entity by its country; USD where the country is not listed.
CURRENCIES = {"US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "JP": "JPY", "KW": "KWD"}


def keep_sandbox_master_data(
    ledger: SandboxLedger,
    entities: Mapping[str, LegalEntity],
    reference: BillingReferenceData,
) -> None:
    rules = list(reference.tax_table().rules.values())
    for code, entity in sorted(entities.items()):
        found = reference.legal_entity(code)
        country = found.country if found is not None else ""
        ledger.keep_reference(
            ErpLegalEntityRecord(
                entity.erp_legal_entity,
                f"Example Consulting {code}",
                country,
                CURRENCIES.get(country, "USD"),
            ),
            tax_codes=tax_codes(entity.erp_legal_entity, country, rules),
        )


def tax_codes(erp_entity: str, country: str, rules: Iterable[TaxRule]) -> list[ErpTaxCode]:
    """One code per treatment and rate the entity's country charges, e.g. GB-STANDARD-20."""
    found: dict[str, ErpTaxCode] = {}
    for rule in rules:
        if rule.legal_entity_country != country:
            continue
        code = f"{country}-{rule.treatment.name}-{rule.percent.normalize():f}"
        description = rule.note or f"{rule.treatment.value} {rule.percent}%"
        found.setdefault(code, ErpTaxCode(erp_entity, code, description, rule.percent, country))
    return sorted(found.values(), key=lambda tax: tax.code)
