"""Lineage read straight from the tables that already keep each trace: engagements and their
keys, the call audit, the vendor call log, the sagas' step logs, the outbox and the exceptions.
Columns the exception lifecycle may add (a resolution note) are read when they exist."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from sqlalchemy import Column, Connection, Engine, Select, or_, select

from adapters.messaging.headers import CORRELATION_ID, EVENT_TYPE, header_value
from adapters.persistence.tables import (
    billable_events,
    call_records,
    engagements,
    exceptions,
    invoices,
    outbox,
    saga_steps,
    sagas,
    vendor_calls,
    work_packages,
)
from application.correlation import CONTEXT_KEY
from application.lineage import EntryKind, LineageEntry, LineageReaders, RelatedKeys

CHUNK = 500  # well under every database's limit on bound parameters
O2C, BROKER = "o2c", "nats"
NOTE_COLUMNS = ("resolution_note", "note", "resolution")


def sql_lineage_readers(engine: Engine) -> LineageReaders:
    @contextlib.contextmanager
    def reader() -> Iterator[SqlLineageReader]:
        with engine.connect() as connection:
            yield SqlLineageReader(connection)

    return reader


class SqlLineageReader:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def first(self, query: Select[Any]) -> str | None:
        found = self.connection.execute(query.limit(1)).scalar()
        return None if found is None else str(found)

    def engagement_by_id(self, key: str) -> str | None:
        return self.first(select(engagements.c.id).where(engagements.c.id == key))

    def engagement_by_opportunity(self, key: str) -> str | None:
        return self.first(select(engagements.c.id).where(engagements.c.opportunity_id == key))

    def engagement_by_project(self, key: str) -> str | None:
        column = work_packages.c.psa_project_id
        return self.first(select(work_packages.c.engagement_id).where(column == key))

    def engagement_by_invoice(self, key: str) -> str | None:
        named = or_(invoices.c.number == key, invoices.c.id == key)
        return self.first(select(invoices.c.engagement_id).where(named))

    def business_key_by_external_ref(self, key: str) -> str | None:
        query = (
            select(sagas.c.business_key)
            .join(saga_steps, saga_steps.c.saga_id == sagas.c.id)
            .where(saga_steps.c.external_ref == key)
        )
        return self.first(query)

    def related(self, engagement_id: str) -> RelatedKeys:
        row = self.connection.execute(
            select(engagements.c.opportunity_id, engagements.c.legal_entity_code).where(
                engagements.c.id == engagement_id
            )
        ).one()
        return RelatedKeys(
            engagement_id=engagement_id,
            opportunity_id=row.opportunity_id,
            legal_entity_code=row.legal_entity_code,
            project_ids=self.values_of(work_packages.c.psa_project_id, engagement_id),
            invoice_ids=self.values_of(invoices.c.id, engagement_id),
            invoice_numbers=self.values_of(invoices.c.number, engagement_id),
            work_ids=self.values_of(billable_events.c.id, engagement_id)
            | self.values_of(billable_events.c.source_id, engagement_id),
        )

    def values_of(self, column: Column[Any], engagement_id: str) -> frozenset[str]:
        query = select(column).where(column.table.c.engagement_id == engagement_id)
        return frozenset(str(value) for value in self.connection.scalars(query) if value)

    def timeline(self, keys: frozenset[str]) -> list[LineageEntry]:
        saga_rows = self.rows(select(sagas), sagas.c.business_key, keys)
        saga_of = {row.id: row for row in saga_rows}
        correlations = {str(row.context.get(CONTEXT_KEY, "")) for row in saga_rows} - {""}
        return [
            *self.inbound_calls(keys, correlations),
            *self.vendor_calls(keys),
            *self.saga_steps(saga_of),
            *self.events(keys),
            *self.exceptions(keys),
        ]

    def rows(self, query: Select[Any], column: Any, values: Collection[str]) -> list[Any]:
        found: list[Any] = []
        ordered = sorted(values)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            found.extend(self.connection.execute(query.where(column.in_(chunk))))
        return found

    def inbound_calls(self, keys: frozenset[str], correlations: set[str]) -> Iterable[LineageEntry]:
        by_key = self.rows(select(call_records), call_records.c.business_key, keys)
        by_work = self.rows(select(call_records), call_records.c.correlation_id, correlations)
        unique = {row.id: row for row in [*by_key, *by_work]}
        for row in unique.values():
            yield LineageEntry(
                at=row.recorded_at,
                kind=EntryKind.INBOUND_CALL,
                system=row.calling_system or "",
                operation=row.method,
                status=row.code,
                business_key=row.business_key,
                correlation_id=row.correlation_id,
                detail=row.reason,
            )

    def vendor_calls(self, keys: frozenset[str]) -> Iterable[LineageEntry]:
        for row in self.rows(select(vendor_calls), vendor_calls.c.business_key, keys):
            yield LineageEntry(
                at=row.called_at,
                kind=EntryKind.VENDOR_CALL,
                system=row.system,
                operation=row.operation,
                status=row.status,
                business_key=row.business_key,
                latency_ms=row.latency_ms,
                attempt=row.attempt,
                correlation_id=row.correlation_id,
            )

    def saga_steps(self, saga_of: dict[str, Any]) -> Iterable[LineageEntry]:
        query = select(saga_steps).order_by(saga_steps.c.seq)
        for row in self.rows(query, saga_steps.c.saga_id, saga_of.keys()):
            saga = saga_of[row.saga_id]
            yield LineageEntry(
                at=row.recorded_at,
                kind=EntryKind.SAGA_STEP,
                system=saga.kind,
                operation=row.step,
                status=row.outcome.value,
                business_key=saga.business_key,
                attempt=row.attempts,
                correlation_id=str(saga.context.get(CONTEXT_KEY, "")),
                detail=" ".join(filter(None, (row.external_ref, row.detail))),
            )

    def events(self, keys: frozenset[str]) -> Iterable[LineageEntry]:
        query = select(outbox).order_by(outbox.c.seq)
        for row in self.rows(query, outbox.c.aggregate_id, keys):
            headers = row.headers or {}
            yield LineageEntry(
                at=row.created_at,
                kind=EntryKind.EVENT_PUBLISHED,
                system=BROKER,
                operation=row.subject,
                status="published" if row.published_at else "pending",
                business_key=row.aggregate_id,
                correlation_id=header_value(headers, CORRELATION_ID),
                detail=header_value(headers, EVENT_TYPE),
            )

    def exceptions(self, keys: frozenset[str]) -> Iterable[LineageEntry]:
        for row in self.rows(select(exceptions), exceptions.c.business_key, keys):
            yield from exception_entries(row._mapping)


def exception_entries(row: Any) -> Iterator[LineageEntry]:
    status = value_of(row["status"])
    common = {
        "system": O2C,
        "business_key": row["business_key"],
        "attempt": row["attempts"],
    }
    yield LineageEntry(
        at=row["created_at"],
        kind=EntryKind.EXCEPTION_PARKED,
        operation=f"{value_of(row['workflow'])} parked for {value_of(row['owner_role'])}",
        status=value_of(row["reason_code"]),
        detail=row["detail"],
        **common,
    )
    if row["resolved_at"] is not None:
        note = next((str(row[name]) for name in NOTE_COLUMNS if row.get(name)), "")
        yield LineageEntry(
            at=row["resolved_at"],
            kind=EntryKind.EXCEPTION_CLOSED,
            operation=f"{value_of(row['workflow'])} {status}",
            status=status,
            detail=note,
            **common,
        )


def value_of(stored: Any) -> str:
    return str(getattr(stored, "value", stored))
