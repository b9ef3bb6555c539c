"""Keep a call's record in a transaction of its own: the call's own may have rolled back."""

from __future__ import annotations

from collections.abc import Callable

from application.call_records import CallAuditUnitOfWork
from domain.call_record import CallRecord


def record_call(record: CallRecord, uow_factory: Callable[[], CallAuditUnitOfWork]) -> None:
    with uow_factory() as uow:
        uow.call_records.add(record)
        uow.commit()
