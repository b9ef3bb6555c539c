"""A sandbox vendor system's records, kept in the sandbox_records table by external id."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import IntegrityError

from adapters.persistence.orm import sandbox_records as records


class SandboxRecords:
    def __init__(self, engine: Engine, system: str) -> None:
        self.engine = engine
        self.system = system

    def upsert(self, kind: str, external_id: str, prefix: str, payload: dict[str, Any]) -> str:
        """Create by external id, or update the record holding it; return the record's id.

        As with a vendor's upsert, sending the same external id twice never makes two records;
        one that was removed comes back under a new id."""
        try:
            return self._upsert(kind, external_id, prefix, payload)
        except IntegrityError:  # a concurrent caller inserted it first: now it is an update
            return self._upsert(kind, external_id, prefix, payload)

    def find(self, kind: str, external_id: str) -> str | None:
        query = select(records.c.record_id).where(
            *self._kind(kind), records.c.external_id == external_id, records.c.removed_at.is_(None)
        )
        with self.engine.begin() as connection:
            return connection.execute(query).scalar_one_or_none()

    def payload(self, kind: str, record_id: str) -> dict[str, Any] | None:
        query = select(records.c.payload).where(
            *self._kind(kind), records.c.record_id == record_id, records.c.removed_at.is_(None)
        )
        with self.engine.begin() as connection:
            return connection.execute(query).scalar_one_or_none()

    def live(self, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(external id, record id, payload) of every record of `kind` not removed, oldest
        first."""
        query = (
            select(records.c.external_id, records.c.record_id, records.c.payload)
            .where(*self._kind(kind), records.c.removed_at.is_(None))
            .order_by(records.c.created_at, records.c.record_id)
        )
        with self.engine.begin() as connection:
            return [tuple(row) for row in connection.execute(query)]  # type: ignore[misc]

    def remove(self, kind: str, record_id: str) -> None:
        statement = (
            update(records)
            .where(*self._kind(kind), records.c.record_id == record_id)
            .values(removed_at=dt.datetime.now(dt.UTC))
        )
        with self.engine.begin() as connection:
            connection.execute(statement)

    def _upsert(self, kind: str, external_id: str, prefix: str, payload: dict[str, Any]) -> str:
        key = (*self._kind(kind), records.c.external_id == external_id)
        with self.engine.begin() as connection:
            row = connection.execute(  # locked: two callers reviving a removed record are one
                select(records.c.record_id, records.c.removed_at).where(*key).with_for_update()
            ).first()
            if row is not None and row.removed_at is None:
                connection.execute(update(records).where(*key).values(payload=payload))
                return str(row.record_id)
            record_id = f"{prefix}-{uuid.uuid4().hex[:10].upper()}"
            self._write_new(connection, kind, external_id, record_id, payload, row is None)
            return record_id

    def _write_new(
        self,
        connection: Connection,
        kind: str,
        external_id: str,
        record_id: str,
        payload: dict[str, Any],
        first_time: bool,
    ) -> None:
        values = dict(
            record_id=record_id,
            payload=payload,
            created_at=dt.datetime.now(dt.UTC),
            removed_at=None,
        )
        if first_time:
            row = dict(system=self.system, kind=kind, external_id=external_id, **values)
            connection.execute(records.insert().values(**row))
            return
        key = (*self._kind(kind), records.c.external_id == external_id)
        connection.execute(update(records).where(*key).values(**values))

    def _kind(self, kind: str) -> tuple[Any, ...]:
        return (records.c.system == self.system, records.c.kind == kind)
