"""Billing values through their JSON columns and back: equal, never a float, and a stored value
that is not exact or not valid refused with the column's name."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite
from support.amendments import change_order, milestone, new_rate, terms_of_package
from support.billing import (
    a_rate,
    a_rate_card,
    capped_december,
    capped_december_terms,
    expense,
    milestone_completed,
    period_began,
    price,
    rate_in_turn,
    terms_for,
    time_worked,
    usage,
)
from support.billing_cycle import staged
from support.invoicing import (
    BAHRAIN_CO,
    BERLIN_GMBH,
    MANAMA_WLL,
    NEW_YEARS_EVE,
    NOW,
    OSAKA_CO,
    PARIS_SA,
    TOKYO_KK,
    a_draft,
    bill_each,
    charge,
    credit_notes_of,
    finalised,
    payment,
)
from support.invoicing import money as invoice_money

from adapters.persistence import billing_json
from adapters.persistence.column_types import NotExactlyStored
from domain.billing.amendments import TermsChange
from domain.billing.charges import Charge, ChargeKind
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
from domain.billing.rate_card import BillingRateCard
from domain.billing.terms import ExpensePolicy
from domain.billing.work import ExpenseIncurred
from domain.money import Money

DIALECTS = [sqlite.dialect(), postgresql.dialect()]
CURRENCIES = {"JPY": 0, "USD": 2, "KWD": 3}


def through(column: billing_json.BillingJson, value: Any) -> Any:
    """Written, serialised as the database driver would, and read back."""
    stored = column.process_bind_param(value, DIALECTS[0])
    text = json.dumps(stored)
    check_no_floats(json.loads(text))
    return column.process_result_value(json.loads(text), DIALECTS[0])


def check_no_floats(value: Any) -> None:
    assert not isinstance(value, float), value
    if isinstance(value, dict):
        for item in value.values():
            check_no_floats(item)
    if isinstance(value, list):
        for item in value:
            check_no_floats(item)


def usd(amount: str) -> Money:
    return Money("USD", Decimal(amount))


def kwd(amount: str) -> Money:
    return Money("KWD", Decimal(amount))


def jpy(amount: str) -> Money:
    return Money("JPY", Decimal(amount))


def every_method_terms() -> list:
    dinar_card = a_rate_card(a_rate("consultant", "62.375", "KWD"))
    yen_blended = BillingRateCard.blended(price("23456.5", "JPY"), dt.date(2026, 12, 1))
    tiers = (Tier(Decimal(1_000_000), price("0.0004")), Tier(None, price("0.00025")))
    milestones = (Milestone("design", jpy("4500000"), "Design"), Milestone("build", jpy("500000")))
    return [
        capped_december_terms(),
        terms_for(TimeAndMaterials(), rate_card=a_rate_card(a_rate("consultant", "150.00"))),
        terms_for(FixedFee(jpy("5000000"), milestones), currency="JPY"),
        terms_for(
            Retainer(kwd("1500.000"), UnusedBalance.ROLLS_OVER),
            currency="KWD",
            rate_card=dinar_card,
        ),
        terms_for(
            SubscriptionPlusServices(jpy("500000"), TimeAndMaterials(cap=jpy("1000000"))),
            currency="JPY",
            rate_card=yen_blended,
        ),
        terms_for(
            Usage(Decimal("100000.5"), tiers),
            expenses=ExpensePolicy(Decimal("12.5"), frozenset({"minibar", "alcohol"})),
        ),
        terms_for(
            TimeAndMaterials(),
            rate_card=a_rate_card(
                a_rate("consultant", "150.00", effective_until=dt.date(2026, 12, 14)),
                a_rate("consultant", "165.00", effective_from=dt.date(2026, 12, 15)),
                discount_percent="12.5",
            ),
        ),
    ]


@pytest.mark.parametrize("terms", every_method_terms(), ids=lambda t: type(t.method).__name__)
def test_billing_terms_of_every_method_come_back_equal(terms):
    column = billing_json.terms_column("billing_agreements.terms")

    assert through(column, {terms.work_package_code: terms}) == {terms.work_package_code: terms}


def test_the_running_state_with_held_work_comes_back_equal():
    _, state = capped_december()
    assert state.held  # the worked example holds TC-3's 388.50 over the cap

    assert through(billing_json.states_column("states"), {"NA": state}) == {"NA": state}


def test_the_state_of_fees_usage_and_milestones_comes_back_equal():
    tiers = (Tier(Decimal(1_000_000), price("0.0004")), Tier(None, price("0.00025")))
    _, usage_state = rate_in_turn(
        terms_for(Usage(Decimal(100_000), tiers)),
        [usage("80000.5"), usage(130_000, on=dt.date(2027, 1, 4), source_id="US-2")],
    )
    dinar_card = a_rate_card(a_rate("consultant", "62.375", "KWD"))
    retainer = terms_for(
        Retainer(kwd("1500.000"), UnusedBalance.EXPIRES), currency="KWD", rate_card=dinar_card
    )
    _, retainer_state = rate_in_turn(
        retainer, [period_began(dt.date(2026, 12, 1)), time_worked("20.1234")]
    )
    fee = FixedFee(jpy("600"), (Milestone("build", jpy("600")),))
    _, milestone_state = rate_in_turn(
        terms_for(fee, currency="JPY"), [milestone_completed("build")]
    )
    states = {"USAGE": usage_state, "RETAINER": retainer_state, "FEE": milestone_state}

    assert through(billing_json.states_column("states"), states) == states


def test_amendments_with_changes_rates_milestones_and_new_terms_come_back_equal():
    card = a_rate_card(a_rate("consultant", "150.00"))
    amendments = [
        change_order(
            TermsChange(
                "NA",
                cap=usd("5000.00"),
                rate_changes=(new_rate("consultant", "0.0004", dt.date(2027, 1, 1)),),
            ),
            version=1,
        ),
        change_order(
            TermsChange("FF", fee=usd("900.00"), milestones=(milestone("a", "900.00"),)),
            version=2,
            new_terms=[terms_of_package("NEW", TimeAndMaterials(), card)],
        ),
    ]

    assert through(billing_json.amendments_column("amendments"), amendments) == amendments


WORK = [
    time_worked("7.3333"),
    expense(kwd("12.345"), category="hotel"),
    ExpenseIncurred("EX-2", "taxi", dt.date(2026, 12, 2), jpy("0")),
    milestone_completed("go-live"),
    usage("123456.12345678"),
    period_began(dt.date(2026, 12, 1)),
]


@pytest.mark.parametrize("work", WORK, ids=lambda w: type(w).__name__)
def test_work_of_every_kind_comes_back_equal(work):
    assert through(billing_json.work_column("billable_events.work"), work) == work


def test_charges_keep_their_kind_amount_and_quantity():
    charges = (
        Charge(ChargeKind.RETAINER_DRAWDOWN, "TC-1", kwd("252.500"), Decimal("4.0481")),
        Charge(ChargeKind.USAGE, "US-1", usd("0.01"), Decimal("25.00000001")),
        Charge(ChargeKind.TIME, "TC-2", jpy("37332"), Decimal("1.3333")),
    )

    assert through(billing_json.charges_column("charges"), charges) == charges


def invoices() -> list:
    """Drafts, discounted, finalised, credited, paid: in yen, pounds and dinars."""
    yen = bill_each(
        a_draft(TOKYO_KK, OSAKA_CO, "JPY", invoice_id="JP"),
        [
            charge("37333", "TC-1", currency="JPY"),
            charge("1001", "EX-1", ChargeKind.EXPENSE, "JPY"),
        ],
        service_type="consulting",
    )
    pounds = bill_each(a_draft(), [charge("1000.01", "TC-2"), charge("250.00", "TC-3")])
    pounds.give_discount(invoice_money("100.00"))
    finalised(pounds)
    pounds.issue_credit_note(
        credit_note_id="CN-1",
        sequence=credit_notes_of(pounds.legal_entity),
        issued_on=NEW_YEARS_EVE,
        now=NOW,
        reason="hours overstated",
        lines={1: invoice_money("100.00")},
    )
    pounds.apply_payment(payment("500.00"), NOW)
    dinars = bill_each(
        a_draft(MANAMA_WLL, BAHRAIN_CO, "KWD", invoice_id="BH"),
        [charge("452.219", "TC-4", currency="KWD")],
    )
    reverse_charged = bill_each(
        a_draft(BERLIN_GMBH, PARIS_SA, "EUR", invoice_id="DE"),
        [charge("999.99", "TC-5", currency="EUR")],
    )
    return [yen, pounds, dinars, reverse_charged]


@pytest.mark.parametrize("invoice", invoices(), ids=lambda i: i.id)
def test_every_part_of_an_invoice_comes_back_equal(invoice):
    parts = {
        "legal_entity": (billing_json.legal_entity_column, invoice.legal_entity),
        "customer": (billing_json.customer_column, invoice.customer),
        "payment_terms": (billing_json.payment_terms_column, invoice.payment_terms),
        "lines": (billing_json.lines_column, invoice.lines),
        "credit_notes": (billing_json.credit_notes_column, invoice.credit_notes),
        "payments": (billing_json.payments_column, invoice.payments),
    }
    for name, (column, value) in parts.items():
        assert through(column(name), value) == value, name
    if invoice.number is not None:
        assert (
            through(billing_json.document_number_column("number"), invoice.number) == invoice.number
        )
    if invoice.discount is not None:
        assert through(billing_json.money_column("discount"), invoice.discount) == invoice.discount


def test_a_staged_charge_of_the_billing_cycle_comes_back_equal():
    charges = (staged("37332", "JPY", "TC-9", on=dt.date(2026, 12, 3)).charge,)

    assert through(billing_json.charges_column("charges"), charges) == charges


def money_of(currency: str) -> st.SearchStrategy[Money]:
    units = st.integers(min_value=-(10**17) + 1, max_value=10**17 - 1)
    return units.map(lambda n: Money.from_minor_units(currency, n))


@given(st.sampled_from(sorted(CURRENCIES)).flatmap(money_of))
def test_any_amount_in_yen_dollars_or_dinars_comes_back_to_the_minor_unit(amount):
    assert through(billing_json.money_column("discount"), amount) == amount


@given(
    st.sampled_from(sorted(CURRENCIES)).flatmap(money_of),
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(10**9), places=4),
)
def test_any_charge_comes_back_equal(amount, quantity):
    charges = (Charge(ChargeKind.TIME, "TC-1", amount, quantity),)

    assert through(billing_json.charges_column("charges"), charges) == charges


def stored_money(amount: Any, currency: str = "USD") -> dict:
    return {"currency": currency, "amount": amount}


@pytest.mark.parametrize(
    ("stored", "problem"),
    [
        (stored_money(0.1), "a float"),
        (stored_money("1.005"), "more decimals than the currency has"),
        (stored_money("1.5", "JPY"), "a fraction of a yen"),
        (stored_money("1e3"), "an exponent"),
        (stored_money("NaN"), "not a number"),
        (stored_money("12", "XYZ"), "an unknown currency"),
        ({"currency": "USD"}, "no amount"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_stored_money_that_is_not_exact_is_refused_naming_the_column(stored, problem):
    column = billing_json.money_column("invoices.discount")

    with pytest.raises(NotExactlyStored, match=r"invoices\.discount") as refused:
        column.process_result_value(stored, DIALECTS[0])
    assert refused.value.column == "invoices.discount"


def test_stored_terms_that_break_an_invariant_are_refused_naming_the_column():
    column = billing_json.terms_column("billing_agreements.terms")
    stored = column.process_bind_param({"NA": capped_december_terms()}, DIALECTS[0])
    stored[0]["end_date"] = "2026-01-01"  # before the start

    with pytest.raises(NotExactlyStored, match=r"billing_agreements\.terms"):
        column.process_result_value(stored, DIALECTS[0])


def test_stored_milestones_that_no_longer_sum_to_the_fee_are_refused():
    column = billing_json.terms_column("billing_agreements.terms")
    fee = FixedFee(jpy("600"), (Milestone("build", jpy("600")),))
    stored = column.process_bind_param({"NA": terms_for(fee, currency="JPY")}, DIALECTS[0])
    stored[0]["method"]["milestones"][0]["amount"]["amount"] = "599"

    with pytest.raises(NotExactlyStored, match="milestones sum"):
        column.process_result_value(stored, DIALECTS[0])


def test_hours_stored_as_a_number_are_refused():
    column = billing_json.work_column("billable_events.work")
    stored = column.process_bind_param(time_worked("7.5"), DIALECTS[0])
    stored["hours"] = 7.5

    with pytest.raises(NotExactlyStored, match=r"billable_events\.work"):
        column.process_result_value(stored, DIALECTS[0])


def test_none_is_stored_as_sql_null():
    column = billing_json.money_column("invoices.discount")

    assert column.process_bind_param(None, DIALECTS[1]) is None
    assert column.process_result_value(None, DIALECTS[1]) is None
