"""The dashboard's questions in SQL: read-only, one connection per question, rows to records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Engine, Select, func, or_, select

from adapters.persistence import tables
from adapters.persistence.column_types import HOURS_DECIMALS
from application.dashboard import (
    ControlRun,
    ExceptionSpan,
    Item,
    LineageEntry,
    UnbilledEntry,
    UnbilledTotal,
)
from domain.billable_event import BillableEventKind, BillableEventStatus
from domain.exception_case import ExceptionStatus, OwnerRole

EXCEPTIONS = tables.exceptions.c
EVENTS = tables.billable_events.c
CLOSED = (ExceptionStatus.RESOLVED, ExceptionStatus.DISCARDED)
UNBILLED = (
    BillableEventStatus.APPROVED,
    BillableEventStatus.RATED,
    BillableEventStatus.STAGED,
    BillableEventStatus.HELD_OVER_CAP,
)
CONTROL_RUNS = "control_runs"


class SqlDashboardQueries:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def rows(self, query: Select[Any]) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(query).mappings())

    def open_exceptions(self, owner: OwnerRole, limit: int) -> list[Item]:
        query = (
            select(tables.exceptions)
            .where(EXCEPTIONS.owner_role == owner, EXCEPTIONS.status.notin_(CLOSED))
            .order_by(EXCEPTIONS.created_at, EXCEPTIONS.id)
            .limit(limit)
        )
        return [item_of(row) for row in self.rows(query)]

    def exception_spans(self, owner: OwnerRole, since: dt.datetime) -> list[ExceptionSpan]:
        query = select(
            EXCEPTIONS.created_at, EXCEPTIONS.updated_at, EXCEPTIONS.resolved_at, EXCEPTIONS.status
        ).where(
            EXCEPTIONS.owner_role == owner,
            or_(EXCEPTIONS.status.notin_(CLOSED), EXCEPTIONS.updated_at >= since),
        )
        return [span_of(row) for row in self.rows(query)]

    def unbilled_totals(
        self, approved_after: dt.datetime | None, approved_until: dt.datetime | None
    ) -> list[UnbilledTotal]:
        query = (
            select(
                EVENTS.amount_currency,
                func.count().label("entries"),
                raw_sum(EVENTS.hours_ten_thousandths).label("hours"),
                raw_sum(EVENTS.amount_minor_units).label("amount"),
            )
            .where(*unbilled_time(), *approved_between(approved_after, approved_until))
            .group_by(EVENTS.amount_currency)
            .order_by(EVENTS.amount_currency)
        )
        return [
            UnbilledTotal(
                currency=row["amount_currency"],
                entries=row["entries"],
                hours=Decimal(row["hours"] or 0).scaleb(-HOURS_DECIMALS),
                amount_minor_units=int(row["amount"] or 0),
            )
            for row in self.rows(query)
        ]

    def oldest_unbilled(self, limit: int) -> list[UnbilledEntry]:
        engagements = tables.engagements.c
        query = (
            select(tables.billable_events, engagements.opportunity_id)
            .join(tables.engagements, engagements.id == EVENTS.engagement_id)
            .where(*unbilled_time())
            .order_by(EVENTS.approved_at, EVENTS.id)
            .limit(limit)
        )
        return [unbilled_of(row) for row in self.rows(query)]

    def control_runs(self, limit: int) -> list[ControlRun]:
        runs = tables.metadata.tables.get(CONTROL_RUNS)
        if runs is None or not {"control", "ran_at", "matched"} <= set(runs.c.keys()):
            return []
        query = select(runs).order_by(runs.c.ran_at.desc()).limit(limit)
        return [control_run_of(row) for row in self.rows(query)]

    def lineage(self, business_key: str) -> list[LineageEntry]:
        found = self.calls(business_key) + self.saga_steps(business_key)
        found += self.vendor_calls(business_key) + self.exceptions(business_key)
        return sorted(found, key=lambda entry: entry.at)

    def calls(self, business_key: str) -> list[LineageEntry]:
        calls = tables.call_records.c
        query = select(tables.call_records).where(calls.business_key == business_key)
        return [
            LineageEntry(row["recorded_at"], "call", row["method"], row["code"], row["reason"])
            for row in self.rows(query)
        ]

    def saga_steps(self, business_key: str) -> list[LineageEntry]:
        sagas, steps = tables.sagas.c, tables.saga_steps.c
        query = (
            select(tables.saga_steps, sagas.kind)
            .join(tables.sagas, sagas.id == steps.saga_id)
            .where(sagas.business_key == business_key)
        )
        return [
            LineageEntry(
                row["recorded_at"],
                "saga step",
                f"{row['kind']}: {row['step']}",
                row["outcome"].value,
                row["detail"] or row["external_ref"],
            )
            for row in self.rows(query)
        ]

    def vendor_calls(self, business_key: str) -> list[LineageEntry]:
        calls = tables.metadata.tables.get("vendor_calls")
        if calls is None:
            return []
        query = select(calls).where(calls.c.business_key == business_key)
        return [vendor_call_of(row) for row in self.rows(query)]

    def exceptions(self, business_key: str) -> list[LineageEntry]:
        query = select(tables.exceptions).where(EXCEPTIONS.business_key == business_key)
        found = []
        for row in self.rows(query):
            what = f"{row['workflow'].value}: {row['reason_code'].value}"
            opened = f"parked for {row['owner_role'].value}"
            found.append(LineageEntry(row["created_at"], "exception", what, opened, row["detail"]))
            if row["resolved_at"] is not None:
                closed = row["status"].value
                found.append(LineageEntry(row["resolved_at"], "exception", what, closed, ""))
        return found


def raw_sum(column: Any) -> Any:
    """The stored whole numbers summed as such (PostgreSQL's SUM of a bigint is a numeric)."""
    return func.sum(column, type_=BigInteger())


def unbilled_time() -> list[Any]:
    return [EVENTS.status.in_(UNBILLED), EVENTS.kind == BillableEventKind.TIME.value]


def approved_between(after: dt.datetime | None, until: dt.datetime | None) -> list[Any]:
    found = []
    if after is not None:
        found.append(EVENTS.approved_at > after)
    if until is not None:
        found.append(EVENTS.approved_at <= until)
    return found


def item_of(row: Any) -> Item:
    return Item(
        business_key=row["business_key"],
        workflow=row["workflow"].value,
        reason_code=row["reason_code"].value,
        detail=row["detail"],
        status=row["status"].value,
        attempts=row["attempts"],
        opened_at=row["created_at"],
    )


def span_of(row: Any) -> ExceptionSpan:
    closed = row["resolved_at"] or row["updated_at"] if row["status"] in CLOSED else None
    return ExceptionSpan(row["created_at"], closed)


def unbilled_of(row: Any) -> UnbilledEntry:
    return UnbilledEntry(
        business_key=row["opportunity_id"],
        engagement_id=row["engagement_id"],
        source_id=row["source_id"],
        resource=row["resource"],
        hours=row["hours_ten_thousandths"] or Decimal(0),
        currency=row["amount_currency"],
        amount_minor_units=row["amount_minor_units"],
        status=row["status"].value,
        approved_at=row["approved_at"],
    )


def control_run_of(row: Any) -> ControlRun:
    variances = row.get("variance_count", row.get("variances", 0))
    count = len(variances) if isinstance(variances, list) else int(variances or 0)
    return ControlRun(str(row["control"]), row["ran_at"], int(row["matched"]), count)


def vendor_call_of(row: Any) -> LineageEntry:
    what = f"{row['system']} {row['operation']}"
    detail = f"attempt {row['attempt']}, {row['latency_ms']} ms"
    return LineageEntry(row["called_at"], "vendor call", what, row["status"], detail)
