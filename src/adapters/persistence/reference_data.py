"""Master data read from the ERPs, in SQL: one row per record, its fields as a JSON document.
Each replacement runs in a transaction of its own, so a sync that stops half way leaves every
kind it finished whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, insert, select, tuple_, update
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.tables import engagements, erp_reference_data
from application.reference_sync import EVERY_ENTITY, Counts, HeldRecord, ReferenceFilter

TABLE = erp_reference_data
COLUMNS = TABLE.c
CHUNK = 500  # ids to one IN list


class SqlReferenceData:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def replace(
        self,
        erp: str,
        kind: str,
        erp_legal_entity: str,
        records: Sequence[HeldRecord],
        now: dt.datetime,
    ) -> Counts:
        scope = [COLUMNS.erp == erp, COLUMNS.kind == kind]
        if erp_legal_entity != EVERY_ENTITY:
            scope.append(COLUMNS.erp_legal_entity == erp_legal_entity)
        with self.sessions.begin() as session:
            held = {
                (row.erp_legal_entity, row.key): row
                for row in session.execute(select(TABLE).where(*scope).with_for_update())
            }
            counts = [
                self.put(session, held.get((r.erp_legal_entity, r.key)), r, now) for r in records
            ]
            reported = {(r.erp_legal_entity, r.key) for r in records}
            gone = [
                key for key, row in held.items() if key not in reported and row.removed_at is None
            ]
            for entity, key in gone:
                session.execute(
                    update(TABLE)
                    .where(*scope, COLUMNS.erp_legal_entity == entity, COLUMNS.key == key)
                    .values(removed_at=now, synced_at=now)
                )
        return sum(counts, Counts()) + Counts(removed=len(gone))

    def put(self, session: Session, row: Any, record: HeldRecord, now: dt.datetime) -> Counts:
        values = {"external_id": record.external_id, "payload": dict(record.payload)}
        if row is None:
            session.execute(
                insert(TABLE).values(
                    erp=record.erp,
                    erp_legal_entity=record.erp_legal_entity,
                    kind=record.kind,
                    key=record.key,
                    synced_at=now,
                    **values,
                )
            )
            return Counts(created=1)
        if row.removed_at is None and all(row._mapping[k] == v for k, v in values.items()):
            return Counts(unchanged=1)
        session.execute(
            update(TABLE).where(*key_of(record)).values(synced_at=now, removed_at=None, **values)
        )
        return Counts(updated=1)

    def page(self, where: ReferenceFilter, after: str, limit: int) -> list[HeldRecord]:
        query = select(TABLE).where(*conditions(where), *beyond(after))
        order = (COLUMNS.erp, COLUMNS.erp_legal_entity, COLUMNS.kind, COLUMNS.key)
        with self.sessions() as session:
            rows = session.execute(query.order_by(*order).limit(limit))
            return [record_of(row) for row in rows]

    def engagement_legal_entities(self, account_ids: Sequence[str]) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        with self.sessions() as session:
            for start in range(0, len(account_ids), CHUNK):
                chunk = account_ids[start : start + CHUNK]
                query = (
                    select(engagements.c.account_id, engagements.c.legal_entity_code)
                    .where(engagements.c.account_id.in_(chunk))
                    .distinct()
                )
                for account_id, code in session.execute(query):
                    found.setdefault(account_id, set()).add(code)
        return {account: frozenset(codes) for account, codes in found.items()}


def key_of(record: HeldRecord) -> list[ColumnElement[bool]]:
    return [
        COLUMNS.erp == record.erp,
        COLUMNS.erp_legal_entity == record.erp_legal_entity,
        COLUMNS.kind == record.kind,
        COLUMNS.key == record.key,
    ]


def conditions(where: ReferenceFilter) -> list[ColumnElement[bool]]:
    equal = {
        COLUMNS.erp: where.erp,
        COLUMNS.erp_legal_entity: where.erp_legal_entity,
        COLUMNS.kind: where.kind,
        COLUMNS.external_id: where.external_id,
    }
    found = [column == value for column, value in equal.items() if value]
    if not where.include_removed:
        found.append(COLUMNS.removed_at.is_(None))
    return found


def beyond(after: str) -> list[ColumnElement[bool]]:
    """After a place given as "erp␟entity␟kind␟key", the listing's order."""
    if not after:
        return []
    erp, entity, kind, key = after.split("\x1f")
    columns = (COLUMNS.erp, COLUMNS.erp_legal_entity, COLUMNS.kind, COLUMNS.key)
    return [tuple_(*columns) > tuple_(erp, entity, kind, key)]


def record_of(row: Any) -> HeldRecord:
    return HeldRecord(
        erp=row.erp,
        erp_legal_entity=row.erp_legal_entity,
        kind=row.kind,
        key=row.key,
        external_id=row.external_id,
        payload=dict(row.payload),
        synced_at=row.synced_at,
        removed_at=row.removed_at,
    )
