"""Invoices, their previews and credit notes as the API's messages."""

from __future__ import annotations

import datetime as dt

from adapters.proto_values import date_message, money_message
from application.invoice_views import InvoiceView
from domain.billable_event import decimal_text
from domain.invoicing.credit_notes import CreditLine, CreditNote
from domain.invoicing.document import InvoiceDocument, TaxSummary, tax_summary
from domain.invoicing.invoice import Invoice, InvoiceStatus
from domain.invoicing.lines import InvoiceLine
from domain.invoicing.payments import PaymentApplication
from domain.invoicing.tax import Customer, TaxTreatment
from domain.money import Money
from entrypoints.grpc.posting_messages import erp_number, posting_message, posting_status_number
from o2c.v1 import billing_pb2, invoicing_pb2

INVOICE_STATUSES = {
    status: invoicing_pb2.InvoiceStatus.Value(f"INVOICE_STATUS_{status.name}")
    for status in InvoiceStatus
}
STATUSES_BY_NUMBER = {number: status for status, number in INVOICE_STATUSES.items()}
TAX_TREATMENTS = {
    treatment: invoicing_pb2.TaxTreatment.Value(f"TAX_TREATMENT_{treatment.name}")
    for treatment in TaxTreatment
}


def invoice_status(number: int) -> InvoiceStatus | None:
    return STATUSES_BY_NUMBER.get(number)


def invoice_message(invoice: Invoice) -> invoicing_pb2.Invoice:
    """The invoice as stored: a draft has no number, no day of issue and no due date."""
    message = invoicing_pb2.Invoice(
        invoice_id=invoice.id,
        number=str(invoice.number) if invoice.number else "",
        status=INVOICE_STATUSES[invoice.status],
        engagement_id=invoice.engagement_id,
        legal_entity_code=invoice.legal_entity.code,
        customer=customer_message(invoice.customer),
        currency_code=invoice.currency,
        payment_terms=str(invoice.payment_terms),
        lines=[line_message(line) for line in invoice.lines],
        tax_summary=[
            tax_summary_message(part) for part in tax_summary(invoice.lines, invoice.currency)
        ],
        notes=notes_of(invoice.lines),
        discount=money_message(invoice.discount or Money.of(0, invoice.currency)),
        net=money_message(invoice.net),
        tax=money_message(invoice.tax),
        total=money_message(invoice.total),
        paid=money_message(invoice.paid),
        credited=money_message(invoice.credited),
        balance=money_message(invoice.balance),
        unapplied=money_message(invoice.unapplied),
        credit_notes=[credit_note_message(note) for note in invoice.credit_notes],
    )
    set_dates(message, invoice.issued_on, invoice.due_on)
    return message


def viewed_invoice_message(view: InvoiceView) -> invoicing_pb2.Invoice:
    """The invoice with where it is posted and how that stands."""
    message = invoice_message(view.invoice)
    message.postings.extend(posting_message(posting) for posting in view.postings)
    message.posting_status = posting_status_number(view.posting_status)
    return message


def document_message(document: InvoiceDocument, view: InvoiceView) -> invoicing_pb2.Invoice:
    """The document as the customer would read it; settlement figures from the invoice."""
    message = viewed_invoice_message(view)
    message.number = document.number
    message.payment_terms = document.payment_terms
    set_dates(message, document.issued_on, document.due_on)
    return message


def set_dates(
    message: invoicing_pb2.Invoice | invoicing_pb2.InvoiceSummary,
    issued_on: dt.date | None,
    due_on: dt.date | None,
) -> None:
    if issued_on is not None:
        message.issued_on.CopyFrom(date_message(issued_on))
    if due_on is not None:
        message.due_on.CopyFrom(date_message(due_on))


def customer_message(customer: Customer) -> invoicing_pb2.InvoiceCustomer:
    return invoicing_pb2.InvoiceCustomer(
        number=customer.number, country=customer.country, vat_number=customer.vat_number
    )


