"""Column types that store domain values faithfully on both SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Enum, Numeric
from sqlalchemy.types import TypeDecorator

from domain.money import Money
from domain.rate_card import RateCard, RoleRate

ENUM_LENGTH = 32


def amount_type() -> Numeric[Decimal]:
    return Numeric(18, 3)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stored_by_value(enum_class: type[enum.Enum]) -> Enum:
    return Enum(
        enum_class,
        values_callable=lambda members: [member.value for member in members],
        native_enum=False,
        length=ENUM_LENGTH,
        validate_strings=True,
    )


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware in, UTC out — also on SQLite, which keeps no offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing to store a naive datetime: {value.isoformat()}")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class RateCardJson(TypeDecorator[RateCard]):
    """A rate card as JSON, amounts as decimal strings so no float ever touches them."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: RateCard | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return {"currency": value.currency, "rates": [role_rate_json(r) for r in value.rates]}

    def process_result_value(self, value: Any, dialect: Dialect) -> RateCard | None:
        if value is None:
            return None
        return RateCard(value["currency"], tuple(role_rate(line) for line in value["rates"]))


def role_rate_json(rate: RoleRate) -> dict[str, str]:
    money = rate.hourly_rate
    return {"role": rate.role, "currency": money.currency, "amount": str(money.amount)}


def role_rate(line: dict[str, str]) -> RoleRate:
    return RoleRate(line["role"], Money(line["currency"], Decimal(line["amount"])))
