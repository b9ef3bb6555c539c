"""Rates by role and currency, each effective from a date, with a discount or a blended rate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from attrs import field, frozen

from domain.errors import (
    CurrencyMismatch,
    InvalidField,
    NoRateInEffect,
    RatesOverlap,
    RoleNotOnRateCard,
)
from domain.money import Money, check_currency, exact
from domain.rate_card import RateCard
from domain.unit_price import UnitPrice

FIELD = "rate_card"
HUNDRED = Decimal(100)


@frozen
class Rate:
    """One role's rate in one currency, in effect from a day until an optional last day."""

    role: str
    price: UnitPrice
    effective_from: dt.date
    effective_until: dt.date | None = None

    @property
    def currency(self) -> str:
        return self.price.currency

    def is_in_effect(self, on: dt.date) -> bool:
        return self.effective_from <= on and (
            self.effective_until is None or on <= self.effective_until
        )


@frozen
class Discount:
    """A percentage off every rate, kept exact: 12.5 is 12.5 %, never 0.125000001."""

    percent: Decimal = field(converter=Decimal)

    def __attrs_post_init__(self) -> None:
        if not (self.percent.is_finite() and 0 < self.percent < HUNDRED):
            raise InvalidField(
                f"a discount is more than 0 and less than 100 percent, got {self.percent}",
                field=f"{FIELD}.discount.percent",
            )

    def factor(self) -> Decimal:
        return exact().divide(HUNDRED - self.percent, HUNDRED)


BLENDED = "*"


@frozen
class BillingRateCard:
    """Role x currency → rate; a blended rate is one rate for every role (role `BLENDED`)."""

    rates: tuple[Rate, ...]
    discount: Discount | None = None

    def __attrs_post_init__(self) -> None:
        check_rates(self.rates)

    @classmethod
    def blended(
        cls, price: UnitPrice, effective_from: dt.date, discount: Discount | None = None
    ) -> BillingRateCard:
        return cls((Rate(BLENDED, price, effective_from),), discount)

    @classmethod
    def from_flat(cls, card: RateCard, effective_from: dt.date) -> BillingRateCard:
        """Today's engagement rate card, every rate in effect from `effective_from`."""
        return cls(
            tuple(
                Rate(line.role, UnitPrice.of_money(line.hourly_rate), effective_from)
                for line in card.rates
            )
        )

    def currencies(self) -> frozenset[str]:
        return frozenset(rate.currency for rate in self.rates)

    def covers(self, role: str, currency: str) -> bool:
        return any(
            rate.currency == currency and rate.role in (role, BLENDED) for rate in self.rates
        )

    def check_covers(self, roles: Iterable[str], currency: str, field_name: str) -> None:
        if currency not in self.currencies():
            raise CurrencyMismatch(
                f"the rate card has no rates in {currency}",
                field=field_name,
                keys={"currency": currency},
            )
        for role in roles:
            if not self.covers(role, currency):
                raise RoleNotOnRateCard(
                    f"role {role!r} has no {currency} rate on the rate card",
                    field=field_name,
                    keys={"role": role, "currency": currency},
                )

    def rate_for(self, role: str, currency: str, on: dt.date) -> UnitPrice:
        """The undiscounted rate in effect on the day of the work."""
        if not self.covers(role, currency):
            raise RoleNotOnRateCard(
                f"role {role!r} has no {currency} rate on the rate card",
                field="time_entry.role",
                keys={"role": role, "currency": currency},
            )
        in_effect = [
            rate
            for rate in self.rates
            if rate.role in (role, BLENDED) and rate.currency == currency and rate.is_in_effect(on)
        ]
        if in_effect:
            return max(in_effect, key=lambda rate: rate.effective_from).price
        raise NoRateInEffect(
            f"no {currency} rate for {role!r} is in effect on {on}",
            field="time_entry.work_date",
            keys={"role": role, "currency": currency, "work_date": on.isoformat()},
        )

    def charge_for(self, role: str, currency: str, on: dt.date, hours: Decimal) -> Money:
        """Rate x hours x (1 - discount), exact, rounded once to the currency."""
        factor = self.discount.factor() if self.discount else Decimal(1)
        price = self.rate_for(role, currency, on)
        return price.times(exact().multiply(hours, factor))


def check_rates(rates: Sequence[Rate]) -> None:
    if not rates:
        raise InvalidField("a rate card with at least one rate is required", field=FIELD)
    roles = {rate.role for rate in rates}
    if BLENDED in roles and len(roles) > 1:
        raise InvalidField(
            "a blended rate is one rate for every role: it has no role rates beside it",
            field=f"{FIELD}.rates",
        )
    for index, rate in enumerate(rates):
        check_rate(index, rate)
    for index, rate in enumerate(rates):
        check_no_overlap(index, rate, rates[:index])


def check_rate(index: int, rate: Rate) -> None:
    where = f"{FIELD}.rates[{index}]"
    check_currency(rate.currency, f"{where}.price.currency_code")
    if not rate.role:
        raise InvalidField("a rate names its role", field=f"{where}.role")
    if rate.price.amount <= 0:
        raise InvalidField("a rate is more than zero", field=f"{where}.price.amount")
    if rate.effective_until is not None and rate.effective_until < rate.effective_from:
        raise InvalidField(
            "a rate ends on or after the day it takes effect", field=f"{where}.effective_until"
        )


def check_no_overlap(index: int, rate: Rate, earlier: Sequence[Rate]) -> None:
    for other in earlier:
        if (other.role, other.currency) != (rate.role, rate.currency):
            continue
        if other.effective_from == rate.effective_from or overlaps(other, rate):
            raise RatesOverlap(
                f"two {rate.currency} rates for {rate.role!r} are in effect on the same day",
                field=f"{FIELD}.rates[{index}].effective_from",
                keys={"role": rate.role, "effective_from": rate.effective_from.isoformat()},
            )


def overlaps(first: Rate, second: Rate) -> bool:
    """Open-ended rates give way to the next one; a rate with a last day claims every day to it."""
    earlier, later = sorted((first, second), key=lambda rate: rate.effective_from)
    return earlier.effective_until is not None and later.effective_from <= earlier.effective_until
