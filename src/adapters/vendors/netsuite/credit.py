"""A customer's credit as NetSuite keeps it: the customer record's creditLimit (in the
customer's currency, absent when there is none) and its Hold, creditHoldOverride; and what is
still open of the customer's invoices and credit memos (foreignamountremaining), read by SuiteQL.

A Hold of ON holds the customer whatever its balance. AUTO leaves the hold to NetSuite's own
check of the limit and the overdue balance when an order is entered, which o2c's credit check
makes for itself from the limit and the open receivables; so only ON reads as on hold."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.vendors.netsuite.payloads import CREDIT_MEMO, INVOICE, sql_text
from adapters.vendors.netsuite.settings import NetSuiteSettings
from application.erp_ports import CustomerCredit
from domain.money import Money

HELD = "ON"


def open_receivables_query(customer_id: str) -> str:
    return (
        "SELECT id, type, foreignamountremaining, currency FROM transaction"
        f" WHERE type IN ('{INVOICE}', '{CREDIT_MEMO}') AND entity = {sql_text(customer_id)}"
        " ORDER BY id"
    )


def customer_credit(
    customer: dict[str, Any], open_rows: list[dict[str, Any]], settings: NetSuiteSettings
) -> CustomerCredit:
    currency = settings.currency_code(str(customer["currency"]["id"]))
    limit = customer.get("creditLimit")
    owed = sum((open_amount(row, settings) for row in open_rows), Money.of(0, currency))
    return CustomerCredit(
        credit_limit=None if limit is None else Money.of(Decimal(str(limit)), currency),
        open_receivables=owed,
        on_hold=(customer.get("creditHoldOverride") or {}).get("id") == HELD,
        currency=currency,
    )


def open_amount(row: dict[str, Any], settings: NetSuiteSettings) -> Money:
    """The sign of what remains is not relied on: a credit memo's is negative, all else not."""
    remaining = abs(Decimal(str(row["foreignamountremaining"])))
    signed = -remaining if row["type"] == CREDIT_MEMO else remaining
    return Money.of(signed, settings.currency_code(str(row["currency"])))
