"""Properties of invoices, credit notes, numbering and payments for any figures."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from support.invoicing import (
    NOW,
    a_draft,
    charge,
    credit_notes_of,
    finalised,
)

from domain.invoicing.invoice import InvoiceStatus
from domain.invoicing.numbering import DocumentSequence
from domain.invoicing.payments import Payment
from domain.invoicing.tax import Customer, LegalEntity, TaxRule, TaxTable, TaxTreatment
from domain.money import Money

CURRENCIES = st.sampled_from(["JPY", "USD", "KWD"])
PERCENTS = st.sampled_from(["0", "5", "7.7", "8.1", "10", "19", "20", "21", "27"])
SELLER = LegalEntity("XX01", "XX")
BUYER = Customer("C-1", "XX")


def moneys(currency, low=1, high=10**9):
    return st.integers(low, high).map(lambda units: Money.from_minor_units(currency, units))


@st.composite
def invoices(draw):
    """A draft of 1-8 lines, each taxed at its own rate, perhaps with a discount."""
    currency = draw(CURRENCIES)
    percents = draw(st.lists(PERCENTS, min_size=1, max_size=8))
    table = TaxTable.of(
        TaxRule(
            "XX",
            "XX",
            f"service-{i}",
            TaxTreatment.STANDARD if Decimal(p) else TaxTreatment.ZERO_RATED,
            Decimal(p),
        )
        for i, p in enumerate(percents)
    )
    invoice = a_draft(SELLER, BUYER, currency)
    for index in range(len(percents)):
        amounts = draw(st.lists(moneys(currency), min_size=1, max_size=3))
        charges = [charge(a, f"TC-{index}-{n}") for n, a in enumerate(amounts)]
        invoice.bill(charges, description="work", service_type=f"service-{index}", taxes=table)
    if invoice.amount.minor_units() > 1 and draw(st.booleans()):
        invoice.give_discount(draw(moneys(currency, high=invoice.amount.minor_units() - 1)))
    return invoice


def sums(moneys_, currency):
    return sum(moneys_, Money.of(0, currency))


@settings(deadline=None)
@given(invoices())
def test_invoice_lines_sum_exactly_to_its_totals_in_any_currency(invoice):
    currency = invoice.currency

    assert sums([ln.net for ln in invoice.lines], currency) == invoice.net
    assert sums([ln.tax for ln in invoice.lines], currency) == invoice.tax
    assert invoice.net + invoice.tax == invoice.total
    document = invoice.preview(dt.date(2026, 12, 31))
    assert sums([s.tax for s in document.tax_summary], currency) == invoice.tax
    assert sums([s.net for s in document.tax_summary], currency) == invoice.net


@settings(deadline=None)
@given(invoices())
def test_a_discount_is_split_exactly_each_part_within_one_minor_unit_of_its_share(invoice):
    discount = invoice.discount or Money.of(0, invoice.currency)

    assert sums([ln.discount for ln in invoice.lines], invoice.currency) == discount
    for line in invoice.lines:
        share = Fraction(discount.minor_units() * line.amount.minor_units())
        share /= invoice.amount.minor_units()
        assert abs(line.discount.minor_units() - share) < 1


def credit(invoice, sequence, lines=None):
    return invoice.issue_credit_note(
        credit_note_id=f"CN-{sequence.next_sequence}",
        sequence=sequence,
        issued_on=dt.date(2026, 12, 31),
        now=NOW,
        reason="disputed",
        lines=lines,
    )


@settings(deadline=None)
@given(invoices())
def test_a_full_credit_note_equals_its_invoice_exactly_tax_included(invoice):
    finalised(invoice)

    note = credit(invoice, credit_notes_of(SELLER))

    assert (note.net, note.tax, note.total) == (invoice.net, invoice.tax, invoice.total)
    assert [ln.tax for ln in note.lines if ln.net.is_positive()] == [
        ln.tax for ln in invoice.lines if ln.net.is_positive()
    ]
    assert invoice.status is InvoiceStatus.CREDITED


@settings(deadline=None)
@given(invoices(), st.data())
def test_partial_credits_never_add_up_to_more_than_the_invoice_and_the_rest_closes_it(
    invoice, data
):
    """Tax is credited per line on the cumulative net: never more than the line's own tax."""
    finalised(invoice)
    sequence = credit_notes_of(SELLER)
    open_lines = [ln for ln in invoice.lines if ln.net.is_positive()]
    for _ in range(data.draw(st.integers(0, 4))):
        line = data.draw(st.sampled_from(open_lines))
        left = line.net - sums(
            [c.net for n in invoice.credit_notes for c in n.lines if c.invoice_line == line.number],
            invoice.currency,
        )
        if left.is_positive():
            part = data.draw(moneys(invoice.currency, high=left.minor_units()))
            credit(invoice, sequence, {line.number: part})
        for each in invoice.lines:
            credited = [c for n in invoice.credit_notes for c in n.lines]
            mine = [c for c in credited if c.invoice_line == each.number]
            assert sums([c.net for c in mine], invoice.currency).amount <= each.net.amount
            assert sums([c.tax for c in mine], invoice.currency).amount <= each.tax.amount
        assert invoice.credited.amount <= invoice.total.amount

    if invoice.status is not InvoiceStatus.CREDITED:
        credit(invoice, sequence)

    assert invoice.credited == invoice.total
    assert sums([n.tax for n in invoice.credit_notes], invoice.currency) == invoice.tax


@st.composite
def issue_days(draw):
    """Days of issue in order, over several periods and years, for two legal entities."""
    gaps = draw(st.lists(st.integers(0, 200), min_size=1, max_size=40))
    entities = draw(st.lists(st.sampled_from(["GB01", "JP01"]), min_size=len(gaps)))
    day, days = dt.date(2025, 11, 1), []
    for gap, entity in zip(gaps, entities, strict=False):
        day += dt.timedelta(days=gap)
        days.append((entity, day))
    return days


@given(issue_days())
def test_numbers_per_legal_entity_have_no_gaps_and_no_resets_across_periods_and_years(days):
    sequences = {code: DocumentSequence.start(code) for code in ("GB01", "JP01")}

    taken = [sequences[entity].take(entity, day) for entity, day in days]

    for code in sequences:
        mine = [number for number in taken if number.legal_entity_code == code]
        assert [number.sequence for number in mine] == list(range(1, len(mine) + 1))
        assert [number.year for number in mine] == sorted(number.year for number in mine)
    assert len({str(number) for number in taken}) == len(taken)


@settings(deadline=None)
@given(invoices(), st.data())
def test_payments_conserve_amounts_applied_and_unapplied_are_what_was_paid(invoice, data):
    finalised(invoice)
    currency = invoice.currency
    amounts = data.draw(
        st.lists(moneys(currency, high=invoice.total.minor_units() + 10), max_size=5)
    )

    applications = [
        invoice.apply_payment(Payment(f"PAY-{n}", amount, dt.date(2027, 1, 5)), NOW)
        for n, amount in enumerate(amounts)
    ]

    for application in applications:
        assert application.applied + application.unapplied == application.payment.amount
        assert not application.applied.is_negative() and not application.unapplied.is_negative()
    paid = sums(amounts, currency)
    assert invoice.paid + invoice.unapplied == paid
    assert invoice.balance == invoice.total - invoice.paid
    assert not invoice.balance.is_negative()
    expected = (
        InvoiceStatus.PAID
        if not invoice.balance.is_positive()
        else (InvoiceStatus.PARTIALLY_PAID if paid.is_positive() else InvoiceStatus.FINALISED)
    )
    assert invoice.status is expected
