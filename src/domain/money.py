"""Money as Decimal in ISO-4217 minor units, with one rounding rule."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from attrs import field, frozen

from domain.errors import CurrencyMismatch, InvalidField, UnknownCurrency

ROUNDING = ROUND_HALF_UP

MINOR_UNITS: dict[str, int] = {
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CHF": 2,
    "CAD": 2,
    "AUD": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "INR": 2,
    "SGD": 2,
    "CNY": 2,
    "MXN": 2,
    "BRL": 2,
    "ZAR": 2,
    "JPY": 0,
    "KRW": 0,
    "CLP": 0,
    "ISK": 0,
    "KWD": 3,
    "BHD": 3,
    "OMR": 3,
    "JOD": 3,
    "TND": 3,
}


def check_currency(code: str, field_name: str = "currency_code") -> str:
    if code not in MINOR_UNITS:
        raise UnknownCurrency(
            f"unknown currency {code!r}", field=field_name, keys={"currency": code}
        )
    return code


def parse_decimal(text: str, field_name: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise InvalidField(f"{field_name} must be a decimal number", field=field_name) from None
    if not value.is_finite():
        raise InvalidField(f"{field_name} must be a finite number", field=field_name)
    return value


def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-MINOR_UNITS[currency])


def _check_precision(money: Money, _attribute: object, amount: Decimal) -> None:
    check_currency(money.currency)
    if amount != amount.quantize(_quantum(money.currency), rounding=ROUNDING):
        raise InvalidField(
            f"{amount} has more decimals than {money.currency} allows",
            keys={"amount": str(amount), "currency": money.currency},
        )


@frozen
class Money:
    currency: str = field(validator=lambda _i, _a, code: check_currency(code))
    amount: Decimal = field(converter=Decimal, validator=_check_precision)

    @classmethod
    def parse(cls, text: str, currency: str, field_name: str) -> Money:
        check_currency(currency, field_name + ".currency_code")
        amount = parse_decimal(text, field_name + ".amount")
        try:
            return cls(currency, amount)
        except InvalidField as error:
            raise InvalidField(error.message, field=field_name + ".amount") from None

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        check_currency(currency)
        return cls(currency, Decimal(amount).quantize(_quantum(currency), rounding=ROUNDING))

    def times(self, quantity: Decimal) -> Money:
        return Money.of(self.amount * quantity, self.currency)

    def __add__(self, other: Money) -> Money:
        self.check_same_currency(other)
        return Money.of(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self.check_same_currency(other)
        return Money.of(self.amount - other.amount, self.currency)

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
        return f"{self.amount:.{MINOR_UNITS[self.currency]}f}"

    def __str__(self) -> str:
        return f"{self.amount_text()} {self.currency}"
