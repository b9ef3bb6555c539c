"""What a chunk of the billing cycle reads and writes at once: its engagements in one
statement (their work packages and ERP accounts in one more each), its staged events in one
plain SELECT built straight into domain objects, and its invoiced events and new billed-work
records in a few set-based statements, never one row at a time."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Iterator, Sequence
from itertools import groupby
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Insert,
    Integer,
    Row,
    String,
    and_,
    any_,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import ClassManager, Session
from sqlalchemy.orm.attributes import manager_of_class

from adapters.persistence.billing_mapping import read_unit_price
from adapters.persistence.composite import stored_value
from adapters.persistence.tables import billable_events, billed_work, engagements
from domain.billable_event import BillableEvent, BillableEventStatus
from domain.engagement import Engagement
from domain.errors import ConcurrentUpdate
from domain.invoicing.billed_work import BilledWork
from domain.money import Money

# Bound parameters per statement: well inside PostgreSQL's 65,535 and SQLite's 32,766.
ROWS_PER_STATEMENT = 5000


class SqlBillingChunks:
    def __init__(self, session: Session) -> None:
        self.session = session

    def engagements(self, engagement_ids: Collection[str]) -> list[Engagement]:
        column = engagements.c.id
        query = select(Engagement).where(column.in_(sorted(engagement_ids))).order_by(column)
        return list(self.session.scalars(query))

    def staged(self, engagement_ids: Collection[str], through: dt.date) -> list[BillableEvent]:
        table = billable_events
        query = (
            select(table)
            .where(
                table.c.status == BillableEventStatus.STAGED,
                table.c.engagement_id.in_(sorted(engagement_ids)),
                table.c.work_date <= through,
            )
            .order_by(table.c.work_date, table.c.id)
        )
        self.session.flush()  # fees scheduled in this unit of work are staged events too
        rows = self.session.connection().execute(query)
        manager = manager_of_class(BillableEvent)
        return [event_of(row, manager) for row in rows]

    def write_invoiced(self, events: Sequence[BillableEvent]) -> None:
        """Events read by `staged` and marked invoiced since; each must still be the version
        read, or the chunk is refused and rolled back."""
        table = billable_events
        invoiced = sorted(
            (e for e in events if e.status is BillableEventStatus.INVOICED),
            key=lambda e: e.version,
        )
        for version, same in groupby(invoiced, key=lambda e: e.version):
            for ids in self.batches([e.id for e in same]):
                statement = (
                    update(table)
                    .where(and_(self.one_of(table.c.id, ids), table.c.version == version))
                    .values(status=BillableEventStatus.INVOICED, version=version + 1)
                )
                if self.session.connection().execute(statement).rowcount != len(ids):
                    raise ConcurrentUpdate("billable events changed while their chunk was billed")
        for event in invoiced:
            event.version += 1

    def on_postgresql(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def batches(self, ids: list[str]) -> Iterator[list[str]]:
        """All at once on PostgreSQL (one array parameter); elsewhere a few thousand at a time."""
        size = len(ids) if self.on_postgresql() else ROWS_PER_STATEMENT
        for start in range(0, len(ids), max(size, 1)):
            yield ids[start : start + size]

    def one_of(self, column: ColumnElement[str], ids: list[str]) -> ColumnElement[bool]:
        """PostgreSQL is given the ids as one array: a statement with thousands of parameters
        costs more to build and parse than to run."""
        if self.on_postgresql():
            return column == any_(bindparam("ids", ids, type_=ARRAY(String)))
        return column.in_(ids)

    def write_billed(self, records: Sequence[BilledWork]) -> None:
        """New billed-work records; their key forbids a charge on two invoices. PostgreSQL takes
        them as one array per column in one statement; elsewhere a batch of rows at a time."""
        if not records:
            return
        rows = [row_of(record) for record in records]
        if self.on_postgresql():
            self.session.connection().execute(inserted_as_arrays(rows))
            return
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            batch = rows[start : start + ROWS_PER_STATEMENT]
            self.session.connection().execute(insert(billed_work), batch)


def inserted_as_arrays(rows: Sequence[dict[str, object]]) -> Insert:
    """INSERT … SELECT … FROM unnest(one array per column): one statement, six parameters."""
    names = list(rows[0])
    arrays = [
        bindparam(name, [stored(row[name]) for row in rows], type_=ARRAY(array_type(name)))
        for name in names
    ]
    unnested = func.unnest(*arrays).table_valued(*names).render_derived(name="new_rows")
    return insert(billed_work).from_select(names, select(*unnested.c))


def array_type(name: str) -> type[Integer] | type[String]:
    return Integer if name == "times_invoiced" else String


def stored(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


def event_of(row: Row[Any], manager: ClassManager[BillableEvent]) -> BillableEvent:
    """The event as the mapping loads it: its fields put in place as the ORM's loader puts
    them (BillableEvent's __init__ only assigns, and an assignment to a mapped class costs
    more than reading the row), outside the identity map: the chunk writes it back itself."""
    table = billable_events.c
    event: Any = manager.new_instance()
    event.__dict__.update(
        id=row.id,
        source_system=row.source_system,
        source_id=row.source_id,
        engagement_id=row.engagement_id,
        kind=row.kind,
        resource=row.resource,
        role=row.role,
        work_date=row.work_date,
        hours=row.hours_ten_thousandths,
        rate=rate_of(row),
        amount=money_of(row, "amount", table.amount_currency),
        status=row.status,
        approved_at=row.approved_at,
        work_package_code=row.work_package_code,
        work=row.work,
        charges=row.charges,
        version=row.version,
        stored_unit_price=row.unit_price,
        events=[],
    )
    read_unit_price(event)  # as the mapping reads it on load: one place for the rule
    built: BillableEvent = event
    return built


def rate_of(row: Row[Any]) -> Money | None:
    if row.rate_currency is None and row.rate_minor_units is None:
        return None
    return money_of(row, "rate", billable_events.c.rate_currency)


def money_of(row: Row[Any], name: str, column: Any) -> Money:
    code, units = row._mapping[f"{name}_currency"], row._mapping[f"{name}_minor_units"]
    money: Money = stored_value(lambda: Money.from_minor_units(code, units), column, (code, units))
    return money


def row_of(record: BilledWork) -> dict[str, object]:
    return {
        "source_id": record.source_id,
        "kind": record.kind,
        "invoice_id": record.invoice_id,
        "status": record.status,
        "credit_note_id": record.credit_note_id,
        "times_invoiced": record.times_invoiced,
    }
