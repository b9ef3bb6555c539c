"""Rating: approved work and the terms' running state in, exact charges and the new state out.

Each charge is rounded once, at its end; where one piece of work is split (across a cap, or
across a retainer's balance) its parts are allocated so that they sum exactly to the whole.
"""

from __future__ import annotations

from decimal import Decimal

from attrs import evolve, frozen

from domain.allocation import allocate, exact_shares, largest_remainder
from domain.billing.charges import Charge, ChargeKind
from domain.billing.methods import (
    FixedFee,
    Retainer,
    SubscriptionPlusServices,
    TimeAndMaterials,
    UnusedBalance,
    Usage,
)
from domain.billing.state import OverCapHold, Period, TermsState
from domain.billing.terms import BillingTerms
from domain.billing.work import (
    HOURS_DECIMALS,
    ExpenseIncurred,
    MilestoneCompleted,
    PeriodBegan,
    TimeWorked,
    UsageRecorded,
    Work,
)
from domain.errors import (
    BillableEventConflict,
    CurrencyMismatch,
    InvalidField,
    MilestoneNotOnTerms,
    NotRatedByTerms,
)
from domain.money import Money

DATE_FIELDS = {
    TimeWorked: "time_entry.work_date",
    ExpenseIncurred: "expense.incurred_on",
    MilestoneCompleted: "milestone.completed_on",
    UsageRecorded: "usage.used_on",
    PeriodBegan: "period.starts_on",
}


@frozen
class Rated:
    charges: tuple[Charge, ...]
    state: TermsState

    def billed(self) -> tuple[Charge, ...]:
        """What reaches an invoice: charges of billed kinds, and of more than zero (usage
        within the included quantity or a free expense is rated, and bills nothing)."""
        return tuple(c for c in self.charges if c.is_billed and c.amount.is_positive())


def rate(terms: BillingTerms, state: TermsState, work: Work) -> Rated:
    terms.check_within(work.day, DATE_FIELDS[type(work)])
    match work:
        case TimeWorked():
            return rate_time(terms, state, work)
        case ExpenseIncurred():
            return rate_expense(terms, state, work)
        case MilestoneCompleted():
            return rate_milestone(terms, state, work)
        case UsageRecorded():
            return rate_usage(terms, state, work)
        case PeriodBegan():
            return rate_period(terms, state, work)


def approve_overage(state: TermsState, source_id: str) -> Rated:
    """Work held over the cap, billed after all by someone's decision."""
    return decide(state, source_id, ChargeKind.CAP_OVERAGE)


def write_off(state: TermsState, source_id: str) -> Rated:
    return decide(state, source_id, ChargeKind.WRITTEN_OFF)


def decide(state: TermsState, source_id: str, kind: ChargeKind) -> Rated:
    held = state.hold(source_id)
    charge = Charge(kind, source_id, held.amount, held.hours)
    return Rated((charge,), state.without_hold(source_id))


def rate_time(terms: BillingTerms, state: TermsState, work: TimeWorked) -> Rated:
    method, card = terms.method, terms.rate_card
    if card is None or isinstance(method, FixedFee | Usage):
        return Rated((), state)  # effort on a fee billed by milestone or usage: no charge
    amount = card.charge_for(work.role, terms.currency, work.work_date, work.hours)
    if isinstance(method, Retainer):
        return draw_down(state, work, amount)
    services = method.services if isinstance(method, SubscriptionPlusServices) else method
    return within_cap(state, work, amount, services)


def within_cap(
    state: TermsState, work: TimeWorked, amount: Money, method: TimeAndMaterials
) -> Rated:
    room = None if method.cap is None else max_zero(method.cap - state.cap_used)
    if room is None or amount.amount <= room.amount:
        charge = Charge(ChargeKind.TIME, work.source_id, amount, work.hours)
        return Rated((charge,), evolve(state, cap_used=state.cap_used + amount))
    (billed, held), (billed_hours, held_hours) = split(amount, work.hours, room)
    charges = (
        Charge(ChargeKind.TIME, work.source_id, billed, billed_hours),
        Charge(ChargeKind.HELD_OVER_CAP, work.source_id, held, held_hours),
    )
    hold = OverCapHold(work.source_id, held, held_hours)
    new_state = evolve(state, cap_used=state.cap_used + billed, held=(*state.held, hold))
    return Rated(nonzero(charges), new_state)


def draw_down(state: TermsState, work: TimeWorked, amount: Money) -> Rated:
    balance = state.retainer_balance
    if amount.amount <= balance.amount:
        charge = Charge(ChargeKind.RETAINER_DRAWDOWN, work.source_id, amount, work.hours)
        return Rated((charge,), evolve(state, retainer_balance=balance - amount))
    (drawn, overage), (drawn_hours, overage_hours) = split(amount, work.hours, balance)
    charges = (
        Charge(ChargeKind.RETAINER_DRAWDOWN, work.source_id, drawn, drawn_hours),
        Charge(ChargeKind.RETAINER_OVERAGE, work.source_id, overage, overage_hours),
    )
    zero = Money.of(0, balance.currency)
    return Rated(nonzero(charges), evolve(state, retainer_balance=zero))


