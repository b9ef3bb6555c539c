"""What every billable-event repository promises about the staged total: it is exact."""

from __future__ import annotations

from integration.persistence.builders import (
    a_staged_time_entry,
    a_time_entry,
    an_active_engagement,
    at_hourly_rate,
)

from contracts.units_of_work import read, save
from domain.money import Money


def stage_tenths_of_an_hour(uow_factory, engagement, count: int) -> None:
    """`count` entries of 0.1 hour at 1.00 an hour: 0.10 each, which no float holds."""
    entries = [
        a_staged_time_entry(engagement, a_time_entry(engagement, hours="0.1")) for _ in range(count)
    ]
    save(uow_factory, "billable_events", *entries)


def an_engagement_at_one_an_hour(uow_factory, currency: str = "USD"):
    engagement = at_hourly_rate(an_active_engagement(currency), "1.00")
    save(uow_factory, "engagements", engagement)
    return engagement


def test_a_thousand_amounts_of_ten_cents_total_exactly_one_hundred_dollars(uow_factory):
    engagement = an_engagement_at_one_an_hour(uow_factory)
    stage_tenths_of_an_hour(uow_factory, engagement, 1000)

    total = read(uow_factory, lambda uow: uow.billable_events.staged_total(engagement.id, "USD"))

    assert total == Money.of("100.00", "USD")
    assert total.amount_text() == "100.00"


def test_an_engagement_with_nothing_staged_totals_zero_in_its_currency(uow_factory):
    engagement = an_engagement_at_one_an_hour(uow_factory, "KWD")

    total = read(uow_factory, lambda uow: uow.billable_events.staged_total(engagement.id, "KWD"))

    assert total == Money.of(0, "KWD")


def test_the_total_counts_only_the_engagements_own_events(uow_factory):
    ours, theirs = (
        an_engagement_at_one_an_hour(uow_factory),
        an_engagement_at_one_an_hour(uow_factory),
    )
    stage_tenths_of_an_hour(uow_factory, ours, 3)
    stage_tenths_of_an_hour(uow_factory, theirs, 7)

    total = read(uow_factory, lambda uow: uow.billable_events.staged_total(ours.id, "USD"))

    assert total == Money.of("0.30", "USD")


def test_events_staged_in_the_open_unit_of_work_are_in_its_total(uow_factory):
    engagement = an_engagement_at_one_an_hour(uow_factory)
    with uow_factory() as uow:
        uow.billable_events.add(
            a_staged_time_entry(engagement, a_time_entry(engagement, hours="0.7"))
        )
        total = uow.billable_events.staged_total(engagement.id, "USD")

    assert total == Money.of("0.70", "USD")
