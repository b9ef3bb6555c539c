"""Intercompany charges made when an invoice is finalised, and posted by a durable saga.

Each charge is posted twice, each side to its own entity's ERP as its route names it on the
invoice day: the delivering entity's receivable (the contracting entity as its customer) and the
contracting entity's payable (the delivering entity as its supplier). A dual-write route gets
the document in its shadow too. Both sides carry the charge's number, and each its own posting
key, so a retried step finds its first posting; a lasting failure is parked for finance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

from application.erp_ports import (
    DocumentKind,
    ErpLedger,
    LedgerCustomer,
    LedgerDocument,
    LedgerLine,
    LedgerVendor,
    Posted,
)
from application.ports import UnitOfWork
from application.posting_saga import ROLES, failed, ledger_for, posting_step, targets_context
from application.saga_definition import Step, concluded
from application.saga_runner import SagaRunner
from domain.billable_event import BillableEvent
from domain.engagement import Engagement
from domain.erp_posting import PostingRole
from domain.erp_routing import Erp, ErpRoute, ErpTarget, route_in_effect
from domain.errors import NotFound
from domain.exception_case import ExceptionCase, Workflow
from domain.intercompany import (
    IntercompanyCharge,
    TransferPricing,
    intercompany_charges,
    intercompany_reversal,
)
from domain.invoicing.credit_notes import CreditNote
from domain.invoicing.invoice import Invoice
from domain.saga import Saga

KIND = "intercompany_to_erp"
RECEIVABLE, PAYABLE = "receivable", "payable"


def counterparty(legal_entity_code: str) -> str:
    """How one legal entity of the firm is known in another's books, as customer or supplier."""
    return f"IC-{legal_entity_code}"


def delivered_by(
    events: Sequence[BillableEvent], engagements: Mapping[str, Engagement]
) -> dict[str, str]:
    """Each billable event's delivering legal entity, where it is not the contracting one."""
    found: dict[str, str] = {}
    for event in events:
        engagement = engagements.get(event.engagement_id)
        if engagement is None or not event.work_package_code:
            continue
        package = next(
            (p for p in engagement.work_packages if p.code == event.work_package_code), None
        )
        delivering = "" if package is None else package.delivering_legal_entity_code
        if delivering and delivering != engagement.legal_entity_code:
            found[event.id] = delivering
    return found


@frozen
class Intercompany:
    """Makes the charges in the transaction that finalises the invoices, and starts posting
    each, handed at once to the saga worker."""

    sagas: SagaRunner  # one that knows IntercompanyToErp
    default_erp: str = Erp.SANDBOX.value

    def charge(
        self,
        uow: UnitOfWork,
        invoices: Sequence[Invoice],
        delivered: Mapping[str, str],
        pricing: TransferPricing,
        now: dt.datetime,
    ) -> list[IntercompanyCharge]:
        made: list[IntercompanyCharge] = []
        for invoice in invoices:
            for charge in intercompany_charges(invoice, delivered, pricing):
                uow.intercompany_charges.add(charge)
                self.start(uow, charge, now)
                made.append(charge)
        return made

    def credit(
        self, uow: UnitOfWork, invoice: Invoice, note: CreditNote, now: dt.datetime
    ) -> list[IntercompanyCharge]:
        """Reverses each delivering entity's share of what the customer's credit note credits,
        posted where the charge went."""
        made: list[IntercompanyCharge] = []
        charges = uow.intercompany_charges.of_invoice(invoice.id)
        for charge in (c for c in charges if not c.is_reversal):
            earlier = [c for c in charges if c.reverses == charge.number]
            reversal = intercompany_reversal(charge, invoice, note, earlier)
            if reversal is not None:
                uow.intercompany_charges.add(reversal)
                self.start(uow, reversal, now, day=charge.issued_on)
                made.append(reversal)
        return made

    def start(
        self,
        uow: UnitOfWork,
        charge: IntercompanyCharge,
        now: dt.datetime,
        day: dt.date | None = None,
    ) -> None:
        """Each side to the ERP its entity's route names on `day`: the charge's own day, also
        for its reversal, so that a reversal follows the charge after a cutover."""
        day = day or charge.issued_on
        context = {
            "number": charge.number,
            RECEIVABLE: targets_context(self.route(uow, charge.delivering_legal_entity, day)),
            PAYABLE: targets_context(self.route(uow, charge.contracting_legal_entity, day)),
        }
        saga = self.sagas.start(
            uow, kind=KIND, business_key=charge.number, context=context, request=None
        )
        saga.release(saga.owner, now)

    def route(self, uow: UnitOfWork, legal_entity_code: str, day: dt.date) -> ErpRoute:
        book = uow.erp_routes.get(legal_entity_code)
        in_effect = None if book is None else route_in_effect(book.routes, day)
        if in_effect is not None:
            return in_effect
        target = ErpTarget(Erp(self.default_erp), legal_entity_code)
        return ErpRoute(legal_entity_code, day, target)


def targets_of(saga: Saga, side: str) -> list[ErpTarget]:
    raw = saga.context[side]
    assert isinstance(raw, list)
    return [ErpTarget(Erp(item["erp"]), item["erp_legal_entity"]) for item in raw]


