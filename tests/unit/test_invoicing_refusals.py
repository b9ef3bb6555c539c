"""Bad invoicing input is refused with a reason and the field to correct, and changes nothing."""

import datetime as dt

import pytest
from support.invoicing import (
    LONDON_BANK,
    NEW_YEARS_EVE,
    NOW,
    OSAKA_CO,
    TOKYO_KK,
    UK_LTD,
    a_draft,
    a_rule,
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
from domain.errors import (
    CreditExceedsInvoice,
    CurrencyMismatch,
    InvalidField,
    InvalidTransition,
    InvoiceImmutable,
    NumberOutOfSequence,
    TaxRuleMissing,
)
from domain.invoicing.invoice import InvoiceStatus
from domain.invoicing.payment_terms import PaymentTerms
from domain.invoicing.tax import TaxTable, TaxTreatment


def a_finalised_invoice():
    return finalised(bill_each(a_draft(), [charge("100.00", "TC-1"), charge("50.00", "TC-2")]))


def test_a_missing_tax_rule_is_a_refusal_naming_its_keys_never_a_silent_zero():
    invoice = a_draft(TOKYO_KK, LONDON_BANK, "JPY")

    with pytest.raises(TaxRuleMissing) as refused:
        bill_each(invoice, [charge(money("1000", "JPY"), "TC-1")])

    assert refused.value.field == "tax_rules"
    assert refused.value.keys == {
        "legal_entity_country": "JP",
        "customer_country": "GB",
        "service_type": "consulting",
    }
    assert invoice.lines == ()


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (a_rule("GB", "GB", "20", reverse_charge=True), "tax_rules[0].reverse_charge"),
        (a_rule("GB", "GB", "0"), "tax_rules[0].percent"),
        (a_rule("GB", "GB", "5", treatment=TaxTreatment.EXEMPT), "tax_rules[0].percent"),
        (a_rule("GB", "GB", "100"), "tax_rules[0].percent"),
        (a_rule("DE", "FR", "0", treatment=TaxTreatment.REVERSE_CHARGE), "tax_rules[0].treatment"),
        (a_rule("", "GB", "20"), "tax_rules[0]"),
    ],
)
def test_a_tax_rule_that_cannot_be_right_is_refused_naming_it(rule, field):
    with pytest.raises(InvalidField) as refused:
        TaxTable.of([rule])

    assert refused.value.field == field


def test_two_rules_for_the_same_keys_are_refused():
    with pytest.raises(InvalidField) as refused:
        TaxTable.of([a_rule("GB", "GB", "20"), a_rule("GB", "GB", "5")])

    assert refused.value.field == "tax_rules[1]"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda i: bill_each(i, [charge("1.00", "TC-9")]), "lines"),
        (lambda i: i.give_discount(money("1.00")), "discount"),
        (lambda i: i.finalise(invoices_of(UK_LTD), NEW_YEARS_EVE, NOW), "status"),
        (lambda i: setattr(i, "lines", ()), "lines"),
        (lambda i: setattr(i, "currency", "USD"), "currency"),
        (lambda i: setattr(i, "customer", OSAKA_CO), "customer"),
        (lambda i: setattr(i, "number", None), "number"),
        (lambda i: setattr(i, "status", InvoiceStatus.DRAFT), "status"),
    ],
)
def test_every_change_to_a_finalised_invoice_is_refused(change, field):
    invoice = a_finalised_invoice()
    before = invoice.document()

    with pytest.raises(InvoiceImmutable) as refused:
        change(invoice)

    assert refused.value.field == field
    assert invoice.document() == before


def test_a_payment_in_another_currency_is_refused_naming_the_field_and_changes_nothing():
    invoice = a_finalised_invoice()

    with pytest.raises(CurrencyMismatch) as refused:
        invoice.apply_payment(payment("180.00", "EUR"), NOW)

    assert refused.value.field == "payment.amount.currency_code"
    assert (invoice.payments, invoice.balance, len(invoice.events)) == ((), money("180.00"), 1)


def test_a_payment_of_nothing_is_refused():
    with pytest.raises(InvalidField) as refused:
        a_finalised_invoice().apply_payment(payment("0.00"), NOW)

    assert refused.value.field == "payment.amount.amount"


def test_the_same_payment_applied_twice_is_applied_once():
    invoice = a_finalised_invoice()

    first = invoice.apply_payment(payment("100.00"), NOW)
    again = invoice.apply_payment(payment("100.00"), NOW)

    assert again == first
    assert (invoice.paid, len(invoice.events)) == (money("100.00"), 2)


def test_a_payment_id_reused_with_other_figures_is_refused():
    invoice = a_finalised_invoice()
    invoice.apply_payment(payment("100.00"), NOW)

    with pytest.raises(InvalidField) as refused:
        invoice.apply_payment(payment("90.00"), NOW)

    assert refused.value.field == "payment.payment_id"
    assert invoice.paid == money("100.00")


def test_a_credit_larger_than_what_is_left_of_a_line_is_refused_naming_the_line():
    """Line 2 is 50.00 net: 50.01 is more than it."""
    invoice = a_finalised_invoice()
    sequence = credit_notes_of(UK_LTD)

    with pytest.raises(CreditExceedsInvoice) as refused:
        invoice.issue_credit_note(
            credit_note_id="CN-1",
            sequence=sequence,
            issued_on=NEW_YEARS_EVE,
            now=NOW,
            reason="disputed",
            lines={2: money("50.01")},
        )

    assert refused.value.field == "credit_lines[2].net.amount"
    assert refused.value.keys == {"line": "2", "remaining": "50.00"}
    assert (invoice.credit_notes, sequence.next_sequence) == ((), 1)


