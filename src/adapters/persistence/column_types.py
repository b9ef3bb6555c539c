"""Column types that store domain values faithfully on both SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal, InvalidOperation
from typing import Any

from google.protobuf.message import Message
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    ColumnElement,
    DateTime,
    Dialect,
    Enum,
    String,
    cast,
    func,
)
from sqlalchemy.types import TypeDecorator

from adapters.declared_lengths import max_length
from domain.billable_event import HOURS_DECIMALS
from domain.errors import DomainError
from domain.money import Money, exact
from domain.rate_card import RateCard, RoleRate
from domain.unit_price import UNIT_PRICE_DECIMALS
from o2c.v1 import common_pb2

ENUM_LENGTH = 32
SMALLEST_BIGINT, LARGEST_BIGINT = -(2**63), 2**63 - 1
BEYOND_64_BITS = "not a whole number within 64 bits"


class NotExactlyStored(ValueError):
    """A value that cannot be stored exactly, or a stored one that is not exact: never rounded."""

    def __init__(self, column: str, value: object, problem: str) -> None:
        super().__init__(f"column {column} holds {value!r}: {problem}")
        self.column = column


class WholeNumber(TypeDecorator[int]):
    """A 64-bit integer on both databases, refusing anything else in and out: SQLite would keep
    a REAL such as 1.5 in an INTEGER column, and Python ints have no upper bound."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, column: str) -> None:
        super().__init__()
        self.column = column

    def process_bind_param(self, value: int | None, dialect: Dialect) -> int | None:
        return None if value is None else whole_number(self.column, value)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else whole_number(self.column, value)


def whole_number(column: str, value: Any) -> int:
    if type(value) is not int or not SMALLEST_BIGINT <= value <= LARGEST_BIGINT:
        raise NotExactlyStored(column, value, BEYOND_64_BITS)
    return value


class ScaledDecimal(TypeDecorator[Decimal]):
    """A Decimal with at most `decimals` places, stored exactly as a whole number of 10^-decimals,
    so that SQL sums stay exact on every database."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, column: str, decimals: int) -> None:
        super().__init__()
        self.column = column
        self.decimals = decimals

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        scaled = value.scaleb(self.decimals, context=exact())
        if not scaled.is_finite() or scaled != scaled.to_integral_value():
            raise NotExactlyStored(self.column, value, f"more than {self.decimals} decimals")
        if not SMALLEST_BIGINT <= scaled <= LARGEST_BIGINT:
            raise NotExactlyStored(self.column, value, BEYOND_64_BITS)
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        units = whole_number(self.column, value)
        return Decimal(units).scaleb(-self.decimals, context=exact())


def declared_column(
    name: str, *declarations: tuple[type[Message], str], **options: Any
) -> Column[str]:
    """A string column as long as the longest API field it holds, e.g.
    `(ClosedWonOpportunity, "opportunity_id")`: the API's declaration is the only one.

    SQLite ignores a VARCHAR's length: a CHECK makes both databases refuse a longer value."""
    length = max(max_length(*field) for field in declarations)
    return Column(name, String(length), length_check(name, length), **options)


def length_check(column: str, length: int) -> CheckConstraint:
    return CheckConstraint(f"length({column}) <= {length}", name=f"{column}_length")


def exact_sum(column: Column[Any]) -> ColumnElement[Any]:
    """SUM of a whole-number column, zero when empty, typed as the column: PostgreSQL sums
    BIGINT as NUMERIC and SQLite as INTEGER, both exact; an overflow is an error on both."""
    return cast(func.coalesce(func.sum(column), 0), column.type)


def currency_column(prefix: str, *, nullable: bool = False) -> Column[str]:
    return declared_column(
        f"{prefix}_currency", (common_pb2.Money, "currency_code"), nullable=nullable
    )


def money_columns(prefix: str, *, nullable: bool = False) -> tuple[Column[str], Column[int]]:
    """Money as its currency and a whole number of that currency's minor units."""
    name = f"{prefix}_minor_units"
    currency = currency_column(prefix, nullable=nullable)
    return currency, Column(name, WholeNumber(name), nullable=nullable)


def unit_price_columns(prefix: str) -> tuple[Column[str], Column[Decimal]]:
    """A unit price as its currency and a whole number of hundred-millionths."""
    name = f"{prefix}_hundred_millionths"
    amount = Column(name, ScaledDecimal(name, UNIT_PRICE_DECIMALS), nullable=False)
    return currency_column(prefix), amount


def hours_column(*, nullable: bool = False) -> Column[Decimal]:
    """Hours in ten-thousandths, the finest a time entry may give."""
    name = "hours_ten_thousandths"
    return Column(name, ScaledDecimal(name, HOURS_DECIMALS), nullable=nullable)


class BlankAsNull(TypeDecorator[str]):
    """Text where "" (none given) is stored as NULL, as rows written before it was asked for."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return value or None

    def process_result_value(self, value: str | None, dialect: Dialect) -> str:
        return value or ""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stored_by_value(enum_class: type[enum.Enum], length: int = ENUM_LENGTH) -> Enum:
    return Enum(
        enum_class,
        values_callable=lambda members: [member.value for member in members],
        native_enum=False,
        length=length,
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
        try:
            return RateCard(value["currency"], tuple(role_rate(line) for line in value["rates"]))
        except (DomainError, KeyError, TypeError, InvalidOperation) as error:
            raise NotExactlyStored("rate_card", value, f"not a valid rate card ({error})") from None


def role_rate_json(rate: RoleRate) -> dict[str, str]:
    money = rate.hourly_rate
    return {"role": rate.role, "currency": money.currency, "amount": money.amount_text()}


def role_rate(line: dict[str, str]) -> RoleRate:
    amount = line["amount"]
    if not isinstance(amount, str):
        raise TypeError(f"amount {amount!r} is not a decimal string")
    return RoleRate(line["role"], Money(line["currency"], Decimal(amount)))