@frozen
class IntercompanyToErp:
    ledgers: Mapping[str, ErpLedger]
    kind: str = KIND
    workflow: Workflow = Workflow.INVOICE_TO_ERP

    def plan(self, uow: UnitOfWork, saga: Saga, done: Mapping[str, str]) -> Sequence[Step[Any]]:
        charge = charge_in(uow, str(saga.context["number"]))
        steps: list[Step[Any]] = []
        for role, target in zip(ROLES, targets_of(saga, RECEIVABLE), strict=False):
            ledger = self.ledger(target)
            steps.append(self.customer(ledger, charge, target))
            steps.append(self.posting(ledger, role, charge, receivable(charge, target), target))
        for role, target in zip(ROLES, targets_of(saga, PAYABLE), strict=False):
            ledger = self.ledger(target)
            steps.append(self.supplier(ledger, charge, target))
            steps.append(self.posting(ledger, role, charge, payable(charge, target), target))
        return steps

    def final_steps(self, uow: UnitOfWork, saga: Saga) -> Sequence[Step[Any]]:
        return []

    def conclude(
        self, uow: UnitOfWork, saga: Saga, setback: ExceptionCase | None, now: dt.datetime
    ) -> Mapping[str, object]:
        return concluded(saga, "number", setback)

    def ledger(self, target: ErpTarget) -> ErpLedger:
        return ledger_for(self.ledgers, target)

    def customer(
        self, ledger: ErpLedger, charge: IntercompanyCharge, target: ErpTarget
    ) -> Step[str]:
        customer = LedgerCustomer(
            external_id=counterparty(charge.contracting_legal_entity),
            name=f"{charge.contracting_legal_entity} (intercompany)",
            erp_legal_entity=target.erp_legal_entity,
            currency=charge.currency,
        )
        return Step[str](
            name=f"{target.erp.value}.customer[{customer.external_id}]",
            external_id=f"{target.erp_legal_entity}/{customer.external_id}",
            action=lambda: ledger.upsert_customer(customer),
            failure=failed,
        )

    def supplier(
        self, ledger: ErpLedger, charge: IntercompanyCharge, target: ErpTarget
    ) -> Step[str]:
        vendor = LedgerVendor(
            external_id=counterparty(charge.delivering_legal_entity),
            name=f"{charge.delivering_legal_entity} (intercompany)",
            erp_legal_entity=target.erp_legal_entity,
            currency=charge.currency,
        )
        return Step[str](
            name=f"{target.erp.value}.supplier[{vendor.external_id}]",
            external_id=f"{target.erp_legal_entity}/{vendor.external_id}",
            action=lambda: ledger.upsert_vendor(vendor),
            failure=failed,
        )

    def posting(
        self,
        ledger: ErpLedger,
        role: PostingRole,
        charge: IntercompanyCharge,
        document: LedgerDocument,
        target: ErpTarget,
    ) -> Step[Posted]:
        side = "payable" if document.kind.is_payable else "receivable"
        name = f"{target.erp.value}.{side}[{document.posting_key}]"
        external_id = f"{target.erp.value}/{document.posting_key}"
        return posting_step(ledger, role, charge.invoice_id, document, target, name, external_id)


def receivable(charge: IntercompanyCharge, target: ErpTarget) -> LedgerDocument:
    kind = DocumentKind.INTERCOMPANY_RECEIVABLE
    if charge.is_reversal:
        kind = DocumentKind.INTERCOMPANY_RECEIVABLE_CREDIT
    return document(
        charge,
        target,
        key=charge.number,
        kind=kind,
        party=counterparty(charge.contracting_legal_entity),
    )


def payable(charge: IntercompanyCharge, target: ErpTarget) -> LedgerDocument:
    kind = DocumentKind.INTERCOMPANY_PAYABLE
    if charge.is_reversal:
        kind = DocumentKind.INTERCOMPANY_PAYABLE_CREDIT
    return document(
        charge,
        target,
        key=charge.payable_key,
        kind=kind,
        party=counterparty(charge.delivering_legal_entity),
    )


def document(
    charge: IntercompanyCharge, target: ErpTarget, *, key: str, kind: DocumentKind, party: str
) -> LedgerDocument:
    lines = tuple(
        LedgerLine(
            line.invoice_line,
            f"{charge.delivering_legal_entity} work on {charge.invoice_number}: {line.description}",
            line.amount,
            line.amount - line.amount,
            line.amount.amount - line.amount.amount,
        )
        for line in charge.lines
    )
    return LedgerDocument(
        posting_key=key,
        kind=kind,
        number=charge.number,
        erp_legal_entity=target.erp_legal_entity,
        customer_external_id=party,
        issued_on=charge.issued_on,
        due_on=None if charge.is_reversal else charge.issued_on + dt.timedelta(days=30),
        currency=charge.currency,
        lines=lines,
        total=charge.total,
        original_number=charge.reverses,
    )


def charge_in(uow: UnitOfWork, number: str) -> IntercompanyCharge:
    charge = uow.intercompany_charges.get(number)
    if charge is None:
        raise NotFound(f"intercompany charge {number} not found", field="number")
    return charge
