"""What AutoInvoice checks before it imports a transaction: each check names the column at
fault in its message, as the import's own errors do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from attrs import frozen
from sqlalchemy import Connection, select

from simulators.legacy_erp_schema import customer_accounts, customer_trx

ENABLED_CURRENCIES = frozenset({"USD", "GBP", "EUR", "CAD", "AUD", "CHF", "JPY", "SEK", "DKK"})
# The ERP's transaction types and their classes. A firm's intercompany invoices have a type of
# their own, so that they post to the intercompany receivable account, and so do the credit
# memos against them.
TRANSACTION_TYPES = {"INV": "INV", "CM": "CM", "INTERCOMPANY": "INV", "INTERCOMPANY CM": "CM"}
INVOICE_TYPES = tuple(name for name, kind in TRANSACTION_TYPES.items() if kind == "INV")
LINE_TYPES = frozenset({"LINE", "TAX"})


@frozen
class ImportRules:
    currencies: frozenset[str] = ENABLED_CURRENCIES
    first_open_gl_date: dt.date | None = None  # GL dates before it fall in a closed period
    # Batch sources with Automatic Transaction Numbering: the import numbers their transactions.
    numbered_sources: frozenset[str] = frozenset({"O2C INTERCOMPANY"})


ALL_PERIODS_OPEN = ImportRules()
Row = Mapping[str, Any]


@frozen
class InterfaceError:
    interface_line_id: int
    message: str
    invalid_value: str


def validation_errors(
    connection: Connection, group: Sequence[Row], rules: ImportRules
) -> list[InterfaceError]:
    head = group[0]
    return [
        *header_errors(connection, group, rules),
        *(error for row in group for error in line_errors(row, head, rules)),
    ]


def header_errors(
    connection: Connection, group: Sequence[Row], rules: ImportRules
) -> list[InterfaceError]:
    head = group[0]
    checks = [
        (
            len({source_of(row) for row in group}) > 1,
            "Lines of one transaction number come from different sources",
            head["trx_number"] or "",
        ),
        (
            customer_id(connection, head) is None,
            "Invalid bill-to customer reference (ORIG_SYSTEM_BILL_CUSTOMER_REF)",
            head["orig_system_bill_customer_ref"],
        ),
        (
            not numbered(head, rules) and not head["trx_number"],
            "You must supply a transaction number for this batch source (TRX_NUMBER)",
            head["batch_source_name"],
        ),
        (
            not numbered(head, rules)
            and trx_id(connection, head["org_id"], head["trx_number"]) is not None,
            "Transaction number already exists for this batch source (TRX_NUMBER)",
            head["trx_number"] or "",
        ),
        (
            class_of(head) == "CM" and original_trx_id(connection, head) is None,
            "Invalid credit memo reference: the credited transaction does not exist",
            head["reference_line_attribute1"] or "",
        ),
    ]
    return [InterfaceError(head["interface_line_id"], m, v) for broken, m, v in checks if broken]


def numbered(head: Row, rules: ImportRules) -> bool:
    return head["batch_source_name"] in rules.numbered_sources


def class_of(row: Row) -> str | None:
    return TRANSACTION_TYPES.get(row["cust_trx_type_name"])


def line_errors(row: Row, head: Row, rules: ImportRules) -> list[InterfaceError]:
    checks = [
        (row["line_type"] not in LINE_TYPES, "Invalid LINE_TYPE", row["line_type"]),
        (
            row["cust_trx_type_name"] not in TRANSACTION_TYPES,
            "Invalid transaction type (CUST_TRX_TYPE_NAME)",
            row["cust_trx_type_name"],
        ),
        (
            row["currency_code"] not in rules.currencies,
            "Invalid currency code (CURRENCY_CODE)",
            row["currency_code"],
        ),
        (
            any(row[name] != head[name] for name in HEADER_FIELDS),
            "Lines of one transaction must agree on its header fields",
            row["trx_number"] or row["interface_line_attribute1"],
        ),
        (row["gl_date"] is None, "GL_DATE is required", ""),
        (
            in_closed_period(row, rules),
            "GL date is in a closed period (GL_DATE)",
            f"{row['gl_date']}",
        ),
        (wrong_sign(row), "Amount sign does not match the transaction type", f"{row['amount']}"),
        (
            not amount_adds_up(row),
            "Amount must equal quantity times unit selling price (AMOUNT)",
            f"{row['amount']}",
        ),
    ]
    return [InterfaceError(row["interface_line_id"], m, v) for broken, m, v in checks if broken]


HEADER_FIELDS = (
    "currency_code",
    "cust_trx_type_name",
    "trx_date",
    "gl_date",
    "orig_system_bill_customer_ref",
    "batch_source_name",
)


def source_of(row: Row) -> tuple[str, str, str]:
    return (
        row["interface_line_context"],
        row["interface_line_attribute1"],
        row["interface_line_attribute2"],
    )


def in_closed_period(row: Row, rules: ImportRules) -> bool:
    first_open = rules.first_open_gl_date
    return row["gl_date"] is not None and first_open is not None and row["gl_date"] < first_open


def wrong_sign(row: Row) -> bool:
    amount: Decimal | None = row["amount"]
    if amount is None:
        return True
    kind = class_of(row)
    return (kind == "INV" and amount < 0) or (kind == "CM" and amount > 0)


def amount_adds_up(row: Row) -> bool:
    if row["line_type"] != "LINE":
        return row["amount"] is not None
    quantity, price = row["quantity"], row["unit_selling_price"]
    return None not in (quantity, price, row["amount"]) and bool(quantity * price == row["amount"])


def customer_id(connection: Connection, head: Row) -> int | None:
    return connection.scalar(
        select(customer_accounts.c.cust_account_id).where(
            customer_accounts.c.orig_system_reference == head["orig_system_bill_customer_ref"],
            customer_accounts.c.org_id == head["org_id"],
        )
    )


def trx_id(connection: Connection, org_id: str, trx_number: str) -> int | None:
    return connection.scalar(
        select(customer_trx.c.customer_trx_id).where(
            customer_trx.c.org_id == org_id, customer_trx.c.trx_number == trx_number
        )
    )


def original_trx_id(connection: Connection, head: Row) -> int | None:
    return connection.scalar(
        select(customer_trx.c.customer_trx_id).where(
            customer_trx.c.org_id == head["org_id"],
            customer_trx.c.cust_trx_type.in_(INVOICE_TYPES),
            customer_trx.c.interface_header_context == head["reference_line_context"],
            customer_trx.c.interface_header_attribute1 == head["reference_line_attribute1"],
        )
    )
