"""Invoices after the billing cycle: read, listed, previewed, credited and paid.

A credit note is numbered in its legal entity's credit-note series in the transaction that
issues it; the work it credits in full is released, to be billed again only once re-approved.
A payment from the ERP's cash application settles up to the balance; the rest is kept as the
customer's unapplied credit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from application.billing_access import (
    check_not_after_tomorrow,
    check_within_a_year,
    sequence_for,
)
from application.billing_ports import BillingPorts
from application.commands import CreditLineRequest, IssueCreditNote, RecordPayment
from application.parsing import fields_renamed, parse_date, parse_money, required
from application.pipeline import Pipeline
from application.ports import InvoiceFilter, UnitOfWork
from domain.errors import DomainError, InvalidField, NotFound
from domain.invoicing.billed_work import BilledWorkStatus
from domain.invoicing.credit_notes import CreditNote
from domain.invoicing.document import InvoiceDocument
from domain.invoicing.invoice import Invoice
from domain.invoicing.numbering import Series
from domain.invoicing.payments import Payment, PaymentApplication
from domain.money import Money
from domain.principal import Principal
from domain.requests import RequestKey

MAX_PAGE = 500
LINE_FIELD = re.compile(r"credit_lines\[(\d+)\]")


def issue_credit_note(cmd: IssueCreditNote, ports: BillingPorts) -> tuple[Invoice, CreditNote]:
    key = RequestKey(cmd.caller.subject, "IssueCreditNote", cmd.request_id)
    answer = Pipeline(ports.uow_factory, ports.clock).run(
        key, cmd, lambda uow: credit(uow, cmd, ports)
    )
    invoice = read_invoice(ports, str(answer["invoice_id"]))
    note = next(n for n in invoice.credit_notes if n.credit_note_id == answer["credit_note_id"])
    return invoice, note


def credit(uow: UnitOfWork, cmd: IssueCreditNote, ports: BillingPorts) -> dict[str, object]:
    invoice = visible_invoice(uow, required(cmd.invoice_id, "invoice_id"), cmd.caller)
    if not cmd.reason.strip():
        raise InvalidField("a credit note gives its reason", field="reason")
    with lines_by_index(cmd.lines):
        note = issue(invoice, cmd, uow, ports)
    for record in uow.billed_work.of_sources(note.releases):
        if record.invoice_id == invoice.id and record.status is BilledWorkStatus.INVOICED:
            record.release(note)
    if ports.postings is not None:
        ports.postings.credit_note(uow, invoice, note, ports.clock.now())
    if ports.intercompany is not None:
        ports.intercompany.credit(uow, invoice, note, ports.clock.now())
    return {"invoice_id": invoice.id, "credit_note_id": note.credit_note_id}


def issue(
    invoice: Invoice, cmd: IssueCreditNote, uow: UnitOfWork, ports: BillingPorts
) -> CreditNote:
    today = ports.clock.now().date()
    issued_on = today
    if cmd.issued_on.strip():
        issued_on = check_within_a_year(parse_date(cmd.issued_on, "issued_on"), today, "issued_on")
    return invoice.issue_credit_note(
        credit_note_id=ports.ids.new_id(),
        sequence=sequence_for(uow, invoice.legal_entity.code, Series.CREDIT_NOTE),
        issued_on=issued_on,
        now=ports.clock.now(),
        reason=cmd.reason.strip(),
        lines=credited_lines(cmd.lines, invoice.currency) or None,
    )


def credited_lines(lines: tuple[CreditLineRequest, ...], currency: str) -> dict[int, Money | None]:
    credited: dict[int, Money | None] = {}
    for index, line in enumerate(lines):
        where = f"credit_lines[{index}]"
        if line.line_number in credited:
            raise InvalidField(f"line {line.line_number} is credited twice", field=where)
        net = line.net_amount.strip()
        money = parse_money(net, line.net_currency or currency, where + ".net") if net else None
        credited[line.line_number] = money
    return credited


@contextmanager
def lines_by_index(lines: tuple[CreditLineRequest, ...]) -> Iterator[None]:
    """The invoice names a line by its number; the caller's request by its place in the list."""
    try:
        yield
    except DomainError as error:
        number = LINE_FIELD.match(error.field)
        indexes = [
            i for i, line in enumerate(lines) if number and line.line_number == int(number[1])
        ]
        if number and indexes:
            error.field = f"credit_lines[{indexes[0]}]" + error.field[number.end() :]
        raise


