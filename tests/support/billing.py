"""Billing terms, rate cards and approved work in the business's words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from domain.billing.charges import Charge, ChargeKind
from domain.billing.methods import BillingMethod, TimeAndMaterials
from domain.billing.rate_card import BillingRateCard, Discount, Rate
from domain.billing.rating import Rated, rate
from domain.billing.state import TermsState
from domain.billing.terms import BillingTerms, ExpensePolicy
from domain.billing.work import (
    ExpenseIncurred,
    MilestoneCompleted,
    PeriodBegan,
    TimeWorked,
    UsageRecorded,
    Work,
)
from domain.money import Money
from domain.unit_price import UnitPrice

DECEMBER_1 = dt.date(2026, 12, 1)
END_OF_MAY = dt.date(2027, 5, 31)
AT_COST = ExpensePolicy()


def money(amount: str | int, currency: str = "USD") -> Money:
    return Money(currency, Decimal(amount))


def price(amount: str, currency: str = "USD") -> UnitPrice:
    return UnitPrice(currency, Decimal(amount))


def a_rate(
    role: str,
    amount: str,
    currency: str = "USD",
    effective_from: dt.date = DECEMBER_1,
    effective_until: dt.date | None = None,
) -> Rate:
    return Rate(role, price(amount, currency), effective_from, effective_until)


def a_rate_card(*rates: Rate, discount_percent: str | None = None) -> BillingRateCard:
    discount = Discount(Decimal(discount_percent)) if discount_percent else None
    return BillingRateCard(rates, discount)


def terms_for(
    method: BillingMethod,
    *,
    currency: str = "USD",
    rate_card: BillingRateCard | None = None,
    staffed_roles: Sequence[str] = ("consultant",),
    expenses: ExpensePolicy = AT_COST,
    start_date: dt.date = DECEMBER_1,
    end_date: dt.date = END_OF_MAY,
) -> BillingTerms:
    return BillingTerms.agree(
        work_package_code="NA",
        currency=currency,
        start_date=start_date,
        end_date=end_date,
        method=method,
        rate_card=rate_card,
        staffed_roles=staffed_roles,
        expenses=expenses,
    )


def time_worked(
    hours: str, *, role: str = "consultant", on: dt.date = DECEMBER_1, source_id: str = "TC-1"
) -> TimeWorked:
    return TimeWorked(source_id, role, on, Decimal(hours))


def expense(
    cost: Money, *, category: str = "hotel", on: dt.date = DECEMBER_1, source_id: str = "EX-1"
) -> ExpenseIncurred:
    return ExpenseIncurred(source_id, category, on, cost)


def milestone_completed(code: str, *, on: dt.date = DECEMBER_1) -> MilestoneCompleted:
    return MilestoneCompleted(f"MS-{code}", code, on)


def usage(
    quantity: int | str, *, on: dt.date = DECEMBER_1, source_id: str = "US-1"
) -> UsageRecorded:
    return UsageRecorded(source_id, on, Decimal(quantity))


def period_began(on: dt.date) -> PeriodBegan:
    return PeriodBegan(f"FEE-{on:%Y-%m}", on)


def rate_in_turn(
    terms: BillingTerms, work: Iterable[Work], state: TermsState | None = None
) -> tuple[list[Rated], TermsState]:
    """Each piece of work rated after the one before, as approvals arrive."""
    state = state or TermsState.start(terms.currency)
    results = []
    for item in work:
        rated = rate(terms, state, item)
        results.append(rated)
        state = rated.state
    return results, state


def amounts(charges: Iterable[Charge], kind: ChargeKind) -> list[Money]:
    return [charge.amount for charge in charges if charge.kind is kind]


def capped_december_terms() -> BillingTerms:
    """USD time and materials, 10 % off, cap 3,000.00; consultant 150.00, then 165.00 from
    15 Dec; architect 220.00."""
    card = a_rate_card(
        a_rate("consultant", "150.00"),
        a_rate("consultant", "165.00", effective_from=dt.date(2026, 12, 15)),
        a_rate("architect", "220.00"),
        discount_percent="10",
    )
    return terms_for(
        TimeAndMaterials(cap=money("3000.00")),
        rate_card=card,
        staffed_roles=("consultant", "architect"),
    )


def capped_december() -> tuple[list[Rated], TermsState]:
    """Used 1,012.50 + 1,188.00 + 799.50 = 3,000.00; TC-3's other 388.50 held."""
    return rate_in_turn(
        capped_december_terms(),
        [
            time_worked("7.5", on=dt.date(2026, 12, 10), source_id="TC-1"),
            time_worked("8", on=dt.date(2026, 12, 15), source_id="TC-2"),
            time_worked("6", role="architect", on=dt.date(2026, 12, 16), source_id="TC-3"),
        ],
    )
