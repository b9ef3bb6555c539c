"""Approved work as rating sees it: time, expense, milestone completion, usage, a new period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from attrs import frozen

from domain.errors import InvalidField
from domain.money import Money, rounded

MAX_HOURS_PER_DAY = Decimal(24)
HOURS_DECIMALS = 4
MAX_USAGE = Decimal(10) ** 15
USAGE_DECIMALS = 8


@frozen
class TimeWorked:
    source_id: str
    role: str
    work_date: dt.date
    hours: Decimal

    def __attrs_post_init__(self) -> None:
        valid = self.hours.is_finite() and Decimal(0) < self.hours <= MAX_HOURS_PER_DAY
        if not valid or self.hours != self.hours.quantize(Decimal(1).scaleb(-HOURS_DECIMALS)):
            raise InvalidField(
                f"hours are more than 0 and at most 24, with at most {HOURS_DECIMALS} decimals",
                field="time_entry.hours",
                keys={"source_id": self.source_id},
            )

    @property
    def day(self) -> dt.date:
        return self.work_date


@frozen
class ExpenseIncurred:
    source_id: str
    category: str
    incurred_on: dt.date
    cost: Money

    def __attrs_post_init__(self) -> None:
        if self.cost.is_negative():
            raise InvalidField("an expense's cost is zero or more", field="expense.cost.amount")

    @property
    def day(self) -> dt.date:
        return self.incurred_on


@frozen
class MilestoneCompleted:
    source_id: str
    milestone_code: str
    completed_on: dt.date

    @property
    def day(self) -> dt.date:
        return self.completed_on


@frozen
class UsageRecorded:
    source_id: str
    used_on: dt.date
    quantity: Decimal

    def __attrs_post_init__(self) -> None:
        valid = self.quantity.is_finite() and 0 < self.quantity < MAX_USAGE
        if not valid or self.quantity != rounded(self.quantity, USAGE_DECIMALS):
            raise InvalidField(
                f"a usage quantity is more than zero, under {MAX_USAGE:,}, "
                f"with at most {USAGE_DECIMALS} decimals",
                field="usage.quantity",
                keys={"source_id": self.source_id},
            )

    @property
    def day(self) -> dt.date:
        return self.used_on


@frozen
class PeriodBegan:
    """The scheduled fee of a retainer or subscription falls due for the month of `starts_on`."""

    source_id: str
    starts_on: dt.date

    @property
    def day(self) -> dt.date:
        return self.starts_on


Work = TimeWorked | ExpenseIncurred | MilestoneCompleted | UsageRecorded | PeriodBegan
