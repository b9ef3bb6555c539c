"""What one Zuora tenant holds, as its v1 REST API shows it: the product catalog and units of
measure the tenant is set up with, customer accounts (found by account number or id),
subscriptions (by subscription number or id) with their rate plan charges, usage records and
the imports that brought them, and invoices.

Errors are `Refusal`s in Zuora's envelope: `{"success": false, "processId": …, "reasons":
[{"code": …, "message": …}]}`. A code's last two digits say what went wrong (20 invalid value,
21 unknown field, 22 missing required field, 30 rule restriction, 40 not found, 70 request limit,
90 malformed request, 11 authentication)."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

ACCOUNTS, SUBSCRIPTIONS, USAGE, INVOICES, GENERAL = "500000", "531000", "590000", "600000", "900000"
INVALID, UNKNOWN_FIELD, MISSING, RULE, NOT_FOUND, LIMIT, MALFORMED, AUTHENTICATION = (
    20, 21, 22, 30, 40, 70, 90, 11,
)  # fmt: skip
PAYMENT_TERMS = frozenset({"Due Upon Receipt", "Net 15", "Net 30", "Net 45", "Net 60", "Net 90"})
BILLING_PERIODS = frozenset({"Month", "Quarter", "Annual", "Semi-Annual", "Week"})
TERM_PERIODS = frozenset({"Month", "Year", "Day", "Week"})


class Refusal(Exception):
    def __init__(self, status: int, prefix: str, category: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = int(f"{prefix}{category:02d}")
        self.message = message

    def body(self) -> dict[str, Any]:
        return {
            "success": False,
            "processId": uuid.uuid4().hex[:16].upper(),
            "reasons": [{"code": self.code, "message": self.message}],
        }


def refused(prefix: str, category: int, message: str) -> Refusal:
    """A business error: Zuora answers these with HTTP 200 unless told otherwise."""
    return Refusal(200, prefix, category, message)


@dataclass(frozen=True)
class CatalogCharge:
    product_rate_plan_id: str
    charge_type: str  # Recurring, Usage, OneTime
    charge_model: str  # Flat Fee Pricing, Per Unit Pricing
    uom: str = ""


def default_catalog() -> dict[str, CatalogCharge]:
    """The tenant's product rate plan charges, by productRatePlanChargeId."""
    return {
        "8a8082c4-fee": CatalogCharge("8a8082c4-services", "Recurring", "Flat Fee Pricing"),
        "8a8082c4-setup": CatalogCharge("8a8082c4-services", "OneTime", "Flat Fee Pricing"),
        "8a8082c4-hours": CatalogCharge("8a8082c4-services", "Usage", "Per Unit Pricing", "Hour"),
        "8a8082c4-days": CatalogCharge("8a8082c4-services", "Usage", "Per Unit Pricing", "Day"),
    }


@dataclass
class Tenant:
    catalog: dict[str, CatalogCharge] = field(default_factory=default_catalog)
    account_fields: frozenset[str] = frozenset({"o2c_LegalEntity__c"})  # custom fields
    subscription_fields: frozenset[str] = frozenset({"o2c_SubscriptionKey__c"})
    units: frozenset[str] = frozenset({"Hour", "Day", "Each"})
    date_format: str = "%m/%d/%Y"  # the integration user's locale, en_US
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)  # by id
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)  # by id
    usage: dict[str, dict[str, Any]] = field(default_factory=dict)  # by id
    imports: dict[str, dict[str, Any]] = field(default_factory=dict)  # by id
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)  # by id
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.RLock = field(default_factory=threading.RLock)

    @contextmanager
    def held(self) -> Iterator[None]:
        with self.lock:
            yield

    def account(self, key: str) -> dict[str, Any]:
        found = self.accounts.get(key) or next(
            (a for a in self.accounts.values() if a["accountNumber"] == key), None
        )
        if found is None:
            raise refused(ACCOUNTS, NOT_FOUND, f"Cannot find entity by key: '{key}'.")
        return found

    def subscription(self, key: str) -> dict[str, Any]:
        found = self.subscriptions.get(key) or next(
            (s for s in self.subscriptions.values() if s["subscriptionNumber"] == key), None
        )
        if found is None:
            raise refused(SUBSCRIPTIONS, NOT_FOUND, f"Cannot find entity by key: '{key}'.")
        return found

    def new_id(self) -> str:
        return uuid.uuid4().hex

    def next_number(self, prefix: str) -> str:
        return f"{prefix}{next(self.numbers):08d}"

    def held_unique_keys(self) -> set[str]:
        return {u["uniqueKey"] for u in self.usage.values() if u.get("uniqueKey")}


def required(body: dict[str, Any], prefix: str, *names: str) -> None:
    for name in names:
        if body.get(name) in (None, "", []):
            raise refused(prefix, MISSING, f"{name} is required.")


def known_fields(body: dict[str, Any], prefix: str, known: set[str] | frozenset[str]) -> None:
    for name in body:
        if name not in known:
            raise refused(prefix, UNKNOWN_FIELD, f"Field '{name}' is not recognized.")


def a_date(value: Any, prefix: str, name: str) -> str:
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise refused(prefix, INVALID, f"{name}: '{value}' is not a date yyyy-mm-dd.") from None


def a_number(value: Any, prefix: str, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise refused(prefix, INVALID, f"{name} must be a number.")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise refused(prefix, INVALID, f"{name}: '{value}' is not a number.") from None
    if not number.is_finite():
        raise refused(prefix, INVALID, f"{name}: '{value}' is not a number.")
    return number


def a_whole(value: Any, prefix: str, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise refused(prefix, INVALID, f"{name} must be a whole number from {low} to {high}.")
    return value


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
