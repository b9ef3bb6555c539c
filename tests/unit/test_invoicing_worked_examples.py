"""Invoices, credit notes and payments worked through by hand, figures in the docstrings."""

import datetime as dt
from decimal import Decimal

import pytest
from support.invoicing import (
    BAHRAIN_CO,
    BERLIN_GMBH,
    MANAMA_WLL,
    NEW_YEARS_EVE,
    NOW,
    OSAKA_CO,
    PARIS_RESIDENT,
    PARIS_SA,
    TOKYO_KK,
    a_draft,
    bill_each,
    charge,
    credit_notes_of,
    finalised,
    invoices_of,
    money,
    payment,
    the_tax_table,
)

from domain.billing.charges import ChargeKind
from domain.errors import CreditExceedsInvoice
from domain.invoicing.events import CreditNoteIssued, InvoiceFinalised, PaymentApplied
from domain.invoicing.invoice import InvoiceStatus
from domain.invoicing.tax import REVERSE_CHARGE_NOTE, TaxTreatment


def discounted_pounds():
    invoice = bill_each(a_draft(), [charge("100.00", f"TC-{n}") for n in (1, 2, 3)])
    invoice.give_discount(money("100.00"))
    return invoice


def test_a_discount_is_allocated_across_lines_and_tax_is_rounded_on_each_line():
    """GBP, VAT 20 %: three lines of 100.00 and 100.00 off the invoice.

    10,000 pence / 3 = 3,333.33 each: floors 3,333 x 3, the spare penny to the first line:
    discounts 33.34, 33.33, 33.33 (sum 100.00); nets 66.66, 66.67, 66.67 (sum 200.00);
    VAT 13.332 -> 13.33, 13.334 -> 13.33, 13.334 -> 13.33 (sum 39.99, not 20 % of 200.00).
    Total 200.00 + 39.99 = 239.99.
    """
    invoice = discounted_pounds()

    assert [ln.discount for ln in invoice.lines] == [money(d) for d in ("33.34", "33.33", "33.33")]
    assert [ln.net for ln in invoice.lines] == [money(n) for n in ("66.66", "66.67", "66.67")]
    assert [ln.tax for ln in invoice.lines] == [money("13.33")] * 3
    assert (invoice.net, invoice.tax, invoice.total) == (
        money("200.00"),
        money("39.99"),
        money("239.99"),
    )


def test_a_draft_previews_as_it_would_be_issued_without_taking_a_number():
    """Issued 31 Dec 2026 on net 30 days: due 30 Jan 2027."""
    invoice = discounted_pounds()
    sequence = invoices_of(invoice.legal_entity)

    preview = invoice.preview(NEW_YEARS_EVE)

    assert (preview.number, preview.status) == ("", "draft")
    assert preview.due_on == dt.date(2027, 1, 30)
    assert (preview.total, preview.discount) == (money("239.99"), money("100.00"))
    assert sequence.next_sequence == 1
    assert invoice.events == []


def test_finalising_numbers_the_invoice_sets_its_due_date_and_records_the_outcome():
    invoice = discounted_pounds()

    invoice.finalise(invoices_of(invoice.legal_entity), NEW_YEARS_EVE, NOW)

    assert str(invoice.number) == "GB01-2026-000001"
    assert (invoice.status, invoice.due_on) == (InvoiceStatus.FINALISED, dt.date(2027, 1, 30))
    (event,) = invoice.events
    assert isinstance(event, InvoiceFinalised)
    assert (event.total, event.source_ids) == (money("239.99"), ("TC-1", "TC-2", "TC-3"))
    assert str(event.key) == "invoice:GB01-2026-000001"
    assert (event.aggregate.type, event.aggregate.id) == ("invoice", "INV-ID-1")


def test_a_full_credit_note_equals_its_invoice_to_the_penny_and_releases_its_events():
    """Credit: nets 66.66 + 66.67 + 66.67 = 200.00, VAT 13.33 x 3 = 39.99, total 239.99."""
    invoice = finalised(discounted_pounds())

    note = invoice.issue_credit_note(
        credit_note_id="CN-ID-1",
        sequence=credit_notes_of(invoice.legal_entity),
        issued_on=NEW_YEARS_EVE,
        now=NOW,
        reason="engagement cancelled",
    )

    assert str(note.number) == "GB01-CN-2026-000001"
    assert str(note.invoice_number) == "GB01-2026-000001"
    assert [ln.tax for ln in note.lines] == [ln.tax for ln in invoice.lines]
    assert (note.net, note.tax, note.total) == (invoice.net, invoice.tax, invoice.total)
    assert note.releases == ("TC-1", "TC-2", "TC-3")
    assert (invoice.status, invoice.balance) == (InvoiceStatus.CREDITED, money("0.00"))
    assert isinstance(invoice.events[-1], CreditNoteIssued)


