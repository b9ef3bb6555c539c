"""Composites of attrs value objects, taken apart by their fields, so the domain stays plain."""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
from sqlalchemy import Column
from sqlalchemy.orm import Composite

from domain.money import Money


class AttrsComposite(Composite[Any]):
    """SQLAlchemy only knows how to take dataclasses apart; this one reads attrs fields.

    `build` makes the value from the column values when it is not simply the class itself.
    """

    def __init__(
        self,
        value_class: type[Any],
        *columns: Column[Any],
        build: Callable[..., Any] | None = None,
        **options: Any,
    ) -> None:
        self.value_class = value_class
        super().__init__(build or value_class, *columns, **options)

    def _init_accessor(self) -> None:
        names = [field.name for field in attrs.fields(self.value_class)]
        getter = operator.attrgetter(*names)
        self._generated_composite_accessor = (
            getter if len(names) > 1 else lambda value: (getter(value),)
        )


def money_from_columns(currency: str, amount: Decimal) -> Money:
    """Back to the currency's own minor units: the column keeps three decimals for all."""
    return Money.of(amount, currency)


def money_composite(currency: Column[str], amount: Column[Decimal]) -> AttrsComposite:
    return AttrsComposite(Money, currency, amount, build=money_from_columns)
