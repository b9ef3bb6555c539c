"""One page of the audit of calls, newest first, and where the next page starts."""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen

from application.call_records import CallAuditUnitOfWork, CallRecordFilter, Cursor
from domain.call_record import CallRecord
from domain.errors import LegalEntityNotAllowed
from domain.principal import Principal


@frozen
class CallRecordPage:
    records: tuple[CallRecord, ...]
    next: Cursor | None


def list_call_records(
    reader: Principal,
    matching: CallRecordFilter,
    after: Cursor | None,
    size: int,
    uow_factory: Callable[[], CallAuditUnitOfWork],
) -> CallRecordPage:
    check_reads_every_legal_entity(reader)
    with uow_factory() as uow:
        found = uow.call_records.newest_first(matching, after, size + 1)
    page = tuple(found[:size])
    more = len(found) > size
    return CallRecordPage(page, Cursor.after(page[-1]) if more else None)


def check_reads_every_legal_entity(reader: Principal) -> None:
    """The audit spans every legal entity: a reader limited to some would see the others'."""
    if not reader.sees_every_legal_entity():
        raise LegalEntityNotAllowed(
            "the audit of calls spans every legal entity; a caller limited to some may not list it",
            keys={"subject": reader.subject},
        )