def test_a_partial_payment_leaves_a_balance_and_the_rest_pays_the_invoice():
    """239.99 - 100.00 = 139.99 open; then 139.99 more: paid, 0.00 open."""
    invoice = finalised(discounted_pounds())

    first = invoice.apply_payment(payment("100.00"), NOW)
    status_after_first, balance_after_first = invoice.status, invoice.balance
    invoice.apply_payment(payment("139.99", payment_id="PAY-2"), NOW)

    assert (first.applied, first.unapplied) == (money("100.00"), money("0.00"))
    assert (status_after_first, balance_after_first) == (
        InvoiceStatus.PARTIALLY_PAID,
        money("139.99"),
    )
    assert (invoice.status, invoice.balance) == (InvoiceStatus.PAID, money("0.00"))
    event = invoice.events[-1]
    assert isinstance(event, PaymentApplied)
    assert (event.balance, event.status) == (money("0.00"), "paid")


def yen_invoice():
    invoice = a_draft(TOKYO_KK, OSAKA_CO, "JPY")
    invoice.bill(
        [charge(money("4500000", "JPY"), "MS-design", ChargeKind.MILESTONE)],
        description="Design milestone",
        service_type="consulting",
        taxes=the_tax_table(),
    )
    invoice.bill(
        [charge(money("123457", "JPY"), "EX-1", ChargeKind.EXPENSE)],
        description="Travel",
        service_type="expenses",
        taxes=the_tax_table(),
    )
    return finalised(invoice, dt.date(2027, 1, 15))


def credit_yen(invoice, lines, sequence):
    return invoice.issue_credit_note(
        credit_note_id=f"CN-{sequence.next_sequence}",
        sequence=sequence,
        issued_on=dt.date(2027, 1, 20),
        now=NOW,
        reason="travel over-charged",
        lines=lines,
    )


def test_yen_invoices_have_no_minor_units_and_credits_of_a_line_never_exceed_its_tax():
    """JPY, consumption tax 10 %: 4,500,000 -> 450,000; 123,457 -> 12,345.7 -> 12,346.
    Invoice: net 4,623,457, tax 462,346, total 5,085,803.

    Credit line 2 by 50,000: tax 12,346 x 50,000 / 123,457 = 5,000.12 -> 5,000 (55,000).
    Credit the rest of line 2, 73,457: tax 12,346 - 5,000 = 7,346 (80,803), so line 2's
    credits sum to its 123,457 + 12,346 exactly; only the second note releases EX-1.
    Open: 5,085,803 - 55,000 - 80,803 = 4,950,000.
    """
    invoice = yen_invoice()
    sequence = credit_notes_of(TOKYO_KK)

    part = credit_yen(invoice, {2: money("50000", "JPY")}, sequence)
    rest = credit_yen(invoice, {2: None}, sequence)

    assert (invoice.net, invoice.tax, invoice.total) == (
        money("4623457", "JPY"),
        money("462346", "JPY"),
        money("5085803", "JPY"),
    )
    assert (part.tax, part.total, part.releases) == (
        money("5000", "JPY"),
        money("55000", "JPY"),
        (),
    )
    assert (rest.net, rest.tax, rest.releases) == (
        money("73457", "JPY"),
        money("7346", "JPY"),
        ("EX-1",),
    )
    assert [str(part.number), str(rest.number)] == ["JP01-CN-2027-000001", "JP01-CN-2027-000002"]
    assert (invoice.status, invoice.balance) == (InvoiceStatus.FINALISED, money("4950000", "JPY"))
    with pytest.raises(CreditExceedsInvoice) as refused:
        credit_yen(invoice, {2: money("1", "JPY")}, sequence)
    assert refused.value.field == "credit_lines[2].net.amount"
    assert refused.value.keys == {"line": "2", "remaining": "0"}


