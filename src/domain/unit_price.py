"""A price or rate per unit, with more digits than its currency: 0.0004 USD per API call."""

from __future__ import annotations

from decimal import Decimal

from attrs import field, frozen

from domain.money import Money, check_currency, check_decimals, exact, parse_priced

UNIT_PRICE_DECIMALS = 8


def _check_decimals(price: UnitPrice, _attribute: object, amount: Decimal) -> None:
    check_decimals(amount, UNIT_PRICE_DECIMALS, price.currency)


@frozen
class UnitPrice:
    currency: str = field(validator=lambda _i, _a, code: check_currency(code))
    amount: Decimal = field(converter=Decimal, validator=_check_decimals)

    @classmethod
    def parse(cls, text: str, currency: str, field_name: str) -> UnitPrice:
        return parse_priced(cls, text, currency, field_name)

    @classmethod
    def of_money(cls, money: Money) -> UnitPrice:
        return cls(money.currency, money.amount)

    def times(self, quantity: Decimal) -> Money:
        """The exact product, rounded once to the currency's minor units."""
        return Money.of(exact().multiply(self.amount, quantity), self.currency)

    def amount_text(self) -> str:
        """Every significant digit and no more, e.g. "187.3333" or "0.0004"."""
        text = f"{self.amount.normalize(exact()):f}"
        return text if text != "-0" else "0"

    def __str__(self) -> str:
        return f"{self.amount_text()} {self.currency} per unit"
