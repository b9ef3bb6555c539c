"""Turning what a caller sent into domain values, naming the field that is wrong."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from domain.errors import DomainError, InvalidField
from domain.money import Money, parse_decimal


def required(value: str, field: str) -> str:
    if not value.strip():
        raise InvalidField(f"{field} is required", field=field)
    return value.strip()


def parse_quantity(value: str, field: str) -> Decimal:
    """Plain decimal text as sent, like an amount: surrounding spaces are refused, not dropped."""
    required(value, field)
    return parse_decimal(value, field)


def parse_date(value: str, field: str) -> dt.date:
    required(value, field)
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidField(f"{field} must be an ISO date (YYYY-MM-DD)", field=field) from None


def parse_money(amount: str, currency: str, field: str) -> Money:
    """Absent as a whole is "<field> is required"; half of it names the half that is missing."""
    if not amount.strip() and not currency.strip():
        required("", field)
    required(currency, field + ".currency_code")
    required(amount, field + ".amount")
    return Money.parse(amount, currency.strip(), field)


@contextmanager
def fields_renamed(old_prefix: str, new_prefix: str) -> Iterator[None]:
    """A domain rule names the field by its own path; the caller sent it under another."""
    try:
        yield
    except DomainError as error:
        if error.field.startswith(old_prefix):
            error.field = new_prefix + error.field.removeprefix(old_prefix)
        raise


@contextmanager
def fields_under(prefix: str) -> Iterator[None]:
    """A domain rule names the field within its aggregate; the caller sent it under `prefix`."""
    try:
        yield
    except DomainError as error:
        if prefix and error.field and not error.field.startswith(prefix):
            error.field = prefix + error.field
        raise
