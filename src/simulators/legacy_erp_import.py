"""The import job: AutoInvoice, a run of which takes in every NEW interface row (each
transaction with its payment schedule), and Payables Open Interface Import after it, both run on
a schedule by a thread."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from decimal import Decimal

from attrs import define, field, frozen
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from simulators.legacy_erp_credit import open_schedule
from simulators.legacy_erp_payables import run_payables_import
from simulators.legacy_erp_schema import (
    STATUS_ERROR,
    STATUS_IMPORTED,
    STATUS_NEW,
    customer_trx,
    interface_errors,
    interface_lines,
)
from simulators.legacy_erp_validation import (
    ALL_PERIODS_OPEN,
    ImportRules,
    InterfaceError,
    Row,
    class_of,
    customer_id,
    numbered,
    original_trx_id,
    validation_errors,
)


@frozen
class ImportRun:
    request_id: int
    imported: tuple[str, ...]  # transaction numbers
    refused: tuple[str, ...]


def run_import(engine: Engine, rules: ImportRules = ALL_PERIODS_OPEN) -> ImportRun:
    """One run: every NEW interface row, grouped by org and transaction number, imported as one
    transaction or refused with its errors. Invoices go before credit memos, so a credit memo
    may credit an invoice of the same run."""
    with engine.begin() as connection:
        request_id = next_request_id(connection)
        imported, refused = [], []
        for group in new_groups(connection):
            errors = validation_errors(connection, group, rules)
            if errors:
                refuse(connection, group, errors, request_id)
                refused.append(group[0]["trx_number"] or group[0]["interface_line_attribute1"])
            else:
                imported.append(import_group(connection, group, request_id, rules))
    return ImportRun(request_id, tuple(imported), tuple(refused))


def next_request_id(connection: Connection) -> int:
    last = connection.scalar(select(func.max(customer_trx.c.request_id))) or 0
    last_line = connection.scalar(select(func.max(interface_lines.c.request_id))) or 0
    return max(last, last_line) + 1


def new_groups(connection: Connection) -> list[list[Row]]:
    rows = connection.execute(
        select(interface_lines)
        .where(interface_lines.c.interface_status == STATUS_NEW)
        .order_by(interface_lines.c.interface_line_id)
    ).mappings()
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in map(dict, rows):
        groups.setdefault(grouped_by(row), []).append(row)
    return sorted(groups.values(), key=lambda g: class_of(g[0]) == "CM")


def grouped_by(row: Row) -> tuple[str, ...]:
    """By transaction number; a transaction the import numbers itself, by its feeder's key."""
    if row["trx_number"]:
        return (row["org_id"], row["trx_number"])
    return (
        row["org_id"],
        row["batch_source_name"],
        row["interface_line_context"],
        row["interface_line_attribute1"],
        row["interface_line_attribute2"],
    )


def refuse(
    connection: Connection, group: Sequence[Row], errors: Iterable[InterfaceError], request_id: int
) -> None:
    connection.execute(
        interface_errors.insert(),
        [
            {
                "interface_line_id": e.interface_line_id,
                "message_text": e.message,
                "invalid_value": e.invalid_value[:240],
            }
            for e in errors
        ],
    )
    mark(connection, group, STATUS_ERROR, request_id, None)


def import_group(
    connection: Connection, group: Sequence[Row], request_id: int, rules: ImportRules
) -> str:
    """The transaction made of the group's lines; its number."""
    head = group[0]
    automatic = numbered(head, rules)
    values = {
        # numbered after the insert, from the transaction's id (a sequence, in Oracle)
        "trx_number": f"#{head['interface_line_id']}" if automatic else head["trx_number"],
        "org_id": head["org_id"],
        "cust_trx_type": head["cust_trx_type_name"],
        "trx_date": head["trx_date"] or head["gl_date"],
        "gl_date": head["gl_date"],
        "bill_to_customer_id": customer_id(connection, head),
        "invoice_currency_code": head["currency_code"],
        "amount": sum((row["amount"] for row in group), Decimal(0)),
        "previous_customer_trx_id": original_trx_id(connection, head),
        "batch_source_name": head["batch_source_name"],
        "interface_header_context": head["interface_line_context"],
        "interface_header_attribute1": head["interface_line_attribute1"],
        "interface_header_attribute2": head["interface_line_attribute2"],
        "request_id": request_id,
    }
    created = connection.execute(customer_trx.insert().values(values)).inserted_primary_key
    assert created is not None
    mark(connection, group, STATUS_IMPORTED, request_id, created[0])
    number = number_given(connection, created[0]) if automatic else str(head["trx_number"])
    open_schedule(connection, created[0], {**values, "trx_number": number}, str(class_of(head)))
    return number


def number_given(connection: Connection, customer_trx_id: int) -> str:
    number = str(customer_trx_id)
    connection.execute(
        customer_trx.update()
        .where(customer_trx.c.customer_trx_id == customer_trx_id)
        .values(trx_number=number)
    )
    return number


def mark(
    connection: Connection,
    group: Sequence[Row],
    status: str,
    request_id: int,
    customer_trx_id: int | None,
) -> None:

    connection.execute(
        interface_lines.update()
        .where(interface_lines.c.interface_line_id.in_([row["interface_line_id"] for row in group]))
        .values(interface_status=status, request_id=request_id, customer_trx_id=customer_trx_id)
    )


@define
class ImportJob:
    """AutoInvoice and Payables Open Interface Import scheduled every `every` seconds in a
    thread; `stall(n)` makes the next n runs do nothing, as a concurrent manager stuck behind
    other requests would."""

    engine: Engine
    rules: ImportRules = ALL_PERIODS_OPEN
    every: float = 0.05
    runs: int = 0
    failed_runs: int = 0
    _stalled: int = 0
    _stop: threading.Event = field(factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(factory=threading.Lock)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="legacy-import", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def stall(self, cycles: int) -> None:
        with self._lock:
            self._stalled = cycles

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            if self._take_stalled_cycle():
                continue
            try:
                run_import(self.engine, self.rules)
                run_payables_import(self.engine, self.rules)
                self.runs += 1
            except SQLAlchemyError:
                self.failed_runs += 1

    def _take_stalled_cycle(self) -> bool:
        with self._lock:
            if self._stalled <= 0:
                return False
            self._stalled -= 1
            return True
