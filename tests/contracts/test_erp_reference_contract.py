"""What every ERP promises o2c about its master data: the legal entities it keeps, each entity's
tax codes and cost centres, and its customer master, as the ERP's own users keep them, read to
the end and never from another entity."""

from __future__ import annotations

from decimal import Decimal

import pytest

from application.reference_ports import (
    ErpCostCentre,
    ErpCustomerRecord,
    ErpLegalEntityRecord,
    ErpReferenceData,
    ErpTaxCode,
)
from contracts.ledgers import (
    ENTITY,
    OTHER_ENTITY,
    LedgerWorld,
    ReferenceSeed,
    a_ledger_customer,
)

US = ErpLegalEntityRecord(ENTITY, "Example Consulting Inc.", "US", "USD")
GB = ErpLegalEntityRecord(OTHER_ENTITY, "Example Consulting Ltd", "GB", "GBP")


def reference_of(world: LedgerWorld) -> ErpReferenceData:
    assert isinstance(world.ledger, ErpReferenceData), "every ERP's ledger reads master data"
    assert world.seed_reference is not None, "each ERP's world keeps master data its own way"
    return world.ledger


def hand_made(name: str, entity: str = ENTITY, **changes: str) -> ErpCustomerRecord:
    fields = {
        "erp_legal_entity": entity,
        "erp_id": "",
        "external_id": "",
        "name": name,
        "tax_registration": "",
        "country": "US",
        "currency": "USD",
    }
    fields |= changes
    return ErpCustomerRecord(**fields)


@pytest.fixture
def seeded(ledger_world: LedgerWorld) -> LedgerWorld:
    reference_of(ledger_world)
    assert ledger_world.seed_reference is not None
    ledger_world.seed_reference(
        ReferenceSeed(
            US,
            tax_codes=(
                ErpTaxCode(ENTITY, "US-EXEMPT", "Not subject to sales tax", Decimal("0"), "US"),
                ErpTaxCode(ENTITY, "US-NY-8875", "New York sales tax", Decimal("8.875"), "US"),
            ),
            cost_centres=(
                ErpCostCentre(ENTITY, "CC-100", "Consulting East", True),
                ErpCostCentre(ENTITY, "CC-900", "Closed practice", False),
            ),
        )
    )
    ledger_world.seed_reference(
        ReferenceSeed(
            GB,
            tax_codes=(ErpTaxCode(OTHER_ENTITY, "GB-S-20", "UK VAT standard", Decimal(20), "GB"),),
            cost_centres=(ErpCostCentre(OTHER_ENTITY, "CC-200", "Consulting London", True),),
            customers=(hand_made("Initech Ltd", OTHER_ENTITY, country="GB", currency="GBP"),),
        )
    )
    return ledger_world


def test_each_legal_entity_is_read_with_its_country_and_currency(seeded):
    entities = reference_of(seeded).legal_entities()

    assert US in entities
    assert GB in entities
    assert len({e.erp_legal_entity for e in entities}) == len(entities)


def test_tax_codes_are_the_entitys_own_with_their_exact_rates(seeded):
    reference = reference_of(seeded)

    assert reference.tax_codes(ENTITY) == [
        ErpTaxCode(ENTITY, "US-EXEMPT", "Not subject to sales tax", Decimal("0"), "US"),
        ErpTaxCode(ENTITY, "US-NY-8875", "New York sales tax", Decimal("8.875"), "US"),
    ]
    assert [t.code for t in reference.tax_codes(OTHER_ENTITY)] == ["GB-S-20"]


def test_cost_centres_are_the_entitys_own_inactive_ones_included(seeded):
    reference = reference_of(seeded)

    assert reference.cost_centres(ENTITY) == [
        ErpCostCentre(ENTITY, "CC-100", "Consulting East", True),
        ErpCostCentre(ENTITY, "CC-900", "Closed practice", False),
    ]
    assert reference.cost_centres(OTHER_ENTITY) == [
        ErpCostCentre(OTHER_ENTITY, "CC-200", "Consulting London", True)
    ]


def test_customers_o2c_made_carry_its_external_id_and_those_made_by_hand_carry_none(seeded):
    ledger = seeded.ledger
    made = ledger.upsert_customer(a_ledger_customer())
    reference = reference_of(seeded)

    ours = [c for c in reference.customers(ENTITY) if c.external_id == "001-ACME"]
    theirs = reference.customers(OTHER_ENTITY)

    assert [(c.erp_id, c.name, c.tax_registration, c.currency) for c in ours] == [
        (made, "Acme Corp", "US-EIN-12-3456789", "USD")
    ]
    assert [(c.external_id, c.name, c.country, c.currency) for c in theirs] == [
        ("", "Initech Ltd", "GB", "GBP")
    ]
    assert theirs[0].erp_id


def test_a_customer_changed_in_the_erp_is_read_as_the_erp_now_keeps_it(seeded):
    ledger = seeded.ledger
    ledger.upsert_customer(a_ledger_customer())
    renamed = a_ledger_customer()
    ledger.upsert_customer(
        type(renamed)(renamed.external_id, "Acme Corporation", ENTITY, "USD", "US-EIN-99")
    )

    ours = [c for c in reference_of(seeded).customers(ENTITY) if c.external_id == "001-ACME"]

    assert [(c.name, c.tax_registration) for c in ours] == [("Acme Corporation", "US-EIN-99")]


def test_every_customer_is_read_whatever_the_number_of_pages(seeded):
    """More customers than any of these ERPs answers in one page of the simulators' settings."""
    assert seeded.seed_reference is not None
    many = tuple(hand_made(f"Customer {n:04d}") for n in range(230))
    seeded.seed_reference(ReferenceSeed(US, customers=many))

    names = [c.name for c in reference_of(seeded).customers(ENTITY)]

    assert sorted(names) == sorted(c.name for c in many)
    assert len({c.erp_id for c in reference_of(seeded).customers(ENTITY)}) == 230


def test_an_entity_the_erp_does_not_keep_has_no_master_data(seeded):
    reference = reference_of(seeded)

    assert reference.tax_codes("NO-SUCH-ENTITY") == []
    assert reference.cost_centres("NO-SUCH-ENTITY") == []
    assert reference.customers("NO-SUCH-ENTITY") == []
