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
from domain.requests import RequestKey

INSERTS: Mapping[str, Callable[..., Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


class SqlRequestLedger:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, key: RequestKey, fingerprint: str, now: dt.datetime) -> RequestRecord | None:
        """On PostgreSQL a concurrent claim waits for the first to commit or roll back, then
        either finds its row (read committed) or inserts its own."""
        insert = self._insert().values(
            caller=key.caller,
            operation=key.operation,
            request_id=key.request_id,
            fingerprint=fingerprint,
            claimed_at=now,
        )
        claimed = insert.on_conflict_do_nothing().returning(request_ledger.c.request_id)
        won = self.session.execute(claimed).first() is not None
        return None if won else self.get(key)

    def get(self, key: RequestKey) -> RequestRecord | None:
        query = select(request_ledger).where(*self._key(key))
        row = self.session.execute(query).one_or_none()
        return None if row is None else as_record(row)

    def complete(self, key: RequestKey, result: Mapping[str, object]) -> None:
        statement = (
            update(request_ledger)
            .where(*self._key(key))
            .values(result=dict(result), completed_at=utc_now())
        )
        self.session.execute(statement)

    def _insert(self) -> Any:
        dialect = self.session.get_bind().dialect.name
        return INSERTS[dialect](request_ledger)

    @staticmethod
    def _key(key: RequestKey) -> tuple[Any, ...]:
        return (
            request_ledger.c.caller == key.caller,
            request_ledger.c.operation == key.operation,
            request_ledger.c.request_id == key.request_id,
        )


def as_record(row: Row[Any]) -> RequestRecord:
    return RequestRecord(
        key=RequestKey(row.caller, row.operation, row.request_id),
        fingerprint=row.fingerprint,
        result=row.result,
        claimed_at=row.claimed_at,
    )
