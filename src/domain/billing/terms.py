"""Billing terms of one work package: made valid by `BillingTerms.agree`, or not at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from attrs import field, frozen

from domain.billing.methods import (
    BillingMethod,
    Retainer,
    SubscriptionPlusServices,
    TimeAndMaterials,
)
from domain.billing.rate_card import HUNDRED, BillingRateCard
from domain.errors import InvalidField, OutsideEngagementDates
from domain.money import check_currency, exact

TIME_BILLING = (TimeAndMaterials, Retainer, SubscriptionPlusServices)


def text_set(items: Iterable[str]) -> frozenset[str]:
    return frozenset(items)


@frozen
class ExpensePolicy:
    """Expenses at cost, or with a markup in percent; some categories are never billed."""

    markup_percent: Decimal = field(default=Decimal(0), converter=Decimal)
    non_billable: frozenset[str] = field(default=frozenset(), converter=text_set)

    def __attrs_post_init__(self) -> None:
        if not (self.markup_percent.is_finite() and 0 <= self.markup_percent <= HUNDRED * 10):
            raise InvalidField(
                "a markup is from 0 to 1000 percent", field="expenses.markup_percent"
            )

    def bills(self, category: str) -> bool:
        return category not in self.non_billable

    def factor(self) -> Decimal:
        return exact().divide(HUNDRED + self.markup_percent, HUNDRED)


@frozen
class BillingTerms:
    work_package_code: str
    currency: str
    start_date: dt.date
    end_date: dt.date
    method: BillingMethod
    rate_card: BillingRateCard | None
    expenses: ExpensePolicy

    @classmethod
    def agree(
        cls,
        *,
        work_package_code: str,
        currency: str,
        start_date: dt.date,
        end_date: dt.date,
        method: BillingMethod,
        rate_card: BillingRateCard | None = None,
        staffed_roles: Sequence[str] = (),
        expenses: ExpensePolicy = ExpensePolicy(),
    ) -> BillingTerms:
        """The only way to make terms: each refusal names the field to correct."""
        check_currency(currency, "currency_code")
        if end_date < start_date:
            raise InvalidField("end_date is before start_date", field="end_date")
        method.check_currency(currency)
        if isinstance(method, TIME_BILLING) and rate_card is None:
            raise InvalidField(
                "time is billed at a rate card, and none is given", field="rate_card"
            )
        if rate_card is not None:
            rate_card.check_covers(staffed_roles, currency, "rate_card")
        return cls(work_package_code, currency, start_date, end_date, method, rate_card, expenses)

    def check_within(self, day: dt.date, field_name: str) -> None:
        if not self.start_date <= day <= self.end_date:
            raise OutsideEngagementDates(
                f"{day} is outside the work package's dates {self.start_date} to {self.end_date}",
                field=field_name,
                keys={"work_package": self.work_package_code, "date": day.isoformat()},
            )