def line_message(line: InvoiceLine) -> invoicing_pb2.InvoiceLine:
    return invoicing_pb2.InvoiceLine(
        number=line.number,
        description=line.description,
        service_type=line.service_type,
        amount=money_message(line.amount),
        discount=money_message(line.discount),
        net=money_message(line.net),
        tax=money_message(line.tax),
        total=money_message(line.total),
        tax_treatment=TAX_TREATMENTS[line.tax_rate.treatment],
        tax_percent=decimal_text(line.tax_rate.percent),
        billable_event_ids=list(line.source_ids),
    )


def tax_summary_message(part: TaxSummary) -> invoicing_pb2.TaxSummary:
    return invoicing_pb2.TaxSummary(
        treatment=TAX_TREATMENTS[part.treatment],
        percent=decimal_text(part.percent),
        net=money_message(part.net),
        tax=money_message(part.tax),
    )


def notes_of(lines: tuple[InvoiceLine, ...]) -> list[str]:
    return list(dict.fromkeys(line.tax_rate.note for line in lines if line.tax_rate.note))


def credit_note_message(note: CreditNote) -> invoicing_pb2.CreditNote:
    return invoicing_pb2.CreditNote(
        credit_note_id=note.credit_note_id,
        number=str(note.number),
        invoice_id=note.invoice_id,
        invoice_number=str(note.invoice_number),
        issued_on=date_message(note.issued_on),
        reason=note.reason,
        lines=[credit_line_message(line) for line in note.lines],
        net=money_message(note.net),
        tax=money_message(note.tax),
        total=money_message(note.total),
        applied_to_invoice=money_message(note.applied_to_invoice),
        left_as_credit=money_message(note.left_as_credit),
        notes=list(note.notes),
    )


def credit_line_message(line: CreditLine) -> invoicing_pb2.CreditNoteLine:
    return invoicing_pb2.CreditNoteLine(
        invoice_line_number=line.invoice_line,
        net=money_message(line.net),
        tax=money_message(line.tax),
        total=money_message(line.total),
        billable_event_ids=list(line.source_ids),
        releases_work=line.releases_work,
    )


def summary_message(invoice: Invoice) -> invoicing_pb2.InvoiceSummary:
    message = invoicing_pb2.InvoiceSummary(
        invoice_id=invoice.id,
        number=str(invoice.number) if invoice.number else "",
        status=INVOICE_STATUSES[invoice.status],
        engagement_id=invoice.engagement_id,
        legal_entity_code=invoice.legal_entity.code,
        currency_code=invoice.currency,
        total=money_message(invoice.total),
        balance=money_message(invoice.balance),
    )
    set_dates(message, invoice.issued_on, invoice.due_on)
    return message


def status_response(view: InvoiceView) -> billing_pb2.GetInvoiceStatusResponse:
    """The same answer whichever ERP holds the invoice."""
    invoice, holding = view.invoice, view.holding
    response = billing_pb2.GetInvoiceStatusResponse(
        status=INVOICE_STATUSES[invoice.status],
        total=money_message(invoice.total),
        paid=money_message(invoice.paid),
        credited=money_message(invoice.credited),
        balance=money_message(invoice.balance),
        unapplied=money_message(invoice.unapplied),
        posting_status=posting_status_number(view.posting_status),
        erp=erp_number(holding.erp) if holding else 0,
        erp_document_id=holding.erp_document_id if holding else "",
    )
    if invoice.due_on is not None:
        response.due_on.CopyFrom(date_message(invoice.due_on))
    return response


def payment_response(
    invoice: Invoice, application: PaymentApplication
) -> billing_pb2.RecordPaymentResponse:
    return billing_pb2.RecordPaymentResponse(
        invoice_id=invoice.id,
        applied=money_message(application.applied),
        unapplied=money_message(application.unapplied),
        balance=money_message(invoice.balance),
        status=INVOICE_STATUSES[invoice.status],
    )
