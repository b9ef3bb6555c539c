"""A vendor system's records, kept in the sandbox_records table."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from adapters.persistence.orm import sandbox_records


class SandboxRecords:
    def __init__(self, engine: Engine, system: str) -> None:
        self.engine = engine
        self.system = system

    def upsert(self, kind: str, external_id: str, prefix: str, payload: dict[str, Any]) -> str:
        """Create by external id, or update the live record with that id; return its id."""
        existing = self.find(kind, external_id)
        if existing is not None:
            self._write(kind, external_id, payload)
            return existing
        try:
            return self._insert(
                kind, external_id, f"{prefix}-{uuid.uuid4().hex[:10].upper()}", payload
            )
        except IntegrityError:
            found = self.find(kind, external_id)
            if found is None:
                raise
            return found

    def find(self, kind: str, external_id: str) -> str | None:
        query = select(sandbox_records.c.record_id).where(
            *self._key(kind),
            sandbox_records.c.external_id == external_id,
            sandbox_records.c.removed_at.is_(None),
        )
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none()

    def remove(self, kind: str, record_id: str) -> None:
        statement = (
            update(sandbox_records)
            .where(*self._key(kind), sandbox_records.c.record_id == record_id)
            .values(removed_at=dt.datetime.now(dt.UTC))
        )
        with self.engine.begin() as connection:
            connection.execute(statement)

    def payload(self, kind: str, record_id: str) -> dict[str, Any] | None:
        query = select(sandbox_records.c.payload).where(
            *self._key(kind),
            sandbox_records.c.record_id == record_id,
            sandbox_records.c.removed_at.is_(None),
        )
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none()

    def _insert(self, kind: str, external_id: str, record_id: str, payload: dict[str, Any]) -> str:
        row = dict(
            system=self.system,
            kind=kind,
            external_id=external_id,
            record_id=record_id,
            payload=payload,
            created_at=dt.datetime.now(dt.UTC),
        )
        with self.engine.begin() as connection:
            removed = connection.execute(
                select(sandbox_records.c.record_id).where(
                    *self._key(kind), sandbox_records.c.external_id == external_id
                )
            ).scalar_one_or_none()
            if removed is not None:
                connection.execute(
                    update(sandbox_records)
                    .where(*self._key(kind), sandbox_records.c.external_id == external_id)
                    .values(
                        record_id=record_id,
                        payload=payload,
                        removed_at=None,
                        created_at=row["created_at"],
                    )
                )
            else:
                connection.execute(sandbox_records.insert().values(**row))
        return record_id

    def _write(self, kind: str, external_id: str, payload: dict[str, Any]) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(sandbox_records)
                .where(*self._key(kind), sandbox_records.c.external_id == external_id)
                .values(payload=payload)
            )

    def _key(self, kind: str) -> tuple[Any, ...]:
        return (sandbox_records.c.system == self.system, sandbox_records.c.kind == kind)