def split(
    amount: Money, hours: Decimal, first: Money
) -> tuple[tuple[Money, Money], tuple[Decimal, Decimal]]:
    """`first` of `amount` and the rest, with the hours split in the same proportion."""
    ratios = [first.amount, (amount - first).amount]
    moneys = allocate(amount, ratios)
    hour_units = largest_remainder(int(hours.scaleb(HOURS_DECIMALS)), exact_shares(ratios))
    parts = [Decimal(unit).scaleb(-HOURS_DECIMALS) for unit in hour_units]
    return (moneys[0], moneys[1]), (parts[0], parts[1])


def nonzero(charges: tuple[Charge, ...]) -> tuple[Charge, ...]:
    return tuple(charge for charge in charges if charge.amount.is_positive())


def max_zero(money: Money) -> Money:
    return money if not money.is_negative() else Money.of(0, money.currency)


def rate_expense(terms: BillingTerms, state: TermsState, work: ExpenseIncurred) -> Rated:
    if work.cost.currency != terms.currency:
        raise CurrencyMismatch(
            f"the expense is in {work.cost.currency}, the terms in {terms.currency}",
            field="expense.cost.currency_code",
            keys={"left": work.cost.currency, "right": terms.currency},
        )
    if not terms.expenses.bills(work.category):
        return Rated((), state)
    amount = work.cost.times(terms.expenses.factor())
    return Rated((Charge(ChargeKind.EXPENSE, work.source_id, amount),), state)


def rate_milestone(terms: BillingTerms, state: TermsState, work: MilestoneCompleted) -> Rated:
    method, code = terms.method, work.milestone_code
    milestone = method.milestone(code) if isinstance(method, FixedFee) else None
    if milestone is None:
        raise MilestoneNotOnTerms(
            f"milestone {code!r} is not on work package {terms.work_package_code}",
            field="milestone.milestone_code",
            keys={"milestone": code, "work_package": terms.work_package_code},
        )
    if code in state.completed_milestones:
        raise BillableEventConflict(
            f"milestone {code!r} was completed and billed before",
            field="milestone.milestone_code",
            keys={"milestone": code},
        )
    charge = Charge(ChargeKind.MILESTONE, work.source_id, milestone.amount)
    done = state.completed_milestones | {code}
    return Rated((charge,), evolve(state, completed_milestones=done))


def rate_usage(terms: BillingTerms, state: TermsState, work: UsageRecorded) -> Rated:
    method = terms.method
    if not isinstance(method, Usage):
        raise NotRatedByTerms(
            f"work package {terms.work_package_code} is not billed by usage",
            field="usage",
            keys={"work_package": terms.work_package_code},
        )
    period = Period.of(work.used_on)
    before = state.used_in(period)
    amount = method.charge(before, work.quantity, terms.currency)
    charge = Charge(ChargeKind.USAGE, work.source_id, amount, work.quantity)
    return Rated((charge,), state.with_usage(period, before + work.quantity))


def rate_period(terms: BillingTerms, state: TermsState, work: PeriodBegan) -> Rated:
    method, period = terms.method, Period.of(work.starts_on)
    if not isinstance(method, Retainer | SubscriptionPlusServices):
        raise NotRatedByTerms(
            f"work package {terms.work_package_code} has no fee per period",
            field="period",
            keys={"work_package": terms.work_package_code},
        )
    check_next_period(state, period)
    fee = Charge(ChargeKind.PERIOD_FEE, work.source_id, method.fee)
    state = evolve(state, fee_periods=state.fee_periods | {period})
    if isinstance(method, SubscriptionPlusServices):
        return Rated((fee,), state)
    return renew_retainer(state, method, fee)


def check_next_period(state: TermsState, period: Period) -> None:
    if state.fee_periods and period <= max(state.fee_periods):
        raise InvalidField(
            f"the fee for {period} comes after the last one, {max(state.fee_periods)}",
            field="period.starts_on",
            keys={"period": str(period)},
        )


def renew_retainer(state: TermsState, method: Retainer, fee: Charge) -> Rated:
    unused = state.retainer_balance
    if method.unused_balance is UnusedBalance.ROLLS_OVER:
        return Rated((fee,), evolve(state, retainer_balance=unused + method.fee))
    expired = Charge(ChargeKind.RETAINER_EXPIRED, fee.source_id, unused)
    charges = (fee, expired) if unused.is_positive() else (fee,)
    return Rated(charges, evolve(state, retainer_balance=method.fee))
