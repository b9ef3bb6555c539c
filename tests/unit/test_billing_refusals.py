"""Bad terms, rate cards and work are refused with a reason and the field to correct."""

import datetime as dt
from decimal import Decimal

import pytest
from support.billing import (
    a_rate,
    a_rate_card,
    expense,
    milestone_completed,
    money,
    period_began,
    price,
    rate_in_turn,
    terms_for,
    time_worked,
    usage,
)

from domain.billing.methods import (
    FixedFee,
    Milestone,
    Retainer,
    SubscriptionPlusServices,
    Tier,
    TimeAndMaterials,
    UnusedBalance,
    Usage,
)
from domain.billing.rate_card import BLENDED, BillingRateCard, Discount
from domain.billing.rating import approve_overage
from domain.billing.state import TermsState
from domain.billing.terms import ExpensePolicy
from domain.errors import (
    BillableEventConflict,
    CurrencyMismatch,
    DomainError,
    InvalidField,
    MilestoneNotOnTerms,
    MilestonesNotFee,
    NoRateInEffect,
    NotFound,
    NotRatedByTerms,
    OutsideEngagementDates,
    RatesOverlap,
    RoleNotOnRateCard,
    UnknownCurrency,
)
from domain.money import Money
from domain.rate_card import RateCard, RoleRate

DEC_15 = dt.date(2026, 12, 15)


def consultant_card():
    return a_rate_card(a_rate("consultant", "150.00"))


def refused(error_type, build):
    with pytest.raises(error_type) as error:
        build()
    return error.value


def test_terms_whose_rate_card_lacks_a_staffed_role_are_refused_naming_the_role():
    error = refused(
        RoleNotOnRateCard,
        lambda: terms_for(
            TimeAndMaterials(),
            rate_card=consultant_card(),
            staffed_roles=("consultant", "architect"),
        ),
    )
    assert (error.field, error.keys["role"]) == ("rate_card", "architect")
    assert "architect" in error.message


def test_time_by_a_role_not_on_the_rate_card_is_refused_naming_the_role():
    terms = terms_for(TimeAndMaterials(), rate_card=consultant_card())

    error = refused(RoleNotOnRateCard, lambda: rate_in_turn(terms, [time_worked("1", role="pm")]))
    assert (error.field, error.keys["role"]) == ("time_entry.role", "pm")


def test_a_rate_card_without_rates_in_the_terms_currency_is_a_currency_mismatch():
    card = a_rate_card(a_rate("consultant", "140.00", "EUR"))

    error = refused(CurrencyMismatch, lambda: terms_for(TimeAndMaterials(), rate_card=card))
    assert error.field == "rate_card"


@pytest.mark.parametrize(
    ("rates", "field"),
    [
        (
            [a_rate("consultant", "150"), a_rate("consultant", "165")],
            "rate_card.rates[1].effective_from",
        ),
        (
            [
                a_rate("consultant", "150", effective_until=dt.date(2026, 12, 20)),
                a_rate("consultant", "165", effective_from=DEC_15),
            ],
            "rate_card.rates[1].effective_from",
        ),
        (
            [
                a_rate("consultant", "165", effective_from=DEC_15),
                a_rate("consultant", "150", effective_until=DEC_15),
            ],
            "rate_card.rates[1].effective_from",
        ),
    ],
    ids=["duplicate", "overlapping", "overlapping-listed-later"],
)
def test_two_rates_for_a_role_on_the_same_day_are_refused(rates, field):
    error = refused(RatesOverlap, lambda: a_rate_card(*rates))
    assert (error.field, error.keys["role"]) == (field, "consultant")


def test_the_same_role_in_two_currencies_from_the_same_day_is_not_an_overlap():
    card = a_rate_card(a_rate("consultant", "150"), a_rate("consultant", "140", "EUR"))

    assert card.currencies() == {"USD", "EUR"}


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: a_rate_card(), "rate_card"),
        (lambda: a_rate_card(a_rate("consultant", "0")), "rate_card.rates[0].price.amount"),
        (lambda: a_rate_card(a_rate("", "150")), "rate_card.rates[0].role"),
        (
            lambda: a_rate_card(a_rate("consultant", "150", effective_until=dt.date(2026, 11, 1))),
            "rate_card.rates[0].effective_until",
        ),
        (
            lambda: a_rate_card(a_rate(BLENDED, "187.3333"), a_rate("consultant", "150")),
            "rate_card.rates",
        ),
        (lambda: Discount(Decimal(0)), "rate_card.discount.percent"),
        (lambda: Discount(Decimal(100)), "rate_card.discount.percent"),
        (lambda: Discount(Decimal("NaN")), "rate_card.discount.percent"),
    ],
    ids=["empty", "zero-rate", "no-role", "ends-first", "blended-and-roles", "0%", "100%", "nan"],
)
def test_a_rate_card_that_cannot_rate_work_is_refused_naming_the_field(build, field):
    assert refused(InvalidField, build).field == field


