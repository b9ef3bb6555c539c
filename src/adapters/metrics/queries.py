"""The figures read with a few set-based queries, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, and_, func, or_, select

from adapters.metrics.figures import Figures, Latencies, OpenExceptions, SuccessRate, Variances
from adapters.persistence.tables import (
    billable_events,
    billed_work,
    control_runs,
    exceptions,
    outbox,
    sagas,
)
from application.controls.report import Control
from domain.exception_case import ExceptionStatus, OwnerRole
from domain.saga import Verdict

PROVISIONING = "engagement_provisioning"
POSTING = "invoice_to_erp"
PAYMENT_STATUS = "payment_status_to_crm"
FINALISED_SUBJECT = "%.invoice.finalised"
SETTLED = (ExceptionStatus.RESOLVED, ExceptionStatus.DISCARDED)


def read_figures(engine: Engine, now: dt.datetime) -> Figures:
    with engine.connect() as connection:
        return Figures(
            computed_at=now,
            project_creation=saga_outcomes(connection, PROVISIONING),
            invoice_posting=saga_outcomes(connection, POSTING),
            payment_status_sync=saga_outcomes(connection, PAYMENT_STATUS),
            approved_time_to_invoice=approved_to_finalised(connection),
            time_to_resolution=times_to_resolution(connection),
            open_exceptions=open_exceptions(connection),
            reconciliation_variances=latest_variances(connection),
        )


def saga_outcomes(connection: Connection, kind: str) -> SuccessRate:
    """Decided sagas of `kind`: done is a success; held (parked) and failed are not."""
    rows = connection.execute(
        select(sagas.c.verdict, func.count())
        .where(sagas.c.kind == kind, sagas.c.verdict.is_not(None))
        .group_by(sagas.c.verdict)
    )
    counts = {verdict: count for verdict, count in rows}
    done = counts.pop(Verdict.DONE, 0)
    return SuccessRate(succeeded=done, failed=sum(counts.values()))


def approved_to_finalised(connection: Connection) -> Latencies:
    """Each invoiced billable event: from its approval to its invoice's finalisation."""
    finalised = and_(
        outbox.c.aggregate_type == "invoice",
        outbox.c.aggregate_id == billed_work.c.invoice_id,
        outbox.c.subject.like(FINALISED_SUBJECT),
    )
    rows = connection.execute(
        select(billable_events.c.approved_at, outbox.c.created_at)
        .join(billed_work, billed_work.c.source_id == billable_events.c.id)
        .join(outbox, finalised)
    )
    return Latencies.between(list(rows.tuples()))


def times_to_resolution(connection: Connection) -> dict[OwnerRole, Latencies]:
    rows = connection.execute(
        select(exceptions.c.owner_role, exceptions.c.created_at, exceptions.c.resolved_at).where(
            exceptions.c.status == ExceptionStatus.RESOLVED,
            exceptions.c.resolved_at.is_not(None),
        )
    )
    pairs: dict[OwnerRole, list[tuple[dt.datetime, dt.datetime]]] = {r: [] for r in OwnerRole}
    for role, created_at, resolved_at in rows:
        pairs[role].append((created_at, resolved_at))
    return {role: Latencies.between(found) for role, found in pairs.items()}


def open_exceptions(connection: Connection) -> tuple[OpenExceptions, ...]:
    rows = connection.execute(
        select(exceptions.c.owner_role, exceptions.c.workflow, func.count())
        .where(exceptions.c.status.not_in(SETTLED))
        .group_by(exceptions.c.owner_role, exceptions.c.workflow)
    )
    found = (OpenExceptions(role, workflow, count) for role, workflow, count in rows)
    return tuple(sorted(found, key=lambda item: (item.owner_role.value, item.workflow.value)))


def latest_variances(connection: Connection) -> tuple[Variances, ...]:
    """Per control, the variances its latest runs found: the latest run of each legal entity,
    summed, where a run over every legal entity replaces the single entities' runs before it.
    A control never run shows 0."""
    runs = control_runs.c
    latest = (
        select(runs.control, runs.legal_entity_code, func.max(runs.seq).label("seq"))
        .group_by(runs.control, runs.legal_entity_code)
        .subquery()
    )
    everywhere = (
        select(runs.control, func.max(runs.seq).label("seq"))
        .where(runs.legal_entity_code == "")
        .group_by(runs.control)
        .subquery()
    )
    rows = connection.execute(
        select(runs.control, func.sum(runs.variances))
        .join(latest, latest.c.seq == runs.seq)
        .outerjoin(everywhere, everywhere.c.control == runs.control)
        .where(or_(everywhere.c.seq.is_(None), runs.seq >= everywhere.c.seq))
        .group_by(runs.control)
    )
    counts = {control: int(count) for control, count in rows}
    return tuple(Variances(c.value, counts.get(c.value, 0)) for c in Control)
