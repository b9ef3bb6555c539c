"""Intercompany charges in the business's words: GB01 contracts, DE01 and JP01 deliver part of
the work; each delivering entity charges its share of the net revenue billed for its work."""

from __future__ import annotations

from decimal import Decimal

import pytest
from support.invoicing import a_draft, bill_each, charge, finalised, money, the_tax_table

from domain.billing.charges import ChargeKind
from domain.errors import InvalidField
from domain.intercompany import TransferPricing, intercompany_charges

PRICING = TransferPricing(Decimal("0.85"), {("DE01", "GB01"): Decimal("0.80")})


def an_invoice(*charges):
    return finalised(bill_each(a_draft(), charges))


def test_work_delivered_by_another_entity_is_charged_at_its_agreed_share():
    invoice = an_invoice(charge("1000.00", "TE-1"), charge("500.00", "TE-2"))

    [ic] = intercompany_charges(invoice, {"TE-2": "DE01"}, PRICING)

    assert ic.number == f"{invoice.number}/IC-DE01"
    assert (ic.delivering_legal_entity, ic.contracting_legal_entity) == ("DE01", "GB01")
    assert [(line.invoice_line, line.revenue, line.amount) for line in ic.lines] == [
        (2, money("500.00"), money("400.00"))
    ]
    assert ic.total == money("400.00") and ic.share == Decimal("0.80")
    assert ic.issued_on == invoice.issued_on and ic.payable_key == f"{ic.number}/AP"


def test_each_delivering_entity_gets_one_charge_and_the_default_share_without_an_agreement():
    invoice = an_invoice(
        charge("100.00", "TE-1"), charge("200.00", "TE-2"), charge("300.00", "E-1")
    )

    charges = intercompany_charges(
        invoice, {"TE-1": "JP01", "E-1": "JP01", "TE-2": "DE01"}, PRICING
    )

    assert [(c.delivering_legal_entity, c.total) for c in charges] == [
        ("DE01", money("160.00")),
        ("JP01", money("340.00")),  # 85% of 100 + 300
    ]


def test_work_the_contracting_entity_delivered_itself_makes_no_charge():
    invoice = an_invoice(charge("1000.00", "TE-1"))

    assert intercompany_charges(invoice, {}, PRICING) == []
    assert intercompany_charges(invoice, {"TE-1": "GB01"}, PRICING) == []


def test_a_line_shared_by_two_entities_is_split_by_their_charges_after_the_discount():
    draft = a_draft()
    draft.bill(
        [charge("600.00", "TE-1"), charge("300.00", "TE-2")],
        description="Time",
        service_type="consulting",
        taxes=the_tax_table(),
    )
    draft.give_discount(money("90.00"))
    invoice = finalised(draft)

    [ic] = intercompany_charges(invoice, {"TE-2": "JP01"}, PRICING)

    # the line nets 810.00; a third of it is JP01's work, charged at 85%
    assert [(line.revenue, line.amount) for line in ic.lines] == [
        (money("270.00"), money("229.50"))
    ]


def test_shares_that_do_not_end_are_rounded_half_up_to_the_minor_unit():
    invoice = an_invoice(charge("100.00", "TE-1"))
    pricing = TransferPricing(Decimal("0.333"))

    [ic] = intercompany_charges(invoice, {"TE-1": "JP01"}, pricing)

    assert ic.total == money("33.30")


def test_charges_not_billed_on_the_invoice_are_not_charged_between_entities():
    invoice = an_invoice(charge("100.00", "TE-1"))

    assert intercompany_charges(invoice, {"TE-9": "JP01"}, PRICING) == []


@pytest.mark.parametrize("share", ["0", "-0.1", "1.01"])
def test_a_share_outside_nothing_to_all_is_refused(share):
    with pytest.raises(InvalidField) as refused:
        TransferPricing(Decimal(share))
    assert refused.value.field == "intercompany.revenue_share_percent"


def test_expenses_and_usage_delivered_by_another_entity_are_charged_too():
    invoice = an_invoice(charge("50.00", "E-1", ChargeKind.EXPENSE))

    [ic] = intercompany_charges(invoice, {"E-1": "DE01"}, PRICING)

    assert ic.total == money("40.00")


def test_a_line_split_in_thirds_rounds_each_entitys_revenue_half_up():
    draft = a_draft()
    draft.bill(
        [charge("100.00", "TE-1"), charge("100.00", "TE-2"), charge("100.00", "TE-3")],
        description="Time",
        service_type="consulting",
        taxes=the_tax_table(),
    )
    draft.give_discount(money("100.00"))
    invoice = finalised(draft)

    [ic] = intercompany_charges(invoice, {"TE-2": "JP01"}, PRICING)

    # the line nets 200.00: JP01's third is 66.666..., 66.67, charged at 85%
    assert [(line.revenue, line.amount) for line in ic.lines] == [(money("66.67"), money("56.67"))]
