"""During a dual-write pilot, the primary ERP against its shadow, read as the ledger control
(`ledger_controls`) reads them: one report per legal entity in a pilot today, each variance
parked for finance under the document's number (LEDGER_VARIANCE), once; a case this control
parked whose variance a later run of the pilot no longer finds is resolved as moot. Ledger
variances parked by a cutover, the intercompany control or the on-demand dual-write
reconciliation are left to their owners."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from application.billing_ports import BillingPorts
from application.controls.parking import resolve_not_found
from application.controls.ports import ControlPorts
from application.controls.report import (
    Control,
    ControlReport,
    ControlVariance,
    Measure,
    VarianceKind,
)
from application.ledger_controls import items, name
from domain.erp_routing import ErpRoute
from domain.errors import NotFound
from domain.exception_case import ExceptionCase, OwnerRole, ReasonCode, Workflow
from domain.reconciliation import Reconciliation, Variance, reconcile

NO_PILOT = ("dual-write primary", "dual-write shadow")
REASON = ReasonCode.LEDGER_VARIANCE
WORKFLOW = Workflow.INVOICE_TO_ERP


def dual_write(legal_entity_code: str, ports: ControlPorts) -> list[ControlReport]:
    billing = ports.billing
    today = billing.clock.now().date()
    pilots = [(code, route) for code, route in routes_on(today, billing) if route.shadow]
    chosen = [(c, r) for c, r in pilots if legal_entity_code in ("", c)]
    if not chosen:
        note = f"no legal entity is in a dual-write pilot on {today}"
        return [
            ControlReport(
                Control.DUAL_WRITE,
                legal_entity_code,
                *NO_PILOT,
                0,
                (),
                billing.clock.now(),
                note=note,
            )
        ]
    return [pilot_report(code, route, billing) for code, route in chosen]


def routes_on(day: dt.date, billing: BillingPorts) -> list[tuple[str, ErpRoute]]:
    with billing.uow_factory() as uow:
        books = uow.erp_routes.all()
    found = []
    for book in books:
        try:
            found.append((book.legal_entity_code, book.route_on(day)))
        except NotFound:  # routed only from a later day
            continue
    return found


def pilot_report(code: str, route: ErpRoute, billing: BillingPorts) -> ControlReport:
    assert route.shadow is not None
    names = (name(route.primary, "primary"), name(route.shadow, "shadow"))
    reconciliation = reconcile(items(route.primary, billing), items(route.shadow, billing), names)
    parked = park_new(code, reconciliation, billing)
    return report_of(code, reconciliation, billing.clock.now(), parked)


def park_new(code: str, reconciliation: Reconciliation, billing: BillingPorts) -> int:
    """Parks each variance whose document has no open case, resolves this control's cases of
    the pilot it no longer finds; how many were parked."""
    parked = 0
    with billing.uow_factory() as uow:
        for variance in reconciliation.variances:
            if uow.exceptions.open_cases(variance.number):
                continue
            uow.exceptions.add(case_of(code, variance, reconciliation, billing))
            parked += 1
        found = {v.number for v in reconciliation.variances}
        resolve_not_found(uow, WORKFLOW, of_pilot(code), found, billing.clock)
        uow.commit()
    return parked


def case_of(
    code: str, variance: Variance, reconciliation: Reconciliation, billing: BillingPorts
) -> ExceptionCase:
    left = variance.left.amount_text() if variance.left else "none"
    right = variance.right.amount_text() if variance.right else "none"
    return ExceptionCase.park(
        exception_id=billing.ids.new_id(),
        workflow=WORKFLOW,
        business_key=variance.number,
        reason_code=REASON,
        owner_role=OwnerRole.FINANCE,
        detail=f"{variance.number}: {reconciliation.left} has {left}, "
        f"{reconciliation.right} has {right}",
        payload={
            "control": Control.DUAL_WRITE.value,
            "legal_entity_code": code,
            "kind": variance.kind.value,
        },
        now=billing.clock.now(),
    )


def of_pilot(code: str) -> Callable[[ExceptionCase], bool]:
    """The ledger variance cases this control parked for the legal entity's pilot."""

    def covered(case: ExceptionCase) -> bool:
        return (
            case.reason_code is REASON
            and case.payload.get("control") == Control.DUAL_WRITE.value
            and case.payload.get("legal_entity_code") == code
        )

    return covered


def report_of(
    code: str, reconciliation: Reconciliation, now: dt.datetime, parked: int
) -> ControlReport:
    return ControlReport(
        Control.DUAL_WRITE,
        code,
        reconciliation.left,
        reconciliation.right,
        reconciliation.matched,
        tuple(variance_of(v) for v in reconciliation.variances),
        now,
        parked=parked,
    )


def variance_of(variance: Variance) -> ControlVariance:
    return ControlVariance(
        variance.number,
        VarianceKind(variance.kind.value),
        Measure.of(variance.left) if variance.left else None,
        Measure.of(variance.right) if variance.right else None,
    )
