"""Idempotency keys in the request_ledger table: the first claim of a key wins, atomically."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Row, bindparam, delete, select, tuple_, update
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

    def claim_all(
        self, claims: Sequence[tuple[RequestKey, str]], now: dt.datetime
    ) -> dict[RequestKey, RequestRecord]:
        """One statement, keys in a fixed order: two batches sharing keys wait, never deadlock."""
        if not claims:
            return {}
        rows = [
            claim_row(key, print_, now)
            for key, print_ in sorted(claims, key=lambda claim: ordered(claim[0]))
        ]
        won: set[tuple[str, str, str]] = set()
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            insert = self._insert().values(rows[start : start + ROWS_PER_STATEMENT])
            claimed = insert.on_conflict_do_nothing().returning(*KEY_COLUMNS)
            won.update(tuple(row) for row in self.session.execute(claimed))
        lost = [key for key, _ in claims if ordered(key) not in won]
        return {record.key: record for record in self.get_all(lost)}

    def get_all(self, keys: Collection[RequestKey]) -> list[RequestRecord]:
        found: list[RequestRecord] = []
        for chunk in chunks(sorted(set(keys), key=ordered)):
            query = select(request_ledger).where(tuple_(*KEY_COLUMNS).in_(map(ordered, chunk)))
            found += [as_record(row) for row in self.session.execute(query)]
        return found

    def complete_all(self, results: Mapping[RequestKey, Mapping[str, object]]) -> None:
        if not results:
            return
        statement = (
            update(request_ledger)
            .where(
                request_ledger.c.caller == bindparam("key_caller"),
                request_ledger.c.operation == bindparam("key_operation"),
                request_ledger.c.request_id == bindparam("key_request_id"),
            )
            .values(
                result=bindparam("answer", type_=request_ledger.c.result.type),
                completed_at=utc_now(),
            )
        )
        rows = [
            {
                "key_caller": key.caller,
                "key_operation": key.operation,
                "key_request_id": key.request_id,
                "answer": dict(result),
            }
            for key, result in sorted(results.items(), key=lambda item: ordered(item[0]))
        ]
        self.session.execute(statement, rows)

    def release(self, keys: Collection[RequestKey]) -> None:
        for chunk in chunks(sorted(set(keys), key=ordered)):
            where = tuple_(*KEY_COLUMNS).in_(map(ordered, chunk))
            self.session.execute(delete(request_ledger).where(where))

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


KEY_COLUMNS = (request_ledger.c.caller, request_ledger.c.operation, request_ledger.c.request_id)
ROWS_PER_STATEMENT = 1000  # 5 parameters a row: within SQLite's and PostgreSQL's limits
KEYS_PER_QUERY = 500


def ordered(key: RequestKey) -> tuple[str, str, str]:
    return (key.caller, key.operation, key.request_id)


def chunks(keys: Sequence[RequestKey]) -> Iterator[Sequence[RequestKey]]:
    for start in range(0, len(keys), KEYS_PER_QUERY):
        yield keys[start : start + KEYS_PER_QUERY]


def claim_row(key: RequestKey, fingerprint: str, now: dt.datetime) -> dict[str, object]:
    return {
        "caller": key.caller,
        "operation": key.operation,
        "request_id": key.request_id,
        "fingerprint": fingerprint,
        "claimed_at": now,
    }


def as_record(row: Row[Any]) -> RequestRecord:
    return RequestRecord(
        key=RequestKey(row.caller, row.operation, row.request_id),
        fingerprint=row.fingerprint,
        result=row.result,
        claimed_at=row.claimed_at,
    )
