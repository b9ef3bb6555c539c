"""Whatever a change order says, no already-invoiced charge changes its amount."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from support.amendments import milestone
from support.billing import a_rate, a_rate_card, money, terms_for, time_worked

from domain.billing.amendments import Invoiced, RateChange, TermsChange, amend_terms
from domain.billing.charges import total
from domain.billing.methods import FixedFee, TimeAndMaterials
from domain.billing.rating import rate
from domain.billing.releasing import release_held
from domain.billing.state import TermsState
from domain.errors import DomainError
from domain.money import Money
from domain.unit_price import UnitPrice

days = st.integers(min_value=1, max_value=31).map(lambda day: dt.date(2026, 12, day))
prices = st.decimals(min_value="0.0001", max_value=5000, places=4).map(
    lambda amount: UnitPrice("USD", amount)
)
hours = st.integers(min_value=1, max_value=240_000).map(lambda n: Decimal(n).scaleb(-4))


def amended_or_none(terms, change, state, invoiced):
    try:
        return amend_terms(terms, change, state, invoiced)
    except DomainError:
        return None


@given(
    entries=st.lists(st.tuples(days, hours), min_size=1, max_size=8),
    invoiced_through=days,
    changes=st.lists(st.tuples(prices, days), min_size=1, max_size=3),
)
def test_rate_changes_never_re_rate_invoiced_time(entries, invoiced_through, changes):
    card = a_rate_card(
        a_rate("consultant", "150.00"),
        a_rate("consultant", "165.00", effective_from=dt.date(2026, 12, 15)),
    )
    terms = terms_for(TimeAndMaterials(), rate_card=card)
    invoiced = Invoiced(through=invoiced_through)
    work = [
        time_worked(str(h), on=day, source_id=f"TC-{i}")
        for i, (day, h) in enumerate(entries)
        if day <= invoiced_through
    ]
    state = TermsState.start("USD")
    amended = terms
    for new_price, effective_from in changes:
        change = TermsChange(
            "NA", rate_changes=[RateChange("consultant", new_price, effective_from)]
        )
        amended = amended_or_none(amended, change, state, invoiced) or amended

    for item in work:
        assert rate(amended, state, item).charges == rate(terms, state, item).charges


re_prices = st.one_of(
    st.none(), st.integers(min_value=1, max_value=10**7).map(lambda n: str(Decimal(n).scaleb(-2)))
)
CODES = ["DISCOVERY", "BUILD", "GO-LIVE"]
FIRST_PRICES = ["6000.00", "18000.00", "6000.00"]


@given(
    new_prices=st.lists(re_prices, min_size=3, max_size=3),
    invoiced_codes=st.sets(st.sampled_from(CODES)),
)
def test_milestone_re_prices_never_change_an_invoiced_milestone(new_prices, invoiced_codes):
    old = [milestone(c, a) for c, a in zip(CODES, FIRST_PRICES, strict=True)]
    terms = terms_for(FixedFee(money("30000.00"), old))
    new = [milestone(c, p or a) for c, p, a in zip(CODES, new_prices, FIRST_PRICES, strict=True)]
    fee = sum((m.amount for m in new), money("0.00"))
    change = TermsChange("NA", fee=fee, milestones=new)
    state = TermsState.start("USD")

    amended = amended_or_none(terms, change, state, Invoiced(milestones=invoiced_codes)) or terms

    assert isinstance(amended.method, FixedFee)
    for code in invoiced_codes:
        kept = amended.method.milestone(code)
        assert kept is not None and kept.amount == old[CODES.index(code)].amount


@given(
    entries=st.lists(hours, min_size=1, max_size=8),
    cap_units=st.integers(min_value=1, max_value=10**6),
    raise_units=st.integers(min_value=0, max_value=10**6),
)
def test_a_raised_cap_bills_held_work_whole_and_never_past_the_new_cap(
    entries, cap_units, raise_units
):
    card = a_rate_card(a_rate("consultant", "150.00"))
    cap = Money.from_minor_units("USD", cap_units)
    terms = terms_for(TimeAndMaterials(cap=cap), rate_card=card)
    state = TermsState.start("USD")
    for index, h in enumerate(entries):
        state = rate(terms, state, time_worked(str(h), source_id=f"TC-{index}")).state
    new_cap = cap + Money.from_minor_units("USD", raise_units)
    raised = amend_terms(terms, TermsChange("NA", cap=new_cap), state, Invoiced())

    released = release_held(raised, state)
    after = released.state

    assert [c.source_id for c in released.charges] + [h.source_id for h in after.held] == [
        h.source_id for h in state.held
    ]
    assert total(released.charges, "USD") + state.cap_used == after.cap_used
    assert after.cap_used.amount <= new_cap.amount
    if after.held:
        assert (after.cap_used + after.held[0].amount).amount > new_cap.amount
