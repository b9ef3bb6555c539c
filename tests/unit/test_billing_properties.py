"""Properties of rating that hold for any rate, hours, cap, balance and tiers."""

import datetime as dt
from decimal import Decimal

from attrs import evolve
from hypothesis import given, settings
from hypothesis import strategies as st
from support.billing import a_rate_card, terms_for, time_worked, usage

from domain.billing.charges import ChargeKind, total
from domain.billing.methods import Retainer, Tier, TimeAndMaterials, UnusedBalance, Usage
from domain.billing.rate_card import Rate
from domain.billing.rating import rate
from domain.billing.state import Period, TermsState
from domain.money import Money, minor_digits, rounded
from domain.unit_price import UnitPrice

CURRENCIES = st.sampled_from(["JPY", "USD", "KWD"])
DECEMBER_2 = dt.date(2026, 12, 2)
DECEMBER_20 = dt.date(2026, 12, 20)


def unit_prices(currency, low=1, high=5000):
    return st.decimals(min_value=low, max_value=high, places=4).map(
        lambda amount: UnitPrice(currency, amount)
    )


hours = st.integers(min_value=1, max_value=240_000).map(lambda n: Decimal(n).scaleb(-4))
discounts = st.one_of(
    st.none(), st.decimals(min_value="0.01", max_value="99.99", places=2).map(str)
)


def moneys(currency, most=10**9):
    return st.integers(min_value=0, max_value=most).map(
        lambda units: Money.from_minor_units(currency, units)
    )


@st.composite
def rate_cards(draw, currency):
    rate = draw(unit_prices(currency))
    raised = draw(unit_prices(currency))
    return a_rate_card(
        Rate("consultant", rate, dt.date(2026, 12, 1)),
        Rate("consultant", raised, dt.date(2026, 12, 15)),
        discount_percent=draw(discounts),
    )


@st.composite
def capped_work(draw):
    """Time whose unrated amount meets a cap with anything from no room to all it needs."""
    currency = draw(CURRENCIES)
    card = draw(rate_cards(currency))
    entry = time_worked(str(draw(hours)), on=draw(st.sampled_from([DECEMBER_2, DECEMBER_20])))
    needed = card.charge_for(entry.role, currency, entry.work_date, entry.hours).minor_units()
    used = draw(st.integers(0, 10**6))
    room = draw(st.integers(0 if used else 1, max(needed, 1)))
    cap = Money.from_minor_units(currency, used + room)
    terms = terms_for(TimeAndMaterials(cap), currency=currency, rate_card=card)
    state = evolve(TermsState.start(currency), cap_used=Money.from_minor_units(currency, used))
    return terms, state, entry


def unrated(terms, entry):
    return terms.rate_card.charge_for(entry.role, terms.currency, entry.work_date, entry.hours)


@settings(deadline=None)
@given(capped_work())
def test_an_entry_straddling_the_cap_splits_exactly_into_billed_and_held(case):
    terms, state, entry = case

    rated = rate(terms, state, entry)

    assert total(rated.charges, terms.currency) == unrated(terms, entry)
    assert sum(charge.quantity for charge in rated.charges) == entry.hours
    assert rated.state.cap_used.amount <= terms.method.cap.amount
    assert [h.amount for h in rated.state.held] == [
        c.amount for c in rated.charges if c.kind is ChargeKind.HELD_OVER_CAP
    ]


@st.composite
def retainer_work(draw):
    currency = draw(CURRENCIES)
    card = draw(rate_cards(currency))
    fee = draw(moneys(currency).filter(Money.is_positive))
    policy = draw(st.sampled_from(UnusedBalance))
    terms = terms_for(Retainer(fee, policy), currency=currency, rate_card=card)
    balance = draw(moneys(currency))
    state = evolve(TermsState.start(currency), retainer_balance=balance)
    return terms, state, time_worked(str(draw(hours)))


@settings(deadline=None)
@given(retainer_work())
def test_retainer_drawdown_and_overage_sum_exactly_to_the_rated_time(case):
    terms, state, entry = case
    amount = unrated(terms, entry)

    rated = rate(terms, state, entry)

    drawn = total(
        (c for c in rated.charges if c.kind is ChargeKind.RETAINER_DRAWDOWN), terms.currency
    )
    overage = total(
        (c for c in rated.charges if c.kind is ChargeKind.RETAINER_OVERAGE), terms.currency
    )
    assert drawn + overage == amount
    assert drawn.amount == min(amount.amount, state.retainer_balance.amount)
    assert rated.state.retainer_balance == state.retainer_balance - drawn
    assert sum(charge.quantity for charge in rated.charges) == entry.hours


@st.composite
def tiered_usage(draw):
    currency = draw(CURRENCIES)
    included = Decimal(draw(st.integers(0, 10_000)))
    steps = draw(st.lists(st.integers(1, 50_000), min_size=0, max_size=4))
    bounds, floor = [], included
    for step in steps:
        floor += step
        bounds.append(floor)
    prices = draw(
        st.lists(unit_prices(currency, 0, 2), min_size=len(bounds) + 1, max_size=len(bounds) + 1)
    )
    tiers = tuple(Tier(bound, price) for bound, price in zip([*bounds, None], prices, strict=True))
    return currency, Usage(included, tiers)


@settings(deadline=None)
@given(tiered_usage(), st.data())
def test_the_cost_of_usage_has_no_jump_at_a_tier_boundary(case, data):
    _, method = case
    tiny = Decimal("0.000001")

    for tier, after in zip(method.tiers, method.tiers[1:], strict=False):
        at = method.exact_cost(tier.up_to)
        assert method.exact_cost(tier.up_to - tiny) == at - tiny * tier.price.amount
        assert method.exact_cost(tier.up_to + tiny) == at + tiny * after.price.amount


@settings(deadline=None)
@given(tiered_usage(), st.integers(1, 300_000), st.integers(1, 300_000))
def test_usage_rated_in_two_records_costs_what_one_record_costs_within_rounding(
    case, first, second
):
    currency, method = case
    terms = terms_for(method, currency=currency)
    start = TermsState.start(currency)

    one = rate(terms, start, usage(first + second)).charges[0].amount
    split = rate(terms, start, usage(first))
    two = split.charges[0].amount + rate(terms, split.state, usage(second)).charges[0].amount

    minor_unit = Decimal(1).scaleb(-minor_digits(currency))
    assert abs(one.amount - two.amount) <= minor_unit
    exact_total = method.exact_cost(Decimal(first + second))
    assert one == Money.of(exact_total, currency)


@st.composite
def usage_work(draw):
    currency, method = draw(tiered_usage())
    terms = terms_for(method, currency=currency)
    state = TermsState.start(currency).with_usage(
        Period.of(DECEMBER_2), Decimal(draw(st.integers(0, 10**6)))
    )
    return terms, state, usage(draw(st.integers(1, 10**6)), on=DECEMBER_2)


@settings(deadline=None)
@given(st.one_of(capped_work(), retainer_work(), usage_work()))
def test_every_charge_is_exact_in_the_currency_of_the_terms(case):
    terms, state, entry = case

    rated = rate(terms, state, entry)

    for charge in rated.charges:
        digits = minor_digits(terms.currency)
        assert charge.amount.currency == terms.currency
        assert charge.amount.amount == rounded(charge.amount.amount, digits)
    assert rated == rate(terms, state, entry)
