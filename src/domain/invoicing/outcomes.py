"""The outcome events an invoice records, with the figures a subscriber needs."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from domain.invoicing.credit_notes import CreditNote
from domain.invoicing.events import CreditNoteIssued, InvoiceFinalised, PaymentApplied
from domain.invoicing.payments import PaymentApplication

if TYPE_CHECKING:
    from domain.invoicing.invoice import Invoice


def finalised(invoice: Invoice, now: dt.datetime) -> InvoiceFinalised:
    assert invoice.number is not None and invoice.issued_on is not None
    return InvoiceFinalised(
        occurred_at=now,
        invoice_id=invoice.id,
        invoice_number=str(invoice.number),
        engagement_id=invoice.engagement_id,
        legal_entity_code=invoice.legal_entity.code,
        customer_number=invoice.customer.number,
        issued_on=invoice.issued_on,
        due_on=invoice.payment_terms.due_on(invoice.issued_on),
        net=invoice.net,
        tax=invoice.tax,
        total=invoice.total,
        source_ids=invoice.source_ids,
    )


def credit_note_issued(invoice: Invoice, note: CreditNote, now: dt.datetime) -> CreditNoteIssued:
    return CreditNoteIssued(
        occurred_at=now,
        invoice_id=invoice.id,
        invoice_number=str(note.invoice_number),
        credit_note_id=note.credit_note_id,
        credit_note_number=str(note.number),
        net=note.net,
        tax=note.tax,
        total=note.total,
        releases=note.releases,
    )


def payment_applied(
    invoice: Invoice, application: PaymentApplication, now: dt.datetime
) -> PaymentApplied:
    return PaymentApplied(
        occurred_at=now,
        invoice_id=invoice.id,
        invoice_number=str(invoice.number),
        payment_id=application.payment.payment_id,
        received=application.payment.amount,
        applied=application.applied,
        unapplied=application.unapplied,
        balance=invoice.balance,
        status=invoice.status.value,
    )
