"""Change orders: a versioned amendment of one work package's billing terms.

An amendment never rewrites what was invoiced: each refusal names the field that would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from attrs import evolve, field, frozen

from domain.billing.methods import (
    BillingMethod,
    FixedFee,
    Milestone,
    SubscriptionPlusServices,
    TimeAndMaterials,
    check_in,
    milestone_tuple,
)
from domain.billing.rate_card import BillingRateCard, Rate
from domain.billing.state import TermsState
from domain.billing.terms import BillingTerms, text_set
from domain.errors import AmendmentRewritesInvoiced, InvalidField
from domain.money import Money
from domain.unit_price import UnitPrice


@frozen
class Invoiced:
    """What of a work package is already on an invoice, as an amendment must respect it."""

    through: dt.date | None = None
    milestones: frozenset[str] = field(default=frozenset(), converter=text_set)


@frozen
class RateChange:
    role: str
    price: UnitPrice
    effective_from: dt.date


def rate_change_tuple(items: Iterable[RateChange]) -> tuple[RateChange, ...]:
    return tuple(items)


@frozen
class TermsChange:
    """The changes to one work package's terms; None and () leave a part as it was."""

    work_package_code: str
    cap: Money | None = None
    fee: Money | None = None
    milestones: tuple[Milestone, ...] = field(default=(), converter=milestone_tuple)
    rate_changes: tuple[RateChange, ...] = field(default=(), converter=rate_change_tuple)


def amend_terms(
    terms: BillingTerms, change: TermsChange, state: TermsState, invoiced: Invoiced
) -> BillingTerms:
    method = terms.method
    if change.cap is not None:
        method = with_cap(method, change.cap, state, terms.currency)
    if change.fee is not None or change.milestones:
        method = with_milestones(method, change, invoiced)
    method.check_currency(terms.currency)
    card = terms.rate_card
    for index, rate_change in enumerate(change.rate_changes):
        where = f"rate_changes[{index}]"
        check_in(Money.of(0, rate_change.price.currency), terms.currency, f"{where}.price")
        card = with_rate(card, rate_change, invoiced, where)
    return evolve(terms, method=method, rate_card=card)


def with_cap(method: BillingMethod, cap: Money, state: TermsState, currency: str) -> BillingMethod:
    if not isinstance(method, TimeAndMaterials | SubscriptionPlusServices):
        raise InvalidField("only time and materials has a cap to raise", field="cap")
    check_in(cap, currency, "cap")
    if cap.amount < state.cap_used.amount:
        raise AmendmentRewritesInvoiced(
            f"the cap {cap} is below the {state.cap_used} already billed against it",
            field="cap.amount",
            keys={"cap": cap.amount_text(), "billed": state.cap_used.amount_text()},
        )
    if isinstance(method, SubscriptionPlusServices):
        return evolve(method, services=TimeAndMaterials(cap=cap))
    return TimeAndMaterials(cap=cap)


def with_milestones(
    method: BillingMethod, change: TermsChange, invoiced: Invoiced
) -> BillingMethod:
    if not isinstance(method, FixedFee):
        raise InvalidField("only a fixed fee has milestones", field="milestones")
    milestones = change.milestones or method.milestones
    check_invoiced_kept(method.milestones, milestones, invoiced)
    return evolve(method, fee=change.fee or method.fee, milestones=milestones)


def check_invoiced_kept(
    before: Sequence[Milestone], after: Sequence[Milestone], invoiced: Invoiced
) -> None:
    codes = [m.code for m in after]
    for milestone in before:
        if milestone.code not in invoiced.milestones:
            continue
        if milestone.code not in codes:
            raise AmendmentRewritesInvoiced(
                f"milestone {milestone.code!r} is invoiced and stays on the terms",
                field="milestones",
                keys={"milestone": milestone.code},
            )
        index = codes.index(milestone.code)
        if after[index].amount != milestone.amount:
            raise AmendmentRewritesInvoiced(
                f"milestone {milestone.code!r} is invoiced at {milestone.amount}",
                field=f"milestones[{index}].amount",
                keys={"milestone": milestone.code},
            )


def with_rate(
    card: BillingRateCard | None, change: RateChange, invoiced: Invoiced, where: str
) -> BillingRateCard:
    if card is None:
        raise InvalidField("these terms have no rate card to change", field=where)
    if invoiced.through is not None and change.effective_from <= invoiced.through:
        raise AmendmentRewritesInvoiced(
            f"work to {invoiced.through} is invoiced; a new rate takes effect after it",
            field=f"{where}.effective_from",
            keys={"role": change.role, "invoiced_through": invoiced.through.isoformat()},
        )
    kept = [cut(rate, change) for rate in card.rates if not replaced(rate, change)]
    new = Rate(change.role, change.price, change.effective_from)
    return evolve(card, rates=(*kept, new))


def same_rate(rate: Rate, change: RateChange) -> bool:
    return (rate.role, rate.currency) == (change.role, change.price.currency)


def replaced(rate: Rate, change: RateChange) -> bool:
    return same_rate(rate, change) and rate.effective_from >= change.effective_from


def cut(rate: Rate, change: RateChange) -> Rate:
    """A rate with a last day past the change ends the day before it; open-ended rates give
    way to the new one by themselves."""
    day_before = change.effective_from - dt.timedelta(days=1)
    runs_past = rate.effective_until is not None and rate.effective_until > day_before
    if same_rate(rate, change) and runs_past:
        return evolve(rate, effective_until=day_before)
    return rate