def test_work_before_any_rate_takes_effect_is_refused_naming_the_work_date():
    card = a_rate_card(a_rate("consultant", "165", effective_from=DEC_15))
    terms = terms_for(TimeAndMaterials(), rate_card=card)

    error = refused(
        NoRateInEffect, lambda: rate_in_turn(terms, [time_worked("1", on=dt.date(2026, 12, 10))])
    )
    assert error.field == "time_entry.work_date"


def three_milestones(last="3000000"):
    return (
        Milestone("design", money("4500000", "JPY")),
        Milestone("build", money("7500000", "JPY")),
        Milestone("go-live", money(last, "JPY")),
    )


@pytest.mark.parametrize(
    ("build", "error_type", "field"),
    [
        (lambda: terms_for(TimeAndMaterials(), currency="XAU"), UnknownCurrency, "currency_code"),
        (
            lambda: terms_for(
                FixedFee(money("1"), [Milestone("a", money("1"))]), end_date=dt.date(2026, 1, 1)
            ),
            InvalidField,
            "end_date",
        ),
        (
            lambda: FixedFee(money("15000000", "JPY"), three_milestones(last="2999999")),
            MilestonesNotFee,
            "milestones",
        ),
        (lambda: FixedFee(money("1", "JPY"), ()), InvalidField, "milestones"),
        (
            lambda: FixedFee(money("2"), [Milestone("a", money("1")), Milestone("a", money("1"))]),
            InvalidField,
            "milestones[1].code",
        ),
        (
            lambda: FixedFee(money("1"), [Milestone("a", money("1", "EUR"))]),
            CurrencyMismatch,
            "milestones[0].amount.currency_code",
        ),
        (lambda: FixedFee(money("0"), [Milestone("a", money("0"))]), InvalidField, "fee.amount"),
        (
            lambda: terms_for(TimeAndMaterials(money("10", "EUR")), rate_card=consultant_card()),
            CurrencyMismatch,
            "cap.currency_code",
        ),
        (lambda: TimeAndMaterials(money("0")), InvalidField, "cap.amount"),
        (lambda: terms_for(TimeAndMaterials()), InvalidField, "rate_card"),
        (
            lambda: terms_for(
                Retainer(money("1500.000", "KWD"), UnusedBalance.EXPIRES),
                rate_card=consultant_card(),
            ),
            CurrencyMismatch,
            "fee.currency_code",
        ),
        (
            lambda: terms_for(
                SubscriptionPlusServices(money("100"), TimeAndMaterials(money("5", "EUR"))),
                rate_card=consultant_card(),
            ),
            CurrencyMismatch,
            "cap.currency_code",
        ),
        (lambda: Usage(Decimal(-1), (Tier(None, price("1")),)), InvalidField, "included"),
        (lambda: Usage(Decimal(0), ()), InvalidField, "tiers"),
        (
            lambda: Usage(Decimal(0), (Tier(Decimal("NaN"), price("1")), Tier(None, price("1")))),
            InvalidField,
            "tiers[0].up_to",
        ),
        (
            lambda: Usage(Decimal(0), (Tier(Decimal(10), price("1")),)),
            InvalidField,
            "tiers[0].up_to",
        ),
        (
            lambda: Usage(Decimal(100), (Tier(Decimal(100), price("1")), Tier(None, price("1")))),
            InvalidField,
            "tiers[0].up_to",
        ),
        (
            lambda: Usage(
                Decimal(0),
                (
                    Tier(Decimal(5), price("1")),
                    Tier(Decimal(5), price("1")),
                    Tier(None, price("1")),
                ),
            ),
            InvalidField,
            "tiers[1].up_to",
        ),
        (
            lambda: Usage(Decimal(0), (Tier(None, price("-1")),)),
            InvalidField,
            "tiers[0].price.amount",
        ),
        (
            lambda: terms_for(Usage(Decimal(0), (Tier(None, price("0.0004", "EUR")),))),
            CurrencyMismatch,
            "tiers[0].price.currency_code",
        ),
        (lambda: ExpensePolicy(Decimal(-1)), InvalidField, "expenses.markup_percent"),
    ],
)
def test_terms_that_break_a_creation_rule_are_refused_naming_the_field(build, error_type, field):
    assert refused(error_type, build).field == field


