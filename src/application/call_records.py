"""The port for the audit of calls, and the questions it answers."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from attrs import frozen

from application.ports import Transaction
from domain.call_record import CallRecord


@frozen
class Cursor:
    """Where a page ended: records are listed newest first, by time, then by id."""

    recorded_at: dt.datetime
    record_id: str

    @classmethod
    def after(cls, record: CallRecord) -> Cursor:
        return cls(record.recorded_at, record.id)


@frozen
class CallRecordFilter:
    """Empty values match everything; those set must all match. `since` is inclusive, `until`
    exclusive."""

    subject: str = ""
    method: str = ""
    business_key: str = ""
    code: str = ""
    reason: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None


class CallRecords(Protocol):
    def add(self, record: CallRecord) -> None: ...
    def newest_first(
        self, matching: CallRecordFilter, after: Cursor | None, limit: int
    ) -> list[CallRecord]:
        """At most `limit` matching records older than `after`, newest first."""
        ...


class CallAuditUnitOfWork(Transaction, Protocol):
    call_records: CallRecords
