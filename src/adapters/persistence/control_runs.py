"""Control runs in SQL: one row per report, its variances as a JSON document beside the counts
a chart reads. Each run is kept in a transaction of its own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.tables import control_runs
from application.controls.report import (
    Control,
    ControlReport,
    ControlVariance,
    Measure,
    VarianceKind,
)
from application.controls.runs import ControlRun

TABLE = control_runs
COLUMNS = TABLE.c


class SqlControlRuns:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def add(self, report: ControlReport) -> int:
        with self.sessions.begin() as session:
            inserted = session.execute(
                insert(TABLE)
                .values(
                    control=report.control.value,
                    legal_entity_code=report.legal_entity_code,
                    ran_at=report.ran_at,
                    matched=report.matched,
                    variances=len(report.variances),
                    report=document_of(report),
                )
                .returning(COLUMNS.seq)
            )
            return int(inserted.scalar_one())

    def page(
        self, control: Control | None, legal_entity_code: str, before: int, limit: int
    ) -> list[ControlRun]:
        query = select(TABLE).order_by(COLUMNS.seq.desc()).limit(limit)
        if control is not None:
            query = query.where(COLUMNS.control == control.value)
        if legal_entity_code != "*":
            query = query.where(COLUMNS.legal_entity_code == legal_entity_code)
        if before:
            query = query.where(COLUMNS.seq < before)
        with self.sessions() as session:
            return [run_of(row) for row in session.execute(query)]


def document_of(report: ControlReport) -> dict[str, Any]:
    return {
        "left": report.left,
        "right": report.right,
        "parked": report.parked,
        "note": report.note,
        "variances": [
            {
                "business_key": v.business_key,
                "kind": v.kind.value,
                "left": measure_document(v.left),
                "right": measure_document(v.right),
            }
            for v in report.variances
        ],
    }


def measure_document(measure: Measure | None) -> dict[str, str] | None:
    if measure is None:
        return None
    return {"amount": str(measure.amount), "unit": measure.unit, "status": measure.status}


def run_of(row: Any) -> ControlRun:
    document = row.report
    report = ControlReport(
        control=Control(row.control),
        legal_entity_code=row.legal_entity_code,
        left=document["left"],
        right=document["right"],
        matched=row.matched,
        variances=tuple(variance_of(v) for v in document["variances"]),
        ran_at=as_utc(row.ran_at),
        parked=document["parked"],
        note=document["note"],
    )
    return ControlRun(row.seq, report)


def variance_of(document: dict[str, Any]) -> ControlVariance:
    return ControlVariance(
        business_key=document["business_key"],
        kind=VarianceKind(document["kind"]),
        left=measure_of(document["left"]),
        right=measure_of(document["right"]),
    )


def measure_of(document: dict[str, str] | None) -> Measure | None:
    if document is None:
        return None
    return Measure(Decimal(document["amount"]), document["unit"], document["status"])


def as_utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
