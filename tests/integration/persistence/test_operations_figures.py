"""The business metrics read from a seeded database: what every replica reports alike."""

from __future__ import annotations

import datetime as dt

import pytest

from adapters.metrics.figures import SuccessRate, Variances
from adapters.metrics.queries import read_figures
from adapters.persistence.control_runs import SqlControlRuns
from adapters.persistence.engine import session_factory
from adapters.persistence.tables import billed_work, outbox
from application.controls.report import Control, ControlReport, ControlVariance, VarianceKind
from domain.billing.charges import ChargeKind
from domain.exception_case import ExceptionStatus, OwnerRole, ReasonCode, Workflow
from domain.invoicing.billed_work import BilledWorkStatus
from domain.saga import Saga, SagaStatus, Verdict

from .builders import (
    NOW,
    a_parked_exception,
    a_staged_time_entry,
    a_time_entry,
    an_active_engagement,
    new_id,
)

HOUR = dt.timedelta(hours=1)


def a_decided_saga(kind: str, verdict: Verdict | None) -> Saga:
    saga = Saga.start(
        saga_id=new_id(),
        kind=kind,
        business_key=new_id(),
        context={},
        request=None,
        owner="node-1",
        now=NOW,
        lease=dt.timedelta(minutes=1),
    )
    saga.verdict = verdict
    saga.status = {
        None: SagaStatus.RUNNING,
        Verdict.DONE: SagaStatus.COMPLETED,
        Verdict.HELD: SagaStatus.COMPLETED,
        Verdict.FAILED: SagaStatus.FAILED,
    }[verdict]
    return saga


def a_case(
    role: OwnerRole,
    workflow: Workflow = Workflow.CLOSED_WON_TO_ENGAGEMENT,
    reason: ReasonCode = ReasonCode.LEGAL_ENTITY_NOT_MAPPED,
    resolved_after: dt.timedelta | None = None,
    status: ExceptionStatus = ExceptionStatus.OPEN,
):
    case = a_parked_exception(new_id())
    case.owner_role, case.workflow, case.reason_code = role, workflow, reason
    if resolved_after is not None:
        case.status, case.resolved_at = ExceptionStatus.RESOLVED, NOW + resolved_after
    elif status is not ExceptionStatus.OPEN:
        case.status, case.resolved_at = status, NOW + HOUR
    return case


def test_success_rates_count_done_sagas_against_failed_and_parked_ones_of_each_flow(
    uow_factory, engine
):
    verdicts = {
        "engagement_provisioning": [Verdict.DONE] * 3 + [Verdict.HELD, Verdict.FAILED, None],
        "invoice_to_erp": [Verdict.DONE, Verdict.DONE, Verdict.FAILED],
        "payment_status_to_crm": [Verdict.DONE] * 4,
        "change_order_to_psa": [Verdict.FAILED],
    }
    with uow_factory() as uow:
        for kind, outcomes in verdicts.items():
            for verdict in outcomes:
                uow.sagas.add(a_decided_saga(kind, verdict))
        uow.commit()

    figures = read_figures(engine, NOW)

    assert figures.project_creation == SuccessRate(succeeded=3, failed=2)
    assert figures.invoice_posting == SuccessRate(succeeded=2, failed=1)
    assert figures.payment_status_sync == SuccessRate(succeeded=4, failed=0)
    assert figures.payment_status_sync.ratio == 1.0
    assert figures.project_creation.ratio == pytest.approx(0.6)


