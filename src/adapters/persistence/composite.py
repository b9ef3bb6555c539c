"""Composites of attrs value objects, taken apart by their fields, so the domain stays plain."""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
from sqlalchemy import Column
from sqlalchemy.orm import Composite

from adapters.persistence.column_types import NotExactlyStored
from domain.errors import DomainError
from domain.money import Money
from domain.unit_price import UnitPrice


class AttrsComposite(Composite[Any]):
    """SQLAlchemy only knows how to take dataclasses apart; this one reads attrs fields.

    `build` makes the value from the column values when it is not simply the class itself;
    `take_apart` gives the column values when they are not simply its fields.
    """

    def __init__(
        self,
        value_class: type[Any],
        *columns: Column[Any],
        build: Callable[..., Any] | None = None,
        take_apart: Callable[[Any], tuple[Any, ...]] | None = None,
        **options: Any,
    ) -> None:
        self.value_class = value_class
        self.take_apart = take_apart
        super().__init__(build or value_class, *columns, **options)

    def _init_accessor(self) -> None:
        if self.take_apart is not None:
            self._generated_composite_accessor = self.take_apart
            return
        names = [field.name for field in attrs.fields(self.value_class)]
        getter = operator.attrgetter(*names)
        self._generated_composite_accessor = (
            getter if len(names) > 1 else lambda value: (getter(value),)
        )


def money_composite(currency: Column[str], minor_units: Column[int]) -> AttrsComposite:
    """Money as its currency and a whole number of minor units; read strictly, never rounded."""

    def build(code: str | None, units: int | None) -> Money | None:
        if code is None and units is None:  # a nullable pair, holding no money
            return None
        return stored_value(lambda: Money.from_minor_units(code, units), currency, (code, units))

    return AttrsComposite(Money, currency, minor_units, build=build, take_apart=money_columns_of)


def money_columns_of(money: Money) -> tuple[str, int]:
    return money.currency, money.minor_units()


def unit_price_composite(currency: Column[str], amount: Column[Decimal]) -> AttrsComposite:
    def build(code: str, value: Decimal) -> UnitPrice:
        return stored_value(lambda: UnitPrice(code, value), currency, (code, value))

    return AttrsComposite(UnitPrice, currency, amount, build=build)


def stored_value(make: Callable[[], Any], column: Column[Any], stored: tuple[Any, ...]) -> Any:
    try:
        return make()
    except DomainError as error:
        raise NotExactlyStored(qualified(column), stored, error.message) from error


def qualified(column: Column[Any]) -> str:
    table = getattr(column, "table", None)
    return f"{table.name}.{column.name}" if table is not None else column.name
