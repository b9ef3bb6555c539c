"""Payables Open Interface Import: a run takes in every invoice of the Payables open interface
not yet processed, as a Payables invoice or as rejections, each rejection a code of the REJECT
CODE lookup written to AP_INTERFACE_REJECTIONS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from attrs import frozen
from sqlalchemy import Connection, Engine, func, select

from simulators.legacy_erp_payables_schema import (
    HEADERS,
    LINES,
    STATUS_PROCESSED,
    STATUS_REJECTED,
    interface_rejections,
    invoice_lines,
    invoice_lines_interface,
    invoices,
    invoices_interface,
    supplier_sites,
    suppliers,
)
from simulators.legacy_erp_validation import ALL_PERIODS_OPEN, ImportRules

LINE_TYPES = frozenset({"ITEM", "TAX", "FREIGHT", "MISCELLANEOUS"})
# Invoice types and whether their amount is negative: credit memos are, standard invoices not.
INVOICE_TYPES = {"STANDARD": False, "CREDIT": True}
Row = Mapping[str, Any]


@frozen
class PayablesRun:
    request_id: int
    imported: tuple[str, ...]  # invoice numbers
    rejected: tuple[str, ...]


@frozen
class Rejection:
    parent_table: str
    parent_id: int
    code: str


def run_payables_import(engine: Engine, rules: ImportRules = ALL_PERIODS_OPEN) -> PayablesRun:
    with engine.begin() as connection:
        request_id = next_request_id(connection)
        imported, rejected = [], []
        for header in unprocessed(connection):
            lines = lines_of(connection, header)
            rejections = header_rejections(connection, header, lines, rules) + [
                r for line in lines for r in line_rejections(line)
            ]
            if rejections:
                reject(connection, header, rejections, request_id)
                rejected.append(header["invoice_num"])
            else:
                import_invoice(connection, header, lines, request_id)
                imported.append(header["invoice_num"])
    return PayablesRun(request_id, tuple(imported), tuple(rejected))


def next_request_id(connection: Connection) -> int:
    last = connection.scalar(select(func.max(invoices_interface.c.request_id))) or 0
    return int(last) + 1


def unprocessed(connection: Connection) -> list[Row]:
    query = (
        select(invoices_interface)
        .where(invoices_interface.c.status.is_(None))
        .order_by(invoices_interface.c.invoice_id)
    )
    return [dict(row) for row in connection.execute(query).mappings()]


def lines_of(connection: Connection, header: Row) -> list[Row]:
    query = (
        select(invoice_lines_interface)
        .where(invoice_lines_interface.c.invoice_id == header["invoice_id"])
        .order_by(invoice_lines_interface.c.line_number)
    )
    return [dict(row) for row in connection.execute(query).mappings()]


def header_rejections(
    connection: Connection, header: Row, lines: Sequence[Row], rules: ImportRules
) -> list[Rejection]:
    vendor_id = supplier_id(connection, header)
    first_open = rules.first_open_gl_date
    checks = [
        (vendor_id is None, "INVALID SUPPLIER"),
        (vendor_id is not None and site_id(connection, header) is None, "INVALID SUPPLIER SITE"),
        (
            vendor_id is not None and invoice_id(connection, header, vendor_id) is not None,
            "DUPLICATE INVOICE NUMBER",
        ),
        (header["invoice_currency_code"] not in rules.currencies, "INVALID CURRENCY CODE"),
        (
            first_open is not None and accounting_date(header) < first_open,
            "ACCT DATE NOT IN OPEN PD",
        ),
        (wrong_sign(header), "INVALID INVOICE AMOUNT"),
        (
            sum((line["amount"] for line in lines), Decimal(0)) != header["invoice_amount"],
            "INVOICE AMOUNT INCORRECT",
        ),
    ]
    return [Rejection(HEADERS, header["invoice_id"], code) for broken, code in checks if broken]


def wrong_sign(header: Row) -> bool:
    """A standard invoice's amount is zero or more, a credit memo's below zero."""
    negative = INVOICE_TYPES.get(header["invoice_type_lookup_code"])
    amount: Decimal = header["invoice_amount"]
    return negative is not None and (amount < 0) != negative


def line_rejections(line: Row) -> list[Rejection]:
    if line["line_type_lookup_code"] in LINE_TYPES:
        return []
    return [Rejection(LINES, line["invoice_line_id"], "INVALID LINE TYPE LOOKUP")]


def accounting_date(header: Row) -> dt.date:
    """Payables defaults the GL date from the invoice date, and that from the day of import."""
    given: dt.date | None = header["gl_date"] or header["invoice_date"]
    return given or dt.date.today()


def supplier_id(connection: Connection, header: Row) -> int | None:
    return connection.scalar(
        select(suppliers.c.vendor_id).where(
            suppliers.c.segment1 == header["vendor_num"], suppliers.c.enabled_flag == "Y"
        )
    )


def site_id(connection: Connection, header: Row) -> int | None:
    return connection.scalar(
        select(supplier_sites.c.vendor_site_id)
        .join(suppliers, suppliers.c.vendor_id == supplier_sites.c.vendor_id)
        .where(
            suppliers.c.segment1 == header["vendor_num"],
            supplier_sites.c.vendor_site_code == header["vendor_site_code"],
            supplier_sites.c.org_id == header["org_id"],
            supplier_sites.c.pay_site_flag == "Y",
        )
    )


def invoice_id(connection: Connection, header: Row, vendor_id: int) -> int | None:
    return connection.scalar(
        select(invoices.c.invoice_id).where(
            invoices.c.vendor_id == vendor_id,
            invoices.c.invoice_num == header["invoice_num"],
            invoices.c.org_id == header["org_id"],
        )
    )


def reject(
    connection: Connection, header: Row, rejections: Sequence[Rejection], request_id: int
) -> None:
    connection.execute(
        interface_rejections.insert(),
        [
            {
                "parent_table": r.parent_table,
                "parent_id": r.parent_id,
                "reject_lookup_code": r.code,
                "request_id": request_id,
            }
            for r in rejections
        ],
    )
    mark(connection, header, STATUS_REJECTED, request_id)


def import_invoice(
    connection: Connection, header: Row, lines: Sequence[Row], request_id: int
) -> None:
    values = {
        name: header[name]
        for name in (
            "invoice_num",
            "invoice_type_lookup_code",
            "org_id",
            "invoice_currency_code",
            "invoice_amount",
            "source",
            "attribute_category",
            "attribute1",
            "attribute2",
            "attribute3",
        )
    }
    created = connection.execute(
        invoices.insert().values(
            **values,
            vendor_id=supplier_id(connection, header),
            vendor_site_id=site_id(connection, header),
            invoice_date=header["invoice_date"] or accounting_date(header),
            gl_date=accounting_date(header),
            request_id=request_id,
        )
    ).inserted_primary_key
    assert created is not None
    if lines:
        connection.execute(invoice_lines.insert(), lines_of_invoice(created[0], header, lines))
    mark(connection, header, STATUS_PROCESSED, request_id)


def lines_of_invoice(invoice: int, header: Row, lines: Sequence[Row]) -> list[dict[str, Any]]:
    return [
        {
            "invoice_id": invoice,
            "line_number": line["line_number"],
            "line_type_lookup_code": line["line_type_lookup_code"],
            "amount": line["amount"],
            "description": line["description"],
            "org_id": header["org_id"],
        }
        for line in lines
    ]


def mark(connection: Connection, header: Row, status: str, request_id: int) -> None:
    connection.execute(
        invoices_interface.update()
        .where(invoices_interface.c.invoice_id == header["invoice_id"])
        .values(status=status, request_id=request_id)
    )