def record_payment(cmd: RecordPayment, ports: BillingPorts) -> tuple[Invoice, PaymentApplication]:
    key = RequestKey(cmd.caller.subject, "RecordPayment", cmd.request_id)
    answer = Pipeline(ports.uow_factory, ports.clock).run(
        key, cmd, lambda uow: pay(uow, cmd, ports)
    )
    invoice = read_invoice(ports, str(answer["invoice_id"]))
    application = invoice.payment(str(answer["payment_id"]))
    assert application is not None
    return invoice, application


def pay(uow: UnitOfWork, cmd: RecordPayment, ports: BillingPorts) -> dict[str, object]:
    invoice = visible_invoice(uow, required(cmd.invoice_id, "invoice_id"), cmd.caller)
    payment = Payment(
        payment_id=required(cmd.payment_id, "payment_id"),
        amount=parse_money(cmd.amount, cmd.currency, "amount"),
        received_on=check_not_after_tomorrow(
            parse_date(cmd.received_on, "received_on"), ports.clock.now().date(), "received_on"
        ),
    )
    new = invoice.payment(payment.payment_id) is None
    with fields_renamed("payment.", ""):
        application = invoice.apply_payment(payment, ports.clock.now())
    if new and ports.crm_status is not None:
        ports.crm_status.payment_applied(uow, invoice, payment.payment_id, ports.clock.now())
    return {"invoice_id": invoice.id, "payment_id": application.payment.payment_id}


def get_invoice(
    invoice_id: str, invoice_number: str, ports: BillingPorts, viewer: Principal
) -> Invoice:
    with ports.uow_factory() as uow:
        return invoice_by_key(uow, invoice_id, invoice_number, viewer)


def invoice_by_key(
    uow: UnitOfWork, invoice_id: str, invoice_number: str, viewer: Principal
) -> Invoice:
    """By its number when one is given, else by its id."""
    if invoice_number:
        invoice = uow.invoices.get_by_number(invoice_number)
        if invoice is None or not viewer.sees(invoice.legal_entity.code):
            raise NotFound(
                f"invoice {invoice_number} not found",
                field="invoice_number",
                keys={"invoice_number": invoice_number},
            )
        return invoice
    return visible_invoice(uow, invoice_id, viewer)


def list_invoices(
    where: InvoiceFilter, after: str, limit: int, ports: BillingPorts, viewer: Principal
) -> list[Invoice]:
    if limit < 1:
        raise InvalidField("page_size is at least 1", field="page_size")
    limit = min(limit, MAX_PAGE + 1)  # one more than a page tells whether another follows
    visible = None if viewer.sees_every_legal_entity() else frozenset(viewer.legal_entities)
    with ports.uow_factory() as uow:
        return uow.invoices.page(
            InvoiceFilter(where.engagement_id, where.legal_entity_code, where.status, visible),
            after,
            limit,
        )


def preview_invoice(invoice_id: str, ports: BillingPorts, viewer: Principal) -> InvoiceDocument:
    """A draft as it would read if issued today; a finalised invoice as it was issued."""
    with ports.uow_factory() as uow:
        invoice = visible_invoice(uow, invoice_id, viewer)
    return invoice.preview(ports.clock.now().date())


def visible_invoice(uow: UnitOfWork, invoice_id: str, viewer: Principal) -> Invoice:
    invoice = uow.invoices.get(invoice_id)
    if invoice is None or not viewer.sees(invoice.legal_entity.code):
        raise NotFound(
            f"invoice {invoice_id!r} not found",
            field="invoice_id",
            keys={"invoice_id": invoice_id},
        )
    return invoice


def read_invoice(ports: BillingPorts, invoice_id: str) -> Invoice:
    with ports.uow_factory() as uow:
        invoice = uow.invoices.get(invoice_id)
    assert invoice is not None
    return invoice
