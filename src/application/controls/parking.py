"""Each variance parked with its owner, once while it is open: a later run finding the same
variance again leaves the open case alone, and a complete run that no longer finds it resolves
its open case as moot."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from attrs import evolve, frozen

from application.billing_ports import BillingPorts
from application.controls.report import ControlReport, ControlVariance
from application.exception_listing import ExceptionCursor, ExceptionFilter
from application.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from domain.exception_case import (
    ExceptionCase,
    ExceptionStatus,
    OwnerRole,
    ReasonCode,
    Workflow,
)

REASON = ReasonCode.RECONCILIATION_VARIANCE
MOOT = "the control no longer finds it"
PAGE = 500


@frozen
class Owner:
    workflow: Workflow
    role: OwnerRole


def parked(report: ControlReport, owner: Owner, billing: BillingPorts) -> ControlReport:
    """The report, its variances parked, saying how many were new."""
    count = park_variances(report, owner, billing.uow_factory, billing.clock, billing.ids)
    return evolve(report, parked=count)


def park_variances(
    report: ControlReport,
    owner: Owner,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ids: IdGenerator,
) -> int:
    """How many were parked now."""
    parked = 0
    with uow_factory() as uow:
        for variance in report.variances:
            if already_open(uow, report, variance):
                continue
            uow.exceptions.add(case_of(report, variance, owner, clock, ids))
            parked += 1
        if not report.note:  # a run that left part out cannot tell what it no longer finds
            found = {variance.business_key for variance in report.variances}
            resolve_not_found(uow, owner.workflow, of_run(report), found, clock)
        uow.commit()
    return parked


def of_run(report: ControlReport) -> Callable[[ExceptionCase], bool]:
    """The control's variance cases the run covers: its legal entity's, every one's when the
    run covers every legal entity."""

    def covered(case: ExceptionCase) -> bool:
        return (
            case.reason_code is REASON
            and case.payload.get("control") == report.control.value
            and report.legal_entity_code in ("", case.payload.get("legal_entity_code"))
        )

    return covered


def resolve_not_found(
    uow: UnitOfWork,
    workflow: Workflow,
    covered: Callable[[ExceptionCase], bool],
    found: set[str],
    clock: Clock,
) -> list[str]:
    """Resolves, as moot, the open cases `covered` by a run whose keys it no longer `found`,
    in the caller's transaction; the ids of those resolved."""
    stale = [
        case
        for case in open_cases(uow, workflow)
        if covered(case) and case.business_key not in found
    ]
    for case in stale:
        case.resolve_moot(MOOT, clock.now())
    return [case.id for case in stale]


def open_cases(uow: UnitOfWork, workflow: Workflow) -> Iterator[ExceptionCase]:
    where = ExceptionFilter(workflow=workflow, status=ExceptionStatus.OPEN)
    after: ExceptionCursor | None = None
    while page := uow.exceptions.page(where, after, PAGE):
        yield from page
        after = ExceptionCursor(page[-1].created_at, page[-1].id)


def already_open(uow: UnitOfWork, report: ControlReport, variance: ControlVariance) -> bool:
    return any(
        case.reason_code is REASON and case.payload.get("control") == report.control.value
        for case in uow.exceptions.open_cases(variance.business_key)
    )


def case_of(
    report: ControlReport, variance: ControlVariance, owner: Owner, clock: Clock, ids: IdGenerator
) -> ExceptionCase:
    return ExceptionCase.park(
        exception_id=ids.new_id(),
        workflow=owner.workflow,
        business_key=variance.business_key,
        reason_code=REASON,
        owner_role=owner.role,
        detail=variance.describe(report.left, report.right)[:2000],
        payload={
            "control": report.control.value,
            "kind": variance.kind.value,
            "legal_entity_code": report.legal_entity_code,
            "left": variance.left.text() if variance.left else "",
            "right": variance.right.text() if variance.right else "",
        },
        now=clock.now(),
    )
