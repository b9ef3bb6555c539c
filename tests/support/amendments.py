"""Change orders in the business's words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from domain.billing.agreement import Amendment, BillingAgreement
from domain.billing.amendments import RateChange, TermsChange
from domain.billing.methods import BillingMethod, Milestone
from domain.billing.rate_card import BillingRateCard
from domain.billing.terms import BillingTerms
from support.billing import DECEMBER_1, END_OF_MAY, money, price

AMENDED_AT = dt.datetime(2026, 12, 16, 9, 0, tzinfo=dt.UTC)


def an_agreement(*terms: BillingTerms, engagement_id: str = "ENG-1") -> BillingAgreement:
    return BillingAgreement(engagement_id, {t.work_package_code: t for t in terms})


def change_order(
    *changes: TermsChange,
    version: int = 1,
    new_terms: Iterable[BillingTerms] = (),
    effective_on: dt.date = DECEMBER_1,
    reason: str = "client asked for more",
) -> Amendment:
    return Amendment(version, effective_on, reason, changes, tuple(new_terms))


def new_rate(role: str, amount: str, effective_from: dt.date) -> RateChange:
    return RateChange(role, price(amount), effective_from)


def milestone(code: str, amount: str) -> Milestone:
    return Milestone(code, money(amount))


def terms_of_package(
    code: str, method: BillingMethod, rate_card: BillingRateCard | None = None
) -> BillingTerms:
    return BillingTerms.agree(
        work_package_code=code,
        currency="USD",
        start_date=DECEMBER_1,
        end_date=END_OF_MAY,
        method=method,
        rate_card=rate_card,
    )
