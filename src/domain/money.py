"""Money as Decimal in ISO-4217 minor units, with one rounding rule."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal
from typing import TypeVar

from attrs import field, frozen
from iso4217 import Currency

from domain.errors import CurrencyMismatch, InvalidField, UnknownCurrency

P = TypeVar("P")
ROUNDING = ROUND_HALF_UP
# An amount is at most 18 digits counted in its smallest unit: what 64 bits always hold.
MAX_DIGITS = 18
# Any number written out in digits has its first digit within this many places of the point.
MAX_MAGNITUDE = 64
DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


# One context, never changed (its flags aside), rather than one built for every operation.
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUNDING)


def exact() -> Context:
    """Sums and products never round here: the one rounding is the explicit `rounded()`."""
    return EXACT


@functools.lru_cache(maxsize=1024)
def minor_digits(code: str) -> int | None:
    """ISO-4217's minor unit digits; None for an unknown code or one without minor units (XAU).
    Asked for every amount built, so remembered per code (bounded: callers send codes)."""
    try:
        return Currency(code).exponent
    except ValueError:
        return None


def check_currency(code: str, field_name: str = "currency_code") -> str:
    digits_of(code, field_name)
    return code


def digits_of(currency: str, field_name: str = "currency_code") -> int:
    digits = minor_digits(currency)
    if digits is None:
        raise UnknownCurrency(
            f"unknown currency {currency!r}", field=field_name, keys={"currency": currency}
        )
    return digits


def parse_decimal(text: str, field_name: str) -> Decimal:
    """Plain decimal text only: ASCII digits, an optional minus and decimal point ("1250.00").
    Exponents, spaces, underscores, signs and other scripts' digits are refused, so that a typo
    such as "1_000" is never read as a number."""
    if not DECIMAL_TEXT.fullmatch(text):
        raise InvalidField(
            f"{field_name} must be a plain decimal number such as 1250.00", field=field_name
        )
    value = Decimal(text)
    if abs(value.adjusted()) > MAX_MAGNITUDE:
        raise InvalidField(f"{field_name} is out of range", field=field_name)
    return value


@functools.lru_cache(maxsize=64)
def quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def rounded(amount: Decimal, decimals: int) -> Decimal:
    return amount.quantize(quantum(decimals), context=exact())


def check_size(amount: Decimal, decimals: int, currency: str) -> None:
    """At most `MAX_DIGITS` digits in all; checked before any rounding, so that no exponent
    can make the exact arithmetic grow without bound."""
    if amount.is_finite() and amount.adjusted() + decimals >= MAX_DIGITS:
        raise InvalidField(
            f"{amount} {currency} is larger than the {MAX_DIGITS} digits an amount may have",
            keys={"amount": str(amount), "currency": currency},
        )


def check_decimals(amount: Decimal, decimals: int, currency: str) -> None:
    check_size(amount, decimals, currency)
    if not amount.is_finite() or amount != rounded(amount, decimals):
        raise InvalidField(
            f"{amount} has more than {decimals} decimals for {currency}",
            keys={"amount": str(amount), "currency": currency},
        )


def parse_priced(
    build: Callable[[str, Decimal], P], text: str, currency: str, field_name: str
) -> P:
    """A caller's currency code and decimal text as `build(currency, amount)`, each refusal
    naming `field_name.currency_code` or `field_name.amount`."""
    check_currency(currency, field_name + ".currency_code")
    amount = parse_decimal(text, field_name + ".amount")
    try:
        return build(currency, amount)
    except InvalidField as error:
        raise InvalidField(error.message, field=field_name + ".amount") from None


def _check_precision(money: Money, _attribute: object, amount: Decimal) -> None:
    check_decimals(amount, digits_of(money.currency), money.currency)


@frozen
class Money:
    currency: str = field(validator=lambda _i, _a, code: check_currency(code))
    amount: Decimal = field(converter=Decimal, validator=_check_precision)

    @classmethod
    def parse(cls, text: str, currency: str, field_name: str) -> Money:
        return parse_priced(cls, text, currency, field_name)

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """The amount rounded to the currency's minor units, half up: the one rounding rule."""
        digits = digits_of(currency)
        check_size(Decimal(amount), digits, currency)
        return cls(currency, rounded(Decimal(amount), digits))

    @classmethod
    def from_minor_units(cls, currency: str, units: int) -> Money:
        return cls(currency, Decimal(units).scaleb(-digits_of(currency), context=exact()))

    def minor_units(self) -> int:
        return int(self.amount.scaleb(digits_of(self.currency), context=exact()))

    def times(self, quantity: Decimal) -> Money:
        return Money.of(exact().multiply(self.amount, quantity), self.currency)

    def __add__(self, other: Money) -> Money:
        self.check_same_currency(other)
        return Money(self.currency, exact().add(self.amount, other.amount))

    def __sub__(self, other: Money) -> Money:
        self.check_same_currency(other)
        return Money(self.currency, exact().subtract(self.amount, other.amount))

    def __neg__(self) -> Money:
        return Money(self.currency, -self.amount)

    def is_negative(self) -> bool:
        return self.amount < 0

    def is_positive(self) -> bool:
        return self.amount > 0

    def check_same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"cannot combine {self.currency} with {other.currency}",
                keys={"left": self.currency, "right": other.currency},
            )

    def amount_text(self) -> str:
        return f"{rounded(self.amount, digits_of(self.currency)):f}"

    def __str__(self) -> str:
        return f"{self.amount_text()} {self.currency}"


@functools.lru_cache(maxsize=1024)
def zero_in(currency: str) -> Money:
    """Nothing, in `currency`: one value per currency, as Money never changes."""
    return Money.of(0, currency)
