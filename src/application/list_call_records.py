"""One page of the audit of calls, newest first, and where the next page starts."""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen

from application.call_records import CallAuditUnitOfWork, CallRecordFilter, Cursor
from domain.call_record import CallRecord


@frozen
class CallRecordPage:
    records: tuple[CallRecord, ...]
    next: Cursor | None


def list_call_records(
    matching: CallRecordFilter,
    after: Cursor | None,
    size: int,
    uow_factory: Callable[[], CallAuditUnitOfWork],
) -> CallRecordPage:
    with uow_factory() as uow:
        found = uow.call_records.newest_first(matching, after, size + 1)
    page = tuple(found[:size])
    more = len(found) > size
    return CallRecordPage(page, Cursor.after(page[-1]) if more else None)
