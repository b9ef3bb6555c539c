"""The audit of calls in SQL: plain rows in, records out, newest first by (time, id)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, insert, or_, select
from sqlalchemy.orm import Session

from adapters.persistence.tables import call_records
from application.call_records import CallRecordFilter, Cursor
from domain.call_record import Caller, CallRecord

TABLE = call_records
COLUMNS = TABLE.c


class SqlCallRecords:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, record: CallRecord) -> None:
        self.session.execute(insert(TABLE).values(row_of(record)))

    def newest_first(
        self, matching: CallRecordFilter, after: Cursor | None, limit: int
    ) -> list[CallRecord]:
        query = (
            select(TABLE)
            .where(*conditions(matching), *older_than(after))
            .order_by(COLUMNS.recorded_at.desc(), COLUMNS.id.desc())
            .limit(limit)
        )
        return [record_of(row) for row in self.session.execute(query).mappings()]


def conditions(matching: CallRecordFilter) -> list[ColumnElement[bool]]:
    equal = {
        COLUMNS.subject: matching.subject,
        COLUMNS.method: matching.method,
        COLUMNS.business_key: matching.business_key,
        COLUMNS.code: matching.code,
        COLUMNS.reason: matching.reason,
    }
    found = [column == value for column, value in equal.items() if value]
    if matching.since is not None:
        found.append(COLUMNS.recorded_at >= matching.since)
    if matching.until is not None:
        found.append(COLUMNS.recorded_at < matching.until)
    return found


def older_than(cursor: Cursor | None) -> list[ColumnElement[bool]]:
    if cursor is None:
        return []
    at = COLUMNS.recorded_at
    same_time_lower_id = and_(at == cursor.recorded_at, COLUMNS.id < cursor.record_id)
    return [or_(at < cursor.recorded_at, same_time_lower_id)]


def row_of(record: CallRecord) -> dict[str, Any]:
    caller = record.caller
    return {
        "id": record.id,
        "recorded_at": record.recorded_at,
        "subject": caller.subject if caller else None,
        "calling_system": caller.system if caller else None,
        "method": record.method,
        "request_id": record.request_id,
        "business_key": record.business_key,
        "code": record.code,
        "reason": record.reason,
        "correlation_id": record.correlation_id,
    }


def record_of(row: Any) -> CallRecord:
    subject, system = row["subject"], row["calling_system"]
    return CallRecord(
        id=row["id"],
        recorded_at=row["recorded_at"],
        caller=None if subject is None else Caller(subject, system or ""),
        method=row["method"],
        request_id=row["request_id"],
        business_key=row["business_key"],
        code=row["code"],
        reason=row["reason"],
        correlation_id=row["correlation_id"],
    )