def test_exceptions_give_time_to_resolution_by_role_and_what_is_open_by_role_and_workflow(
    uow_factory, engine
):
    cases = [
        a_case(OwnerRole.FINANCE, resolved_after=2 * HOUR),
        a_case(OwnerRole.FINANCE, resolved_after=4 * HOUR),
        a_case(OwnerRole.PMO),
        a_case(OwnerRole.PMO),
        a_case(OwnerRole.FINANCE, Workflow.INVOICE_TO_ERP, ReasonCode.LEDGER_VARIANCE),
        a_case(OwnerRole.SALES_OPS, status=ExceptionStatus.DISCARDED),
    ]
    with uow_factory() as uow:
        for case in cases:
            uow.exceptions.add(case)
        uow.commit()

    figures = read_figures(engine, NOW)

    assert figures.time_to_resolution[OwnerRole.FINANCE].seconds == (7200.0, 14400.0)
    assert figures.time_to_resolution[OwnerRole.PMO].count == 0
    assert [(o.owner_role, o.workflow, o.open) for o in figures.open_exceptions] == [
        (OwnerRole.FINANCE, Workflow.INVOICE_TO_ERP, 1),
        (OwnerRole.PMO, Workflow.CLOSED_WON_TO_ENGAGEMENT, 2),
    ]


def a_run(control: Control, legal_entity_code: str, variances: int) -> ControlReport:
    found = tuple(
        ControlVariance(f"INV-{n}", VarianceKind.MISSING_ON_RIGHT, None, None)
        for n in range(variances)
    )
    return ControlReport(control, legal_entity_code, "left", "right", 3, found, NOW)


def test_reconciliation_variance_is_what_the_latest_run_of_each_control_found(engine):
    runs = SqlControlRuns(session_factory(engine))
    for run in (
        a_run(Control.DUAL_WRITE, "DE01", 4),
        a_run(Control.DUAL_WRITE, "DE01", 1),  # the latest of DE01's pilot
        a_run(Control.DUAL_WRITE, "AT01", 2),  # another pilot's latest: added
        a_run(Control.BILLING_VS_ERP, "GB01", 5),  # before a run over every entity: replaced
        a_run(Control.BILLING_VS_ERP, "", 3),
        a_run(Control.BILLING_VS_ERP, "US01", 2),  # after it: added
        a_run(Control.PAYMENTS_VS_CRM, "", 6),
        a_run(Control.PAYMENTS_VS_CRM, "", 0),  # balanced now
    ):
        runs.add(run)

    figures = read_figures(engine, NOW)

    assert figures.reconciliation_variances == (
        Variances("psa_vs_billing", 0),
        Variances("billing_vs_erp", 5),
        Variances("payments_vs_crm", 0),
        Variances("dual_write", 3),
    )


def test_approved_time_to_invoice_runs_from_approval_to_the_finalisation_of_its_invoice(
    uow_factory, engine
):
    engagement = an_active_engagement()
    billed, waiting = (a_staged_time_entry(engagement, a_time_entry(engagement)) for _ in "ab")
    later = a_staged_time_entry(engagement, a_time_entry(engagement))
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()
    with uow_factory() as uow:
        for event in (billed, waiting, later):
            uow.billable_events.add(event)
        uow.commit()
    with engine.begin() as connection:
        invoice_work(connection, "INV-1", [billed.id], finalised_at=NOW + 72 * HOUR)
        invoice_work(connection, "INV-2", [later.id], finalised_at=NOW + 240 * HOUR)
        invoice_work(connection, "INV-3", [], finalised_at=NOW)

    figures = read_figures(engine, NOW)

    assert figures.approved_time_to_invoice.seconds == (72 * 3600.0, 240 * 3600.0)


def invoice_work(connection, invoice_id: str, event_ids: list[str], finalised_at) -> None:
    for event_id in event_ids:
        connection.execute(
            billed_work.insert().values(
                source_id=event_id,
                kind=ChargeKind.TIME,
                invoice_id=invoice_id,
                status=BilledWorkStatus.INVOICED,
                credit_note_id="",
                times_invoiced=1,
            )
        )
    connection.execute(
        outbox.insert().values(
            event_id=new_id()[:36],
            subject="o2c.v1.invoice.finalised",
            payload=b"\x00",
            created_at=finalised_at,
            aggregate_type="invoice",
            aggregate_id=invoice_id,
            aggregate_sequence=1,
        )
    )
