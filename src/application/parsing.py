"""Turning what a caller sent into domain values, naming the field that is wrong."""

from __future__ import annotations

import datetime as dt

from domain.errors import InvalidField


def required(value: str, field: str) -> str:
    if not value.strip():
        raise InvalidField(f"{field} is required", field=field)
    return value.strip()


def parse_date(value: str, field: str) -> dt.date:
    required(value, field)
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidField(f"{field} must be an ISO date (YYYY-MM-DD)", field=field) from None