def test_a_dinar_over_payment_settles_the_invoice_and_keeps_the_excess_as_credit():
    """KWD (3 decimals), Bahraini VAT 10 %: 987.654 -> 98.7654 -> 98.765;
    12.345 -> 1.2345 -> 1.235 (half up). Net 999.999, tax 100.000, total 1,099.999.
    Paid 1,200.000: 1,099.999 applied, 100.001 kept unapplied; 1,099.999 + 100.001 = 1,200.000.
    """
    invoice = a_draft(MANAMA_WLL, BAHRAIN_CO, "KWD")
    bill_each(invoice, [charge(money("987.654", "KWD"), "TC-1")])
    bill_each(invoice, [charge(money("12.345", "KWD"), "US-1", ChargeKind.USAGE)], "usage")
    finalised(invoice)

    applied = invoice.apply_payment(payment("1200.000", "KWD"), NOW)

    assert [ln.tax for ln in invoice.lines] == [money("98.765", "KWD"), money("1.235", "KWD")]
    assert (invoice.net, invoice.tax, invoice.total) == (
        money("999.999", "KWD"),
        money("100.000", "KWD"),
        money("1099.999", "KWD"),
    )
    assert (applied.applied, applied.unapplied) == (
        money("1099.999", "KWD"),
        money("100.001", "KWD"),
    )
    assert (invoice.status, invoice.balance) == (InvoiceStatus.PAID, money("0.000", "KWD"))
    assert invoice.unapplied == money("100.001", "KWD")


def test_a_cross_border_business_customer_with_a_vat_number_is_reverse_charged_with_a_note():
    """DE01 bills consulting to a French company with VAT number FR12345678901:
    12,000.00 EUR, no German VAT (0.00), total 12,000.00, the reverse-charge note printed."""
    invoice = a_draft(BERLIN_GMBH, PARIS_SA, "EUR")
    bill_each(invoice, [charge(money("12000.00", "EUR"), "MS-1", ChargeKind.MILESTONE)])

    document = finalised(invoice).document()

    (line,) = document.lines
    assert (line.tax_rate.treatment, line.tax) == (TaxTreatment.REVERSE_CHARGE, money("0", "EUR"))
    assert (document.tax, document.total) == (money("0.00", "EUR"), money("12000.00", "EUR"))
    assert document.notes == (REVERSE_CHARGE_NOTE,)
    (summary,) = document.tax_summary
    assert (summary.treatment, summary.percent, summary.net) == (
        TaxTreatment.REVERSE_CHARGE,
        Decimal(0),
        money("12000.00", "EUR"),
    )


def test_the_same_service_to_a_french_consumer_bears_german_vat_and_no_note():
    """12,000.00 x 19 % = 2,280.00; total 14,280.00."""
    invoice = a_draft(BERLIN_GMBH, PARIS_RESIDENT, "EUR")
    bill_each(invoice, [charge(money("12000.00", "EUR"), "MS-1", ChargeKind.MILESTONE)])

    document = invoice.preview(NEW_YEARS_EVE)

    assert (document.tax, document.total) == (money("2280.00", "EUR"), money("14280.00", "EUR"))
    assert document.notes == ()


def test_invoice_numbers_run_on_across_the_new_year_without_a_reset():
    """30 Dec 2026, 31 Dec 2026, 2 Jan 2027: 000001, 000002, then 000003 (not 000001)."""
    sequence = invoices_of(TOKYO_KK)
    days = [dt.date(2026, 12, 30), dt.date(2026, 12, 31), dt.date(2027, 1, 2)]

    numbers = [str(sequence.take("JP01", day)) for day in days]

    assert numbers == ["JP01-2026-000001", "JP01-2026-000002", "JP01-2027-000003"]


def test_tax_is_the_sum_of_line_taxes_on_the_invoice_and_on_its_credits_never_a_total_rate():
    """20 % of the 200.00 net would be 40.00, a penny more than the invoice's 39.99: taxing the
    total on one document and the lines on the other is how credits come to exceed invoices.
    Here both sum their lines: three credit notes of one line each, 13.33 + 13.33 + 13.33."""
    invoice = finalised(discounted_pounds())
    sequence = credit_notes_of(invoice.legal_entity)

    notes = [
        invoice.issue_credit_note(
            credit_note_id=f"CN-{n}",
            sequence=sequence,
            issued_on=NEW_YEARS_EVE,
            now=NOW,
            reason="disputed",
            lines={n: None},
        )
        for n in (1, 2, 3)
    ]

    assert invoice.net.times(Decimal("0.2")) == money("40.00")
    assert [note.tax for note in notes] == [money("13.33")] * 3
    assert invoice.credited == invoice.total == money("239.99")
    assert invoice.status is InvoiceStatus.CREDITED