@pytest.mark.parametrize(
    ("lines", "field", "error"),
    [
        ({9: None}, "credit_lines[9]", InvalidField),
        ({1: money("-1.00")}, "credit_lines[1].net.amount", InvalidField),
        ({1: money("1", "JPY")}, "credit_lines[1].net.currency_code", CurrencyMismatch),
        ({}, "credit_lines", InvalidField),
    ],
)
def test_a_credit_of_a_line_not_on_the_invoice_or_of_no_amount_is_refused(lines, field, error):
    invoice = a_finalised_invoice()

    with pytest.raises(error) as refused:
        invoice.issue_credit_note(
            credit_note_id="CN-1",
            sequence=credit_notes_of(UK_LTD),
            issued_on=NEW_YEARS_EVE,
            now=NOW,
            reason="disputed",
            lines=lines,
        )

    assert refused.value.field == field


def test_an_invoice_credited_in_full_cannot_be_credited_again():
    invoice = a_finalised_invoice()
    sequence = credit_notes_of(UK_LTD)
    arguments = dict(sequence=sequence, issued_on=NEW_YEARS_EVE, now=NOW, reason="cancelled")
    invoice.issue_credit_note(credit_note_id="CN-1", **arguments)

    with pytest.raises(InvalidField) as refused:
        invoice.issue_credit_note(credit_note_id="CN-2", **arguments)

    assert refused.value.field == "invoice_id"
    assert sequence.next_sequence == 2


def test_a_credit_note_dated_before_its_invoice_is_refused():
    with pytest.raises(InvalidField) as refused:
        a_finalised_invoice().issue_credit_note(
            credit_note_id="CN-1",
            sequence=credit_notes_of(UK_LTD),
            issued_on=dt.date(2026, 12, 30),
            now=NOW,
            reason="disputed",
        )

    assert refused.value.field == "issued_on"


def test_a_credit_note_is_numbered_by_the_credit_note_sequence_not_the_invoices():
    with pytest.raises(InvalidField) as refused:
        a_finalised_invoice().issue_credit_note(
            credit_note_id="CN-1",
            sequence=invoices_of(UK_LTD),
            issued_on=NEW_YEARS_EVE,
            now=NOW,
            reason="disputed",
        )

    assert refused.value.field == "sequence.series"


def test_a_draft_is_neither_credited_nor_paid():
    invoice = bill_each(a_draft(), [charge("100.00", "TC-1")])

    with pytest.raises(InvalidTransition) as refused:
        invoice.apply_payment(payment("100.00"), NOW)

    assert refused.value.field == "invoice_id"
    assert invoice.payments == ()


def test_an_empty_draft_is_not_finalised_and_takes_no_number():
    sequence = invoices_of(UK_LTD)

    with pytest.raises(InvalidField) as refused:
        a_draft().finalise(sequence, NEW_YEARS_EVE, NOW)

    assert refused.value.field == "lines"
    assert sequence.next_sequence == 1


def test_an_invoice_is_not_numbered_by_another_legal_entitys_sequence():
    sequence = invoices_of(TOKYO_KK)
    invoice = bill_each(a_draft(), [charge("100.00", "TC-1")])

    with pytest.raises(NumberOutOfSequence) as refused:
        invoice.finalise(sequence, NEW_YEARS_EVE, NOW)

    assert refused.value.field == "legal_entity_code"
    assert (invoice.number, sequence.next_sequence) == (None, 1)


def test_a_document_dated_before_the_last_one_numbered_is_refused():
    sequence = invoices_of(UK_LTD)
    sequence.take("GB01", dt.date(2027, 1, 2))

    with pytest.raises(NumberOutOfSequence) as refused:
        sequence.take("GB01", NEW_YEARS_EVE)

    assert refused.value.field == "issued_on"
    assert sequence.next_sequence == 2


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (charge("5.00", "TC-1", ChargeKind.HELD_OVER_CAP), "charges[0].kind"),
        (charge("5.00", "TC-1", ChargeKind.RETAINER_DRAWDOWN), "charges[0].kind"),
        (charge("5.00", "TC-1", currency="USD"), "charges[0].amount.currency_code"),
        (charge("0.00", "TC-1"), "charges[0].amount"),
        (charge("5.00", "TC-1"), "charges[0].source_id"),
    ],
)
def test_a_charge_never_billed_in_another_currency_or_already_on_the_invoice_is_refused(bad, field):
    invoice = bill_each(a_draft(), [charge("100.00", "TC-1")])

    with pytest.raises((InvalidField, CurrencyMismatch)) as refused:
        invoice.bill([bad], description="x", service_type="consulting", taxes=the_tax_table())

    assert refused.value.field == field
    assert len(invoice.lines) == 1


@pytest.mark.parametrize(
    ("discount", "field"),
    [
        (money("150.00"), "discount.amount"),
        (money("0.00"), "discount.amount"),
        (money("1.00", "USD"), "discount.currency_code"),
    ],
)
def test_a_discount_of_nothing_of_everything_or_in_another_currency_is_refused(discount, field):
    invoice = bill_each(a_draft(), [charge("100.00", "TC-1"), charge("50.00", "TC-2")])

    with pytest.raises((InvalidField, CurrencyMismatch)) as refused:
        invoice.give_discount(discount)

    assert refused.value.field == field
    assert invoice.discount is None


@pytest.mark.parametrize("days", [-1, 367])
def test_payment_terms_outside_a_year_are_refused(days):
    with pytest.raises(InvalidField) as refused:
        PaymentTerms(days)

    assert refused.value.field == "payment_terms.days"


def test_a_draft_in_an_unknown_currency_is_refused():
    with pytest.raises(InvalidField) as refused:
        a_draft(currency="XYZ")

    assert refused.value.field == "currency_code"
