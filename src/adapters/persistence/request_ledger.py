"""Idempotency keys in the request_ledger table: the first claim of a key wins, atomically."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from adapters.persistence.column_types import utc_now
from adapters.persistence.tables import request_ledger
from application.ports import RequestRecord

INSERTS: Mapping[str, Callable[..., Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


ABANDONED_AT = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class SqlRequestLedger:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(
        self, operation: str, request_id: str, fingerprint: str, now: dt.datetime
    ) -> RequestRecord | None:
        """On PostgreSQL a concurrent claim waits for the first to commit or roll back, then
        either finds its row (read committed) or inserts its own."""
        insert = self._insert().values(
            operation=operation, request_id=request_id, fingerprint=fingerprint, claimed_at=now
        )
        claimed = insert.on_conflict_do_nothing().returning(request_ledger.c.request_id)
        won = self.session.execute(claimed).first() is not None
        return None if won else self.get(operation, request_id)

    def get(self, operation: str, request_id: str) -> RequestRecord | None:
        query = select(request_ledger).where(*self._key(operation, request_id))
        row = self.session.execute(query).one_or_none()
        return None if row is None else as_record(row)

    def complete(self, operation: str, request_id: str, result: Mapping[str, object]) -> None:
        statement = (
            update(request_ledger)
            .where(*self._key(operation, request_id))
            .values(result=dict(result), completed_at=utc_now())
        )
        self.session.execute(statement)

    def abandon(self, operation: str, request_id: str) -> None:
        statement = (
            update(request_ledger)
            .where(*self._key(operation, request_id), request_ledger.c.result.is_(None))
            .values(claimed_at=ABANDONED_AT)
        )
        self.session.execute(statement)

    def take_over(
        self, operation: str, request_id: str, claimed_before: dt.datetime, now: dt.datetime
    ) -> bool:
        """One UPDATE: of several callers taking over the same key, only one matches a row."""
        statement = (
            update(request_ledger)
            .where(
                *self._key(operation, request_id),
                request_ledger.c.result.is_(None),
                request_ledger.c.claimed_at < claimed_before,
            )
            .values(claimed_at=now)
            .returning(request_ledger.c.request_id)
        )
        return self.session.execute(statement).first() is not None

    def _insert(self) -> Any:
        dialect = self.session.get_bind().dialect.name
        return INSERTS[dialect](request_ledger)

    @staticmethod
    def _key(operation: str, request_id: str) -> tuple[Any, ...]:
        return (
            request_ledger.c.operation == operation,
            request_ledger.c.request_id == request_id,
        )


def as_record(row: Row[Any]) -> RequestRecord:
    return RequestRecord(
        operation=row.operation,
        request_id=row.request_id,
        fingerprint=row.fingerprint,
        result=row.result,
        claimed_at=row.claimed_at,
    )
