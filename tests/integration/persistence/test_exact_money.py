"""Amounts a float cannot hold, in currencies of 0, 2 and 3 digits, through the real tables."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import JSON, select, type_coerce, update

from adapters.persistence.column_types import NotExactlyStored, exact_sum
from adapters.persistence.tables import billable_events, engagements
from domain.money import Money

from .builders import (
    a_staged_time_entry,
    a_time_entry,
    an_active_engagement,
    an_engagement,
    at_hourly_rate,
)

FLOAT_UNFRIENDLY = [
    ("USD", "0.10"),
    ("USD", "0.70"),
    ("USD", "45000000000000.01"),
    ("KWD", "45000000000.125"),
    ("KWD", "0.001"),
    ("JPY", "15000000"),
    ("JPY", "9007199254740993"),
]


def save(uow_factory, engagement, *billable_events) -> None:
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()
    with uow_factory() as uow:
        for billable_event in billable_events:
            uow.billable_events.add(billable_event)
        uow.commit()


@pytest.mark.parametrize(("currency", "amount"), FLOAT_UNFRIENDLY)
def test_a_contract_value_a_float_cannot_hold_comes_back_exactly(uow_factory, currency, amount):
    engagement = an_engagement(currency)
    engagement.contract_value = Money(currency, Decimal(amount))
    save(uow_factory, engagement)

    with uow_factory() as uow:
        loaded = uow.engagements.get(engagement.id).contract_value

    assert loaded == Money(currency, Decimal(amount))
    assert loaded.amount_text() == Money(currency, Decimal(amount)).amount_text()


@pytest.mark.parametrize(
    ("currency", "rate", "hours", "amount"),
    [
        ("USD", "0.10", "0.7", "0.07"),
        ("USD", "9999999999.99", "0.1", "1000000000.00"),  # the largest rate a unit price holds
        ("KWD", "62.375", "7.25", "452.219"),
        ("JPY", "28001", "0.3333", "9333"),
    ],
)
def test_a_staged_rate_amount_and_hours_come_back_exactly(
    uow_factory, currency, rate, hours, amount
):
    engagement = at_hourly_rate(an_active_engagement(currency), rate)
    staged = a_staged_time_entry(engagement, a_time_entry(engagement, hours=hours))
    save(uow_factory, engagement, staged)

    with uow_factory() as uow:
        loaded = uow.billable_events.get(staged.id)

    assert loaded.hours == Decimal(hours)
    assert loaded.rate == Money(currency, Decimal(rate))
    assert loaded.amount == Money(currency, Decimal(amount))


def test_hours_are_summed_exactly_in_sql(engine, uow_factory):
    engagement = at_hourly_rate(an_active_engagement("USD"), "1.00")
    tenths = [
        a_staged_time_entry(engagement, a_time_entry(engagement, hours="0.1")) for _ in range(1000)
    ]
    save(uow_factory, engagement, *tenths)

    with engine.connect() as connection:
        total = connection.execute(select(exact_sum(billable_events.c.hours_ten_thousandths)))

    assert total.scalar_one() == Decimal("100.0000")


@pytest.mark.parametrize("stored_rate", [0.1, "0.105", "ten"])
def test_a_rate_card_rate_stored_as_a_float_or_inexact_is_an_error_naming_the_rate_card(
    engine, uow_factory, stored_rate
):
    engagement = an_engagement("USD")
    save(uow_factory, engagement)
    line = {"role": "consultant", "currency": "USD", "amount": stored_rate}
    with engine.begin() as connection:
        connection.execute(
            update(engagements).values(
                rate_card=type_coerce({"currency": "USD", "rates": [line]}, JSON)
            )
        )

    with pytest.raises(NotExactlyStored, match="rate_card"), uow_factory() as uow:
        uow.engagements.get(engagement.id)
