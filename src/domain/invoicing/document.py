"""The invoice as a customer reads it: lines, tax by rate, notes, totals and the due date.
A draft's preview and a finalised invoice read alike, but a preview has no number."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from attrs import frozen

from domain.invoicing.lines import InvoiceLine, sum_of
from domain.invoicing.tax import Customer, LegalEntity, TaxTreatment
from domain.money import Money

if TYPE_CHECKING:
    from domain.invoicing.invoice import Invoice


@frozen
class TaxSummary:
    """One rate's lines: their net and the sum of their taxes, each rounded on its line."""

    treatment: TaxTreatment
    percent: Decimal
    net: Money
    tax: Money


@frozen
class InvoiceDocument:
    invoice_id: str
    number: str
    status: str
    legal_entity: LegalEntity
    customer: Customer
    issued_on: dt.date
    due_on: dt.date
    payment_terms: str
    lines: tuple[InvoiceLine, ...]
    tax_summary: tuple[TaxSummary, ...]
    notes: tuple[str, ...]
    discount: Money
    net: Money
    tax: Money
    total: Money
    balance: Money


def document_of(invoice: Invoice, issued_on: dt.date) -> InvoiceDocument:
    zero = Money.of(0, invoice.currency)
    return InvoiceDocument(
        invoice_id=invoice.id,
        number=str(invoice.number) if invoice.number else "",
        status=invoice.status.value,
        legal_entity=invoice.legal_entity,
        customer=invoice.customer,
        issued_on=issued_on,
        due_on=invoice.payment_terms.due_on(issued_on),
        payment_terms=str(invoice.payment_terms),
        lines=invoice.lines,
        tax_summary=tax_summary(invoice.lines, invoice.currency),
        notes=tuple(dict.fromkeys(ln.tax_rate.note for ln in invoice.lines if ln.tax_rate.note)),
        discount=invoice.discount or zero,
        net=invoice.net,
        tax=invoice.tax,
        total=invoice.total,
        balance=invoice.balance,
    )


def tax_summary(lines: tuple[InvoiceLine, ...], currency: str) -> tuple[TaxSummary, ...]:
    rates = dict.fromkeys((line.tax_rate.treatment, line.tax_rate.percent) for line in lines)
    return tuple(
        TaxSummary(
            treatment,
            percent,
            sum_of(
                (
                    ln.net
                    for ln in lines
                    if ln.tax_rate.treatment is treatment and ln.tax_rate.percent == percent
                ),
                currency,
            ),
            sum_of(
                (
                    ln.tax
                    for ln in lines
                    if ln.tax_rate.treatment is treatment and ln.tax_rate.percent == percent
                ),
                currency,
            ),
        )
        for treatment, percent in rates
    )
