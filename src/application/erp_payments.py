"""Cash applied in the ERPs, read back into o2c: a payment follows the ERP of its invoice.

An invoice's payments are read from the ERP that holds it as the financial record: where its
primary posting went and, after a cutover, the ERP that took it over as an opening receivable.
Each ERP entity holding open invoices is asked once for the payments received since the oldest
of them. A payment is applied once, under its ERP's own id (so reading it again changes
nothing), each in its own transaction; one naming a document o2c cannot match to an invoice
that ERP holds is parked for finance, once, as unmatched cash."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from attrs import frozen

from application.billing_ports import BillingPorts
from application.erp_ports import DocumentKind, ErpLedger, LedgerPayment
from application.errors import VendorError
from application.ports import InvoiceFilter, UnitOfWork
from domain.erp_posting import ErpPosting, PostingRole
from domain.errors import DomainError, LegalEntityNotAllowed
from domain.exception_case import ExceptionCase, OwnerRole, ReasonCode, Workflow
from domain.invoicing.invoice import Invoice, InvoiceStatus
from domain.invoicing.payments import Payment
from domain.principal import Principal

PAGE = 500
OPEN = (InvoiceStatus.FINALISED, InvoiceStatus.PARTIALLY_PAID)
HOLDING = frozenset({DocumentKind.INVOICE.value, DocumentKind.OPENING_RECEIVABLE.value})

Holder = tuple[str, str]  # (ERP, the ERP's legal entity)


@frozen
class PaymentRead:
    applied: int  # payments applied now
    known: int  # payments read again, applied before
    unmatched: tuple[str, ...]  # payments parked for finance, as "erp:payment id"
    unreachable: tuple[str, ...]  # ERP entities that could not be read this time


def payment_id(erp: str, ledger_payment_id: str) -> str:
    """A payment's id in o2c: its ERP's id, kept apart from every other ERP's."""
    return f"{erp}:{ledger_payment_id}"


def read_erp_payments(
    ports: BillingPorts, legal_entity_code: str = "", viewer: Principal | None = None
) -> PaymentRead:
    """Every ERP entity holding open invoices, or those holding one legal entity's."""
    if viewer is not None and not viewer.sees(legal_entity_code or "*"):
        raise LegalEntityNotAllowed(
            f"the caller may not read the payments of legal entity {legal_entity_code or '*'!r}",
            field="legal_entity_code",
            keys={"legal_entity_code": legal_entity_code},
        )
    applied = known = 0
    unmatched: list[str] = []
    unreachable: list[str] = []
    for (erp, entity), since in holders_of_open_invoices(ports, legal_entity_code).items():
        ledger = (ports.ledgers or {}).get(erp)
        if ledger is None:
            continue
        try:
            received = ledger.payments(entity, since)
        except VendorError:  # read again next time; nothing was applied from it
            unreachable.append(f"{erp}/{entity}")
            continue
        for payment in received:
            outcome = apply(ports, ledger, entity, payment)
            applied += outcome == "applied"
            known += outcome == "known"
            if outcome == "unmatched":
                unmatched.append(payment_id(erp, payment.payment_id))
    return PaymentRead(applied, known, tuple(unmatched), tuple(unreachable))


def holders_of_open_invoices(ports: BillingPorts, legal_entity_code: str) -> dict[Holder, dt.date]:
    """Each ERP entity holding an open invoice, with the day its oldest one was issued."""
    since: dict[Holder, dt.date] = {}
    with ports.uow_factory() as uow:
        for invoice in open_invoices(uow, legal_entity_code):
            assert invoice.issued_on is not None
            for holder in holders(uow.erp_postings.of_invoice(invoice.id), str(invoice.number)):
                earlier = since.get(holder)
                since[holder] = min(earlier or invoice.issued_on, invoice.issued_on)
    return since


def open_invoices(uow: UnitOfWork, legal_entity_code: str) -> Iterable[Invoice]:
    for status in OPEN:
        after = ""
        where = InvoiceFilter(legal_entity_code=legal_entity_code, status=status)
        while page := uow.invoices.page(where, after, PAGE):
            yield from page
            after = page[-1].id


def holders(postings: Iterable[ErpPosting], number: str) -> set[Holder]:
    return {
        (p.erp, p.erp_legal_entity)
        for p in postings
        if p.document_number == number and p.kind in HOLDING and p.role is PostingRole.PRIMARY
    }


def apply(ports: BillingPorts, ledger: ErpLedger, entity: str, received: LedgerPayment) -> str:
    key = payment_id(ledger.erp, received.payment_id)
    with ports.uow_factory() as uow:
        invoice = uow.invoices.get_by_number(received.document_number)
        held = invoice is not None and (ledger.erp, entity) in holders(
            uow.erp_postings.of_invoice(invoice.id), received.document_number
        )
        if invoice is None or not held:
            park(uow, ports, key, received, f"no invoice {received.document_number} is held there")
            return "unmatched"
        if invoice.payment(key) is not None:
            return "known"
        try:
            invoice.apply_payment(
                Payment(key, received.amount, received.received_on), ports.clock.now()
            )
        except DomainError as error:
            uow.rollback()
            with ports.uow_factory() as parking:
                park(parking, ports, key, received, error.message)
            return "unmatched"
        if ports.crm_status is not None:
            ports.crm_status.payment_applied(uow, invoice, key, ports.clock.now())
        uow.commit()
    return "applied"


def park(uow: UnitOfWork, ports: BillingPorts, key: str, received: LedgerPayment, why: str) -> None:
    if uow.exceptions.open_cases(key):
        return
    uow.exceptions.add(
        ExceptionCase.park(
            exception_id=ports.ids.new_id(),
            workflow=Workflow.INVOICE_TO_ERP,
            business_key=key,
            reason_code=ReasonCode.PAYMENT_UNMATCHED,
            owner_role=OwnerRole.FINANCE,
            detail=(f"payment {key} of {received.amount} for {received.document_number}: {why}"),
            payload={
                "document_number": received.document_number,
                "amount": received.amount.amount_text(),
                "currency": received.amount.currency,
                "received_on": received.received_on.isoformat(),
            },
            now=ports.clock.now(),
        )
    )
    uow.commit()
