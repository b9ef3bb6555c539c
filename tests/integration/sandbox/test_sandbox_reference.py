"""The sandbox ERP's master data kept at each start: keeping it again changes nothing."""

from __future__ import annotations

from decimal import Decimal

from adapters.vendors.sandbox.ledger import SandboxLedger
from adapters.vendors.sandbox.records import SandboxRecords
from application.reference_ports import (
    ErpCostCentre,
    ErpCustomerRecord,
    ErpLegalEntityRecord,
    ErpTaxCode,
)

GB = ErpLegalEntityRecord("GB01", "Example Consulting Ltd", "GB", "GBP")


def keep_the_firms_master_data(ledger: SandboxLedger) -> None:
    ledger.keep_reference(
        GB,
        tax_codes=(ErpTaxCode("GB01", "GB-S-20", "UK VAT standard", Decimal("20.00"), "GB"),),
        cost_centres=(ErpCostCentre("GB01", "CC-200", "Consulting London", True),),
        customers=(ErpCustomerRecord("GB01", "DEMO-1", "", "Initech Ltd", "", "GB", "GBP"),),
    )


def test_keeping_the_same_master_data_again_leaves_one_of_each(engine):
    ledger = SandboxLedger(SandboxRecords(engine, "erp"))

    keep_the_firms_master_data(ledger)
    keep_the_firms_master_data(ledger)

    assert ledger.legal_entities() == [GB]
    assert [(t.code, t.percent) for t in ledger.tax_codes("GB01")] == [
        ("GB-S-20", Decimal("20.00"))
    ]
    assert [c.code for c in ledger.cost_centres("GB01")] == ["CC-200"]
    assert [(c.name, c.external_id) for c in ledger.customers("GB01")] == [("Initech Ltd", "")]
