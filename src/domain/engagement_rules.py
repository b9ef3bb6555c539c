"""What makes a new engagement valid, each rule naming the field it is about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from domain.errors import InvalidField
from domain.money import Money
from domain.rate_card import RateCard


class Coded(Protocol):
    code: str


def check_dates(start_date: dt.date, end_date: dt.date) -> None:
    if end_date < start_date:
        raise InvalidField("end_date is before start_date", field="end_date")


def check_rate_card(rate_card: RateCard) -> None:
    if not rate_card.rates:
        raise InvalidField("a rate card with at least one role is required", field="rate_card")


def check_contract_value(value: Money, currency: str) -> None:
    if value.currency != currency:
        raise InvalidField(
            f"contract value is in {value.currency}, the engagement in {currency}",
            field="contract_value.currency_code",
        )
    if value.is_negative():
        raise InvalidField("contract value must not be negative", field="contract_value.amount")


def check_work_packages(packages: Sequence[Coded]) -> None:
    if not packages:
        raise InvalidField("at least one work package is required", field="work_packages")
    codes: set[str] = set()
    for index, package in enumerate(packages):
        if package.code in codes:
            raise InvalidField(
                f"work package {package.code!r} appears twice",
                field=f"work_packages[{index}].code",
            )
        codes.add(package.code)
