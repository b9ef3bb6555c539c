"""Credited work is billed again only when someone re-approves it, and then exactly once."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.invoicing import (
    NEW_YEARS_EVE,
    NOW,
    UK_LTD,
    a_draft,
    bill_each,
    charge,
    credit_notes_of,
    invoices_of,
    money,
)

from domain.billing.charges import ChargeKind
from domain.errors import BillableEventConflict, InvalidTransition
from domain.invoicing.billed_work import BilledWorkStatus, record_invoiced
from domain.money import Money

TC_1, TC_2 = charge("100.00", "TC-1"), charge("50.00", "TC-2")


def invoiced(charges, invoice_id="INV-ID-1", sequence=None):
    invoice = bill_each(a_draft(invoice_id=invoice_id), charges)
    invoice.finalise(sequence or invoices_of(UK_LTD), NEW_YEARS_EVE, NOW)
    return invoice


def credit(invoice, lines=None, sequence=None):
    return invoice.issue_credit_note(
        credit_note_id=f"CN-{invoice.id}",
        sequence=sequence or credit_notes_of(UK_LTD),
        issued_on=NEW_YEARS_EVE,
        now=NOW,
        reason="disputed",
        lines=lines,
    )


def test_work_on_an_invoice_is_never_invoiced_again_without_a_credit_and_a_re_approval():
    first = invoiced([TC_1])
    known = {r.key: r for r in record_invoiced([TC_1], first.id, {})}

    with pytest.raises(BillableEventConflict) as refused:
        record_invoiced([TC_1], "INV-ID-2", known)

    assert refused.value.field == "source_id"
    assert refused.value.keys == {"source_id": "TC-1", "invoice_id": "INV-ID-1"}


def test_credited_work_is_released_but_billed_again_only_once_re_approved():
    """TC-1 100.00 + VAT 20.00 credited in full; re-approved; billed on a new invoice: 120.00."""
    first = invoiced([TC_1, TC_2])
    (tc1, tc2) = record_invoiced([TC_1, TC_2], first.id, {})
    note = credit(first, {1: None})

    tc1.release(note)
    with pytest.raises(BillableEventConflict):
        record_invoiced([TC_1], "INV-ID-2", {tc1.key: tc1})
    tc1.reapprove()
    second = invoiced([TC_1], "INV-ID-2")
    record_invoiced([TC_1], second.id, {tc1.key: tc1})

    assert note.releases == ("TC-1",)
    assert (note.total, second.total) == (money("120.00"), money("120.00"))
    assert (tc1.status, tc1.invoice_id, tc1.times_invoiced) == (
        BilledWorkStatus.INVOICED,
        "INV-ID-2",
        2,
    )
    with pytest.raises(InvalidTransition):
        tc2.release(note)


def test_a_part_of_a_line_credited_releases_none_of_its_work():
    first = invoiced([TC_1])
    (tc1,) = record_invoiced([TC_1], first.id, {})

    note = credit(first, {1: money("10.00")})

    assert note.releases == ()
    with pytest.raises(InvalidTransition):
        tc1.release(note)


@settings(deadline=None)
@given(
    st.lists(st.integers(1, 10**7), min_size=1, max_size=6),
    st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_a_credit_note_followed_by_re_approval_bills_each_charge_exactly_once(units, credited):
    """Net billed = first invoice - credit note + second invoice = the charges, once each."""
    charges = [
        charge(Money.from_minor_units("GBP", u), f"TC-{n}", ChargeKind.TIME)
        for n, u in enumerate(units)
    ]
    first = invoiced(charges)
    records = {r.key: r for r in record_invoiced(charges, first.id, {})}
    lines = {n + 1: None for n in range(len(charges)) if credited[n]}
    if not lines:
        return
    note = credit(first, lines)
    again = [c for c in charges if c.source_id in note.releases]
    for item in again:
        records[(item.source_id, item.kind)].release(note)
        records[(item.source_id, item.kind)].reapprove()
    second = invoiced(again, "INV-ID-2")
    record_invoiced(again, second.id, records)

    billed = first.net - note.net + second.net
    assert billed == sum((c.amount for c in charges), Money.of(0, "GBP"))
    assert first.tax - note.tax + second.tax == first.tax
    assert all(r.status is BilledWorkStatus.INVOICED for r in records.values())
