"""Controls over the ledgers: during a dual-write pilot, the primary ERP (the financial record)
and its shadow compared by document number and amount. Each variance is parked for finance,
once, under the document's number."""

from __future__ import annotations

import datetime as dt

from application.billing_ports import BillingPorts
from application.erp_ports import ErpLedger
from domain.erp_routing import ErpRoute, ErpTarget
from domain.errors import InvalidField, NotFound
from domain.exception_case import ExceptionCase, OwnerRole, ReasonCode, Workflow
from domain.money import Money
from domain.reconciliation import Reconciliation, Variance, reconcile


def reconcile_dual_write(
    legal_entity_code: str, on: dt.date, ports: BillingPorts
) -> Reconciliation:
    route = dual_write_route(legal_entity_code, on, ports)
    assert route.shadow is not None
    names = (name(route.primary, "primary"), name(route.shadow, "shadow"))
    report = reconcile(items(route.primary, ports), items(route.shadow, ports), names)
    park_variances(legal_entity_code, report, ports)
    return report


def dual_write_route(legal_entity_code: str, on: dt.date, ports: BillingPorts) -> ErpRoute:
    with ports.uow_factory() as uow:
        book = uow.erp_routes.get(legal_entity_code)
    if book is None:
        raise NotFound(f"{legal_entity_code} has no ERP route", field="legal_entity_code")
    route = book.route_on(on)
    if route.shadow is None:
        raise InvalidField(
            f"{legal_entity_code} posts to {route.primary.erp.value} alone on {on}: there is no "
            "shadow to compare",
            field="legal_entity_code",
            keys={"legal_entity_code": legal_entity_code},
        )
    return route


def items(target: ErpTarget, ports: BillingPorts) -> list[tuple[str, Money]]:
    """Receivables by number; an intercompany payable by its number, marked as the payable."""
    ledger = ledger_of(target, ports)
    receivables = ledger.open_items(target.erp_legal_entity)
    payables = ledger.payables(target.erp_legal_entity)
    return [(item.number, item.amount) for item in receivables] + [
        (f"{item.number} (payable)", item.amount) for item in payables
    ]


def ledger_of(target: ErpTarget, ports: BillingPorts) -> ErpLedger:
    ledger = (ports.ledgers or {}).get(target.erp.value)
    if ledger is None:
        raise NotFound(f"no {target.erp.value} adapter is configured", field="erp")
    return ledger


def name(target: ErpTarget, role: str) -> str:
    return f"{target.erp.value} {role} ({target.erp_legal_entity})"


def park_variances(legal_entity_code: str, report: Reconciliation, ports: BillingPorts) -> None:
    with ports.uow_factory() as uow:
        for variance in report.variances:
            if uow.exceptions.open_cases(variance.number):
                continue
            uow.exceptions.add(case_of(legal_entity_code, variance, report, ports))
        uow.commit()


def case_of(
    legal_entity_code: str, variance: Variance, report: Reconciliation, ports: BillingPorts
) -> ExceptionCase:
    left = variance.left.amount_text() if variance.left else "none"
    right = variance.right.amount_text() if variance.right else "none"
    return ExceptionCase.park(
        exception_id=ports.ids.new_id(),
        workflow=Workflow.INVOICE_TO_ERP,
        business_key=variance.number,
        reason_code=ReasonCode.LEDGER_VARIANCE,
        owner_role=OwnerRole.FINANCE,
        detail=f"{variance.number}: {report.left} has {left}, {report.right} has {right}",
        payload={"legal_entity_code": legal_entity_code, "kind": variance.kind.value},
        now=ports.clock.now(),
    )
