"""The SuiteQL queries the simulated account answers: a fixed set, matched as written (spacing
aside), each string literal read as a parameter. Anything else is refused, so an adapter
cannot come to rely on a query nobody checked. Rows come back with every value as text, as
SuiteQL gives them, a checkbox as 'T' or 'F'. A credit memo's, a bill's or a vendor credit's
foreigntotal, and a document's foreignamountremaining, are reported positive here: their sign in
a real account is not confirmed, so an adapter should not depend on it. A custom field the
account does not define is refused, as SuiteQL refuses an unknown column."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from simulators.netsuite_books import (
    TRANSACTION_TYPES,
    NetSuiteBooks,
    Refusal,
    amount_remaining,
    sql_literals,
    sql_pattern,
    unapplied,
)

Rows = list[dict[str, str]]

CUSTOM_FIELD = re.compile(r"\bcustbody\w+", re.IGNORECASE)
OPEN_ITEMS = sql_pattern(
    "SELECT id, tranid, type, foreigntotal, currency, custbody_? FROM transaction"
    " WHERE type IN ('CustInvc', 'CustCred') AND subsidiary = '?' ORDER BY tranid"
)
PAYABLES = sql_pattern(
    "SELECT id, tranid, type, foreigntotal, currency FROM transaction"
    " WHERE type IN ('VendBill', 'VendCred') AND custbody_? = 'T' AND subsidiary = '?'"
    " ORDER BY tranid"
)
BY_NUMBER = sql_pattern(
    "SELECT id FROM transaction WHERE type = '?' AND tranid = '?' AND subsidiary = '?'"
)
DUE_BY_NUMBER = sql_pattern(
    "SELECT id, foreignamountremaining FROM transaction"
    " WHERE type = '?' AND tranid = '?' AND subsidiary = '?'"
)
OPEN_RECEIVABLES = sql_pattern(
    "SELECT id, type, foreignamountremaining, currency FROM transaction"
    " WHERE type IN ('CustInvc', 'CustCred') AND entity = '?' ORDER BY id"
)
PAYMENTS = sql_pattern(
    "SELECT payment.id, payment.externalid,"
    " TO_CHAR(payment.trandate, 'YYYY-MM-DD') AS trandate,"
    " link.foreignamount, invoice.tranid AS appliedto, payment.currency"
    " FROM transaction payment"
    " JOIN previoustransactionlinelink link ON link.nextdoc = payment.id"
    " JOIN transaction invoice ON invoice.id = link.previousdoc"
    " WHERE payment.type = 'CustPymt' AND payment.subsidiary = '?'"
    " AND payment.trandate >= TO_DATE('?', 'YYYY-MM-DD')"
    " ORDER BY payment.trandate, payment.id"
)


def run_query(books: NetSuiteBooks, query: str) -> Rows:
    answers: list[tuple[Any, Callable[..., Rows]]] = [
        (OPEN_ITEMS, open_items),
        (PAYABLES, payables),
        (BY_NUMBER, by_number),
        (DUE_BY_NUMBER, due_by_number),
        (PAYMENTS, payments),
        (OPEN_RECEIVABLES, open_receivables),
    ]
    check_custom_fields(books, query)
    for pattern, answer in answers:
        literals = sql_literals(pattern, query)
        if literals is not None:
            return answer(books.snapshot(), *literals)
    raise Refusal(400, "INVALID_PARAMETER", f"This simulator does not answer the query: {query}")


def check_custom_fields(books: NetSuiteBooks, query: str) -> None:
    for name in CUSTOM_FIELD.findall(query):
        if name.lower() not in books.custom_fields:
            raise Refusal(400, "INVALID_PARAMETER", f"Unknown identifier {name} in the query.")


def of_subsidiary(transactions: list[dict[str, Any]], subsidiary: str) -> list[dict[str, Any]]:
    return [t for t in transactions if t["subsidiary"]["id"] == subsidiary]


def open_items(transactions: list[dict[str, Any]], custom_field: str, subsidiary: str) -> Rows:
    found = [
        {
            "id": t["id"],
            "tranid": t["tranId"],
            "type": TRANSACTION_TYPES[t["recordType"]],
            "foreigntotal": f"{t['total']:f}",
            "currency": t["currency"]["id"],
            custom_field: checkbox(t[custom_field]),
        }
        for t in of_subsidiary(transactions, subsidiary)
        if t["recordType"] in ("invoice", "creditMemo")
    ]
    return sorted(found, key=lambda row: row["tranid"])


def payables(transactions: list[dict[str, Any]], custom_field: str, subsidiary: str) -> Rows:
    found = [
        {
            "id": t["id"],
            "tranid": t["tranId"],
            "type": TRANSACTION_TYPES[t["recordType"]],
            "foreigntotal": f"{t['total']:f}",
            "currency": t["currency"]["id"],
        }
        for t in of_subsidiary(transactions, subsidiary)
        if t["recordType"] in ("vendorBill", "vendorCredit") and t[custom_field]
    ]
    return sorted(found, key=lambda row: row["tranid"])


def checkbox(value: bool) -> str:
    return "T" if value else "F"


def of_number(
    transactions: list[dict[str, Any]], type_code: str, number: str, subsidiary: str
) -> list[dict[str, Any]]:
    return [
        t
        for t in of_subsidiary(transactions, subsidiary)
        if TRANSACTION_TYPES[t["recordType"]] == type_code and t["tranId"] == number
    ]


def by_number(transactions: list[dict[str, Any]], *literals: str) -> Rows:
    return [{"id": t["id"]} for t in of_number(transactions, *literals)]


def due_by_number(transactions: list[dict[str, Any]], *literals: str) -> Rows:
    return [
        {"id": t["id"], "foreignamountremaining": f"{amount_remaining(transactions, t):f}"}
        for t in of_number(transactions, *literals)
    ]


def open_receivables(transactions: list[dict[str, Any]], customer_id: str) -> Rows:
    """What is still open of each of a customer's invoices and credit memos."""
    found = [
        {
            "id": t["id"],
            "type": TRANSACTION_TYPES[t["recordType"]],
            "foreignamountremaining": f"{open_amount(transactions, t):f}",
            "currency": t["currency"]["id"],
        }
        for t in transactions
        if t["recordType"] in ("invoice", "creditMemo") and t["entity"]["id"] == customer_id
    ]
    return sorted(found, key=lambda row: int(row["id"]))


def open_amount(transactions: list[dict[str, Any]], transaction: dict[str, Any]) -> Decimal:
    if transaction["recordType"] == "creditMemo":
        return unapplied(transactions, transaction)
    return amount_remaining(transactions, transaction)


def payments(transactions: list[dict[str, Any]], subsidiary: str, since: str) -> Rows:
    by_id = {t["id"]: t for t in transactions}
    return [
        {
            "id": t["id"],
            "externalid": t["externalId"],
            "trandate": t["tranDate"],
            "foreignamount": f"{applied['amount']:f}",
            "appliedto": by_id[applied["doc"]["id"]]["tranId"],
            "currency": t["currency"]["id"],
        }
        for t in sorted(of_subsidiary(transactions, subsidiary), key=payment_order)
        if t["recordType"] == "customerPayment" and t["tranDate"] >= since
        for applied in t["apply"]["items"]
    ]


def payment_order(transaction: dict[str, Any]) -> tuple[str, int]:
    return transaction["tranDate"], int(transaction["id"])
