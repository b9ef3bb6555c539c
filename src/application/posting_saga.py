"""A finalised invoice or an issued credit note posted to its ERP, as a durable saga.

The invoice goes where its legal entity's route points on the invoice's day: one ERP, or a
primary and a shadow during a dual-write pilot, the targets fixed when the saga starts. A
credit note follows its invoice, also after a cutover. Each posting carries o2c's document
number as its key, so a retried or resumed posting is never made twice; a lasting failure is
parked for finance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from attrs import frozen

from application.erp_ports import (
    DocumentKind,
    ErpLedger,
    LedgerCustomer,
    LedgerDocument,
    LedgerLine,
    Posted,
)
from application.errors import VendorError
from application.ports import UnitOfWork
from application.saga_definition import Halt, Setback, Step, concluded
from application.saga_runner import SagaRunner
from domain.engagement import Engagement, ErpCustomerAccount
from domain.erp_posting import ErpPosting, PostingRole
from domain.erp_routing import Erp, ErpRoute, ErpTarget, route_in_effect
from domain.errors import NotFound
from domain.exception_case import ExceptionCase, OwnerRole, ReasonCode, Workflow
from domain.invoicing.credit_notes import CreditNote
from domain.invoicing.invoice import Invoice
from domain.saga import Saga, Verdict

KIND = "invoice_to_erp"
ROLES = (PostingRole.PRIMARY, PostingRole.SHADOW)


def failed(error: VendorError) -> Setback:
    return Setback(Verdict.FAILED, ReasonCode.ERP_POSTING_FAILED, OwnerRole.FINANCE, str(error))


@frozen
class InvoiceToErp:
    ledgers: Mapping[str, ErpLedger]
    kind: str = KIND
    workflow: Workflow = Workflow.INVOICE_TO_ERP

    def plan(self, uow: UnitOfWork, saga: Saga, done: Mapping[str, str]) -> Sequence[Step[Any]]:
        invoice = invoice_in(uow, str(saga.context["invoice_id"]))
        engagement = engagement_of(uow, invoice)
        account = engagement.account_id
        document = self.document(invoice, str(saga.context.get("credit_note_id", "")), account)
        steps: list[Step[Any]] = []
        for role, target in zip(ROLES, targets_of(saga), strict=False):
            ledger = self.ledger(target)
            steps.append(self.customer(ledger, engagement, invoice, target))
            steps.append(self.posting(ledger, role, invoice, document(target), target))
        return steps

    def final_steps(self, uow: UnitOfWork, saga: Saga) -> Sequence[Step[Any]]:
        return []

    def conclude(
        self, uow: UnitOfWork, saga: Saga, setback: ExceptionCase | None, now: dt.datetime
    ) -> Mapping[str, object]:
        return concluded(saga, "invoice_id", setback)

    def ledger(self, target: ErpTarget) -> ErpLedger:
        return ledger_for(self.ledgers, target)

    def customer(
        self, ledger: ErpLedger, engagement: Engagement, invoice: Invoice, target: ErpTarget
    ) -> Step[str]:
        """Upserted before each posting, and recorded on the engagement as that ERP's account:
        a write of its own, which a change order committed meanwhile does not conflict with."""
        customer = ledger_customer(engagement, target, invoice.currency)
        engagement_id = engagement.id

        def record(uow: UnitOfWork, number: str) -> None:
            account = ErpCustomerAccount(target.erp.value, target.erp_legal_entity, number)
            engagement_in(uow, engagement_id).record_erp_customer(account)

        return Step[str](
            name=f"{target.erp.value}.customer[{engagement.account_id}]",
            external_id=f"{target.erp_legal_entity}/{engagement.account_id}",
            action=lambda: ledger.upsert_customer(customer),
            failure=failed,
            record=record,
        )

    def posting(
        self,
        ledger: ErpLedger,
        role: PostingRole,
        invoice: Invoice,
        document: LedgerDocument,
        target: ErpTarget,
    ) -> Step[Posted]:
        name = f"{target.erp.value}.post[{document.number}]"
        return posting_step(ledger, role, invoice.id, document, target, name, document.posting_key)

    def document(
        self, invoice: Invoice, credit_note_id: str, account: str
    ) -> Callable[[ErpTarget], LedgerDocument]:
        if credit_note_id:
            note = next(n for n in invoice.credit_notes if n.credit_note_id == credit_note_id)
            return lambda target: credit_document(invoice, note, target, account)
        return lambda target: invoice_document(invoice, target, account)


def posting_step(
    ledger: ErpLedger,
    role: PostingRole,
    invoice_id: str,
    document: LedgerDocument,
    target: ErpTarget,
    name: str,
    external_id: str,
) -> Step[Posted]:
    """Posts the document once under its key, and records where it went in `erp_postings`."""

    def record(uow: UnitOfWork, posted: Posted) -> None:
        uow.erp_postings.add(
            ErpPosting(
                document_number=document.posting_key,
                invoice_id=invoice_id,
                kind=document.kind.value,
                erp=target.erp.value,
                role=role,
                erp_legal_entity=target.erp_legal_entity,
                erp_document_id=posted.document_id,
                posted_at=dt.datetime.now(dt.UTC),
            )
        )

    return Step[Posted](
        name=name,
        external_id=external_id,
        action=lambda: ledger.post(document),
        failure=failed,
        reference=lambda posted: posted.document_id,
        record=record,
    )


def ledger_for(ledgers: Mapping[str, ErpLedger], target: ErpTarget) -> ErpLedger:
    """The ERP's adapter; a posting to an ERP o2c has none for is integration support's."""
    ledger = ledgers.get(target.erp.value)
    if ledger is None:
        raise Halt(
            Setback(
                Verdict.FAILED,
                ReasonCode.ERP_POSTING_FAILED,
                OwnerRole.INTEGRATION_SUPPORT,
                f"no {target.erp.value} adapter is configured",
            )
        )
    return ledger


def ledger_customer(engagement: Engagement, target: ErpTarget, currency: str) -> LedgerCustomer:
    """The engagement's customer as one ERP keeps it, found again by the CRM account id."""
    return LedgerCustomer(
        external_id=engagement.account_id,
        name=engagement.account_name,
        erp_legal_entity=target.erp_legal_entity,
        currency=currency,
        tax_registration=engagement.customer_vat_number,
    )