def test_a_milestone_not_on_the_terms_is_refused_by_name():
    terms = terms_for(FixedFee(money("15000000", "JPY"), three_milestones()), currency="JPY")

    error = refused(
        MilestoneNotOnTerms, lambda: rate_in_turn(terms, [milestone_completed("hypercare")])
    )
    assert (error.field, error.keys["milestone"]) == ("milestone.milestone_code", "hypercare")
    assert "hypercare" in error.message


def test_a_milestone_completed_twice_is_billed_once():
    terms = terms_for(FixedFee(money("15000000", "JPY"), three_milestones()), currency="JPY")
    _, state = rate_in_turn(terms, [milestone_completed("build")])

    with pytest.raises(BillableEventConflict):
        rate_in_turn(terms, [milestone_completed("build")], state)


def time_and_materials():
    return terms_for(TimeAndMaterials(), rate_card=consultant_card())


@pytest.mark.parametrize(
    ("work", "error_type", "field"),
    [
        (milestone_completed("design"), MilestoneNotOnTerms, "milestone.milestone_code"),
        (usage(10), NotRatedByTerms, "usage"),
        (period_began(dt.date(2026, 12, 1)), NotRatedByTerms, "period"),
        (expense(money("10.00", "EUR")), CurrencyMismatch, "expense.cost.currency_code"),
        (time_worked("1", on=dt.date(2027, 6, 1)), OutsideEngagementDates, "time_entry.work_date"),
        (
            expense(money("1"), on=dt.date(2026, 11, 30)),
            OutsideEngagementDates,
            "expense.incurred_on",
        ),
    ],
)
def test_work_the_terms_do_not_bill_is_refused_naming_the_field(work, error_type, field):
    error = refused(error_type, lambda: rate_in_turn(time_and_materials(), [work]))
    assert error.field == field


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: time_worked("0"), "time_entry.hours"),
        (lambda: time_worked("24.5"), "time_entry.hours"),
        (lambda: time_worked("1.00001"), "time_entry.hours"),
        (lambda: usage(0), "usage.quantity"),
        (lambda: usage("1e15"), "usage.quantity"),
        (lambda: usage("0.000000001"), "usage.quantity"),
        (lambda: expense(money("-1.00")), "expense.cost.amount"),
    ],
)
def test_impossible_work_is_refused_naming_the_field(build, field):
    assert refused(InvalidField, build).field == field


def test_a_fee_period_charged_twice_or_out_of_order_is_refused():
    terms = terms_for(SubscriptionPlusServices(money("100.00")), rate_card=consultant_card())
    _, state = rate_in_turn(terms, [period_began(dt.date(2027, 1, 1))])

    for again in (dt.date(2027, 1, 1), dt.date(2026, 12, 1)):
        error = refused(InvalidField, lambda d=again: rate_in_turn(terms, [period_began(d)], state))
        assert error.field == "period.starts_on"


def test_only_work_held_over_the_cap_can_be_approved_as_overage():
    error = refused(NotFound, lambda: approve_overage(TermsState.start("USD"), "TC-404"))
    assert (error.field, error.keys["source_id"]) == ("source_id", "TC-404")


def test_a_refused_piece_of_work_leaves_the_running_state_as_it_was():
    terms = terms_for(TimeAndMaterials(money("100.00")), rate_card=consultant_card())
    _, state = rate_in_turn(terms, [time_worked("0.5")])

    with pytest.raises(DomainError):
        rate_in_turn(terms, [time_worked("1", role="pm")], state)
    assert state.cap_used == money("75.00")


def test_todays_engagement_rate_card_becomes_a_rate_card_in_effect_from_a_date():
    flat = RateCard("USD", (RoleRate("consultant", Money.of("150.00", "USD")),))

    card = BillingRateCard.from_flat(flat, dt.date(2026, 12, 1))

    assert card.rate_for("consultant", "USD", dt.date(2026, 12, 2)) == price("150.00")
