"""A billing cycle refuses bad input by naming the field, and then has changed nothing."""

import pytest
from support.billing_cycle import (
    END_OF_DECEMBER,
    NOW,
    TOKYO_KK,
    december,
    sequences,
    staged,
    the_setup,
)

from domain.billing.charges import ChargeKind
from domain.errors import (
    CurrencyMismatch,
    InvalidField,
    NumberOutOfSequence,
    TaxRuleMissing,
    UnknownValue,
)
from domain.invoicing.billed_work import BilledWork, BilledWorkStatus
from domain.invoicing.cycle import finalise_all, run_billing_cycle
from domain.invoicing.invoice import InvoiceStatus
from domain.invoicing.staging import CycleScope, StagedCharge

TC_1 = staged("100.00", "USD", "TC-1", on=december(1))
EVERYTHING = CycleScope()


def cycle(items, scope=EVERYTHING, billed=None):
    return run_billing_cycle(
        the_setup(),
        cycle_id="2026-12",
        as_of=END_OF_DECEMBER,
        scope=scope,
        staged=items,
        billed={} if billed is None else billed,
    )


def test_a_charge_in_a_currency_its_engagement_does_not_bill_in_is_refused():
    yen_on_a_dollar_engagement = staged("1000", "JPY", "TC-2", on=december(1))

    with pytest.raises(CurrencyMismatch) as refused:
        cycle([TC_1, yen_on_a_dollar_engagement])

    assert refused.value.field == "charges[1].amount.currency_code"
    assert refused.value.keys == {"engagement_id": "ENG-A", "currency": "JPY"}


def test_a_scope_naming_an_unknown_legal_entity_is_refused():
    with pytest.raises(UnknownValue) as refused:
        cycle([TC_1], CycleScope(legal_entity_codes=frozenset({"ZZ99"})))

    assert refused.value.field == "scope.legal_entity_codes"


def test_a_scope_naming_an_unknown_engagement_is_refused():
    with pytest.raises(UnknownValue) as refused:
        cycle([TC_1], CycleScope(engagement_ids=frozenset({"ENG-Z"})))

    assert refused.value.field == "scope.engagement_ids"


def test_a_charge_of_an_unknown_engagement_or_legal_entity_is_refused():
    with pytest.raises(UnknownValue) as no_engagement:
        cycle([staged("1.00", "USD", "TC-9", on=december(1), engagement="ENG-Z")])
    with pytest.raises(UnknownValue) as no_entity:
        cycle([StagedCharge(TC_1.charge, "ENG-A", "ZZ99", "consulting", december(1))])

    assert no_engagement.value.field == "charges[0].engagement_id"
    assert no_entity.value.field == "charges[0].legal_entity_code"


def test_a_charge_staged_twice_is_refused():
    with pytest.raises(InvalidField) as refused:
        cycle([TC_1, TC_1])

    assert refused.value.field == "charges[1].source_id"


def test_a_missing_tax_rule_refuses_the_cycle_and_leaves_every_record_as_it_was():
    re_approved = BilledWork("TC-1", ChargeKind.TIME, "INV-OLD", BilledWorkStatus.REAPPROVED)
    no_rule = staged("100.00", "USD", "TC-2", on=december(2), service_type="training")

    with pytest.raises(TaxRuleMissing):
        cycle([TC_1, no_rule], billed={re_approved.key: re_approved})

    assert (re_approved.status, re_approved.invoice_id) == (BilledWorkStatus.REAPPROVED, "INV-OLD")


def test_finalising_without_a_legal_entitys_sequence_numbers_none_of_the_drafts():
    yen = staged("1000", "JPY", "TC-3", on=december(1), engagement="ENG-B", entity=TOKYO_KK)
    drafts = cycle([TC_1, yen]).invoices
    only_us = {"US01": sequences()["US01"]}

    with pytest.raises(UnknownValue) as refused:
        finalise_all(drafts, only_us, END_OF_DECEMBER, NOW)

    assert refused.value.field == "sequences[JP01]"
    assert [i.status for i in drafts] == [InvoiceStatus.DRAFT, InvoiceStatus.DRAFT]
    assert only_us["US01"].next_sequence == 1


def test_finalising_before_a_legal_entitys_last_issue_numbers_none_of_the_drafts():
    numbers = sequences()
    numbers["JP01"].take("JP01", END_OF_DECEMBER)
    yen = staged("1000", "JPY", "TC-3", on=december(1), engagement="ENG-B", entity=TOKYO_KK)
    drafts = cycle([TC_1, yen]).invoices

    with pytest.raises(NumberOutOfSequence) as refused:
        finalise_all(drafts, numbers, december(30), NOW)

    assert refused.value.field == "issued_on"
    assert drafts[0].status is InvoiceStatus.DRAFT
    assert numbers["US01"].next_sequence == 1