def invoice_document(invoice: Invoice, target: ErpTarget, account: str) -> LedgerDocument:
    assert invoice.number is not None and invoice.issued_on is not None
    number = str(invoice.number)
    return LedgerDocument(
        posting_key=number,
        kind=DocumentKind.INVOICE,
        number=number,
        erp_legal_entity=target.erp_legal_entity,
        customer_external_id=account,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        currency=invoice.currency,
        lines=tuple(
            LedgerLine(line.number, line.description, line.net, line.tax, line.tax_rate.percent)
            for line in invoice.lines
        ),
        total=invoice.total,
    )


def credit_document(
    invoice: Invoice, note: CreditNote, target: ErpTarget, account: str
) -> LedgerDocument:
    number = str(note.number)
    return LedgerDocument(
        posting_key=number,
        kind=DocumentKind.CREDIT_NOTE,
        number=number,
        erp_legal_entity=target.erp_legal_entity,
        customer_external_id=account,
        issued_on=note.issued_on,
        due_on=None,
        currency=invoice.currency,
        lines=tuple(
            LedgerLine(
                line.invoice_line,
                f"Credit of line {line.invoice_line}",
                line.net,
                line.tax,
                line.tax_rate.percent,
            )
            for line in note.lines
        ),
        total=note.total,
        original_number=str(note.invoice_number),
    )


def targets_context(route: ErpRoute) -> list[dict[str, str]]:
    return [{"erp": t.erp.value, "erp_legal_entity": t.erp_legal_entity} for t in route.targets]


def targets_of(saga: Saga) -> list[ErpTarget]:
    raw = saga.context["targets"]
    assert isinstance(raw, list)
    return [ErpTarget(Erp(item["erp"]), item["erp_legal_entity"]) for item in raw]


def invoice_in(uow: UnitOfWork, invoice_id: str) -> Invoice:
    invoice = uow.invoices.get(invoice_id)
    if invoice is None:
        raise NotFound(f"invoice {invoice_id} not found", field="invoice_id")
    return invoice


def engagement_of(uow: UnitOfWork, invoice: Invoice) -> Engagement:
    return engagement_in(uow, invoice.engagement_id)


def engagement_in(uow: UnitOfWork, engagement_id: str) -> Engagement:
    engagement = uow.engagements.get(engagement_id)
    if engagement is None:
        raise NotFound(f"engagement {engagement_id} not found", field="engagement_id")
    return engagement


@frozen
class Postings:
    """Starts the posting of each document in the transaction that finalises or issues it,
    handed at once to the saga worker: the caller is not kept waiting on an ERP."""

    sagas: SagaRunner  # one that knows InvoiceToErp
    default_erp: str = Erp.SANDBOX.value

    def invoices(self, uow: UnitOfWork, invoices: Sequence[Invoice], now: dt.datetime) -> None:
        for invoice in invoices:
            assert invoice.issued_on is not None
            route = self.route(uow, invoice, invoice.issued_on)
            self.start(uow, str(invoice.number), invoice.id, "", targets_context(route), now)

    def credit_note(
        self, uow: UnitOfWork, invoice: Invoice, note: CreditNote, now: dt.datetime
    ) -> None:
        """Where the invoice went, whatever the route says today."""
        posted = [p for p in uow.erp_postings.of_invoice(invoice.id) if p.kind == "invoice"]
        posted.sort(key=lambda p: ROLES.index(p.role))
        targets = [{"erp": p.erp, "erp_legal_entity": p.erp_legal_entity} for p in posted]
        if not targets:
            assert invoice.issued_on is not None
            targets = targets_context(self.route(uow, invoice, invoice.issued_on))
        self.start(uow, str(note.number), invoice.id, note.credit_note_id, targets, now)

    def start(
        self,
        uow: UnitOfWork,
        number: str,
        invoice_id: str,
        credit_note_id: str,
        targets: list[dict[str, str]],
        now: dt.datetime,
    ) -> None:
        context = {"invoice_id": invoice_id, "credit_note_id": credit_note_id, "targets": targets}
        saga = self.sagas.start(uow, kind=KIND, business_key=number, context=context, request=None)
        saga.release(saga.owner, now)

    def route(self, uow: UnitOfWork, invoice: Invoice, day: dt.date) -> ErpRoute:
        book = uow.erp_routes.get(invoice.legal_entity.code)
        in_effect = None if book is None else route_in_effect(book.routes, day)
        if in_effect is not None:
            return in_effect
        engagement = engagement_of(uow, invoice)
        target = ErpTarget(Erp(self.default_erp), engagement.erp_legal_entity or "")
        return ErpRoute(invoice.legal_entity.code, day, target)
