"""An invoice as its readers see it: where it is posted, and how that posting stands, the same
whichever ERP holds it."""

from __future__ import annotations

from attrs import frozen

from application.billing_ports import BillingPorts
from application.invoices import invoice_by_key
from application.ports import UnitOfWork
from domain.erp_posting import ErpPosting, PostingStatus, holding_posting, posting_status
from domain.exception_case import ReasonCode
from domain.invoicing.invoice import Invoice, InvoiceStatus
from domain.principal import Principal


@frozen
class InvoiceView:
    invoice: Invoice
    postings: tuple[ErpPosting, ...]
    posting_status: PostingStatus | None  # None for a draft: it is never posted
    holding: ErpPosting | None  # the primary posting of the invoice itself


def view_invoice(
    invoice_id: str, invoice_number: str, ports: BillingPorts, viewer: Principal
) -> InvoiceView:
    with ports.uow_factory() as uow:
        return view_of(uow, invoice_by_key(uow, invoice_id, invoice_number, viewer))


def view_of(uow: UnitOfWork, invoice: Invoice) -> InvoiceView:
    if invoice.status is InvoiceStatus.DRAFT or invoice.number is None:
        return InvoiceView(invoice, (), None, None)
    number = str(invoice.number)
    postings = tuple(sorted(uow.erp_postings.of_invoice(invoice.id), key=lambda p: p.posted_at))
    holding = holding_posting(postings, number)
    return InvoiceView(invoice, postings, posting_status(holding, parked(uow, number)), holding)


def parked(uow: UnitOfWork, invoice_number: str) -> bool:
    return any(
        case.reason_code is ReasonCode.ERP_POSTING_FAILED
        for case in uow.exceptions.open_cases(invoice_number)
    )
