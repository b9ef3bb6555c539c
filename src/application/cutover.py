"""CutOverLegalEntity: a legal entity moves to another ERP from a day, in three steps.

1. Its open invoices (issued before the day, with a balance) are carried over to the new ERP
   as opening receivables, each under its own number, so a retry carries nothing twice.
2. A reconciliation proves that the new ERP holds exactly those balances, by number and amount
   and in total; if it does not, the route is not switched and each variance is parked for
   finance.
3. The route switches, from the day: audited like any route change.

Credit notes and payments of the carried-over invoices still follow the ERP each invoice was
posted to. Sending the request again after a failure finishes what is left.
"""

from __future__ import annotations

import datetime as dt

from attrs import frozen

from application.billing_ports import BillingPorts
from application.commands import CutOverLegalEntity, SetErpRoute
from application.erp_ports import (
    DocumentKind,
    ErpLedger,
    LedgerDocument,
    LedgerLine,
)
from application.erp_routes import check_may_route, set_erp_route, target_of
from application.errors import VendorError, VendorUnavailable
from application.ledger_controls import ledger_of, park_variances
from application.parsing import parse_date, required
from application.ports import InvoiceFilter
from application.posting_saga import ledger_customer
from domain.erp_posting import ErpPosting, PostingRole
from domain.erp_routing import ErpTarget
from domain.errors import DomainError, ErpRefused, ErpUnavailable
from domain.invoicing.invoice import Invoice, InvoiceStatus
from domain.reconciliation import Reconciliation, reconcile

OPEN = (InvoiceStatus.FINALISED, InvoiceStatus.PARTIALLY_PAID)
PAGE = 500


class CutoverNotReconciled(DomainError):
    """The new ERP does not hold the carried-over balances: the route stays as it was."""

    reason = "CUTOVER_NOT_RECONCILED"


@frozen
class Cutover:
    carried_over: int
    reconciliation: Reconciliation
    switched: bool


def cut_over(cmd: CutOverLegalEntity, ports: BillingPorts) -> Cutover:
    try:
        return cut_over_now(cmd, ports)
    except VendorUnavailable as error:
        raise ErpUnavailable(str(error), field="target", keys={"erp": error.system}) from None
    except VendorError as error:
        raise ErpRefused(str(error), field="target", keys={"erp": error.system}) from None


def cut_over_now(cmd: CutOverLegalEntity, ports: BillingPorts) -> Cutover:
    code = required(cmd.legal_entity_code, "legal_entity_code")
    check_may_route(cmd.caller, code)
    day = parse_date(cmd.effective_from, "effective_from")
    target = target_of(cmd.target, "target")
    ledger = ledger_of(target, ports)
    balances = open_balances(code, day, ports)
    for invoice in balances:
        carry_over(invoice, target, ledger, ports)
    report = reconciled(balances, target, ledger)
    if not report.balanced:
        park_variances(code, report, ports)
        raise CutoverNotReconciled(
            f"{target.erp.value} does not hold {code}'s open balances: "
            f"{len(report.variances)} variances, parked for finance; the route is unchanged",
            field="legal_entity_code",
            keys={"legal_entity_code": code, "variances": str(len(report.variances))},
        )
    switch(cmd, ports)
    return Cutover(len(balances), report, True)


def open_balances(code: str, day: dt.date, ports: BillingPorts) -> list[Invoice]:
    found: list[Invoice] = []
    after = ""
    with ports.uow_factory() as uow:
        while page := uow.invoices.page(InvoiceFilter(legal_entity_code=code), after, PAGE):
            found += [i for i in page if is_open_before(i, day)]
            after = page[-1].id
    return sorted(found, key=lambda invoice: str(invoice.number))


def is_open_before(invoice: Invoice, day: dt.date) -> bool:
    issued = invoice.issued_on
    return (
        invoice.status in OPEN
        and issued is not None
        and issued < day
        and invoice.balance.is_positive()
    )


def carry_over(invoice: Invoice, target: ErpTarget, ledger: ErpLedger, ports: BillingPorts) -> None:
    number = str(invoice.number)
    with ports.uow_factory() as uow:
        engagement = uow.engagements.get(invoice.engagement_id)
    assert engagement is not None
    ledger.upsert_customer(ledger_customer(engagement, target, invoice.currency))
    posted = ledger.post(opening_receivable(invoice, target, engagement.account_id))
    with ports.uow_factory() as uow:
        if any(p.erp == target.erp.value for p in uow.erp_postings.of_document(number)):
            return
        uow.erp_postings.add(
            ErpPosting(
                document_number=number,
                invoice_id=invoice.id,
                kind=DocumentKind.OPENING_RECEIVABLE.value,
                erp=target.erp.value,
                role=PostingRole.PRIMARY,
                erp_legal_entity=target.erp_legal_entity,
                erp_document_id=posted.document_id,
                posted_at=ports.clock.now(),
            )
        )
        uow.commit()


def opening_receivable(invoice: Invoice, target: ErpTarget, account: str) -> LedgerDocument:
    assert invoice.issued_on is not None
    number = str(invoice.number)
    zero = invoice.balance - invoice.balance
    line = LedgerLine(1, f"Opening balance of {number}", invoice.balance, zero, zero.amount)
    return LedgerDocument(
        posting_key=f"{number}:opening",
        kind=DocumentKind.OPENING_RECEIVABLE,
        number=number,
        erp_legal_entity=target.erp_legal_entity,
        customer_external_id=account,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        currency=invoice.currency,
        lines=(line,),
        total=invoice.balance,
    )


def reconciled(balances: list[Invoice], target: ErpTarget, ledger: ErpLedger) -> Reconciliation:
    ours = [(str(invoice.number), invoice.balance) for invoice in balances]
    theirs = [
        (item.number, item.amount)
        for item in ledger.open_items(target.erp_legal_entity)
        if not item.is_intercompany  # the firm's own charges between its entities stay apart
    ]
    return reconcile(ours, theirs, ("o2c open balances", f"{target.erp.value} opening receivables"))


def switch(cmd: CutOverLegalEntity, ports: BillingPorts) -> None:
    set_erp_route(
        SetErpRoute(
            request_id=cmd.request_id,
            legal_entity_code=cmd.legal_entity_code,
            effective_from=cmd.effective_from,
            primary=cmd.target,
            caller=cmd.caller,
        ),
        ports,
    )
