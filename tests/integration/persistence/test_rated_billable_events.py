"""Billable events of every kind of work, with their charges and unit price, through the real
table; and the queries a billing cycle makes of them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest
from support.billing import expense, period_began, time_worked, usage

from domain.billable_event import BillableEvent, BillableEventStatus
from domain.billing.charges import Charge, ChargeKind
from domain.billing.rating import Rated
from domain.billing.state import TermsState
from domain.billing.work import Work
from domain.money import Money
from domain.ownership import System
from domain.unit_price import UnitPrice

from .builders import NOW, an_active_engagement

HELD = ChargeKind.HELD_OVER_CAP


@pytest.fixture
def engagement(uow_factory):
    saved = an_active_engagement("USD")
    with uow_factory() as uow:
        uow.engagements.add(saved)
        uow.commit()
    return saved


def approved(
    engagement,
    event_id: str,
    work: Work,
    *charges: tuple[ChargeKind, str, str],
    unit_price: UnitPrice | None = None,
) -> BillableEvent:
    """`work` under the event's own id, rated into (kind, amount, quantity) charges."""
    work = attrs.evolve(work, source_id=event_id)
    rated = Rated(
        tuple(
            Charge(kind, event_id, Money("USD", Decimal(a)), Decimal(q)) for kind, a, q in charges
        ),
        TermsState.start("USD"),
    )
    return BillableEvent.approve(
        event_id=event_id,
        source_system=System.PSA,
        source_id=f"SRC-{event_id}",
        engagement_id=engagement.id,
        work_package_code="EMEA-1",
        resource="Ada Lovelace",
        work=work,
        rated=rated,
        currency="USD",
        unit_price=unit_price,
        now=NOW,
    )


def save(uow_factory, *events: BillableEvent) -> None:
    with uow_factory() as uow:
        for event in events:
            uow.billable_events.add(event)
        uow.commit()


def test_time_at_a_rate_finer_than_a_cent_keeps_its_unit_price_and_has_no_money_rate(
    uow_factory, engagement
):
    price = UnitPrice("USD", Decimal("187.33333333"))
    event = approved(
        engagement,
        "EV-1",
        time_worked("3"),
        (ChargeKind.TIME, "562.00", "3"),
        unit_price=price,
    )
    save(uow_factory, event)

    with uow_factory() as uow:
        loaded = uow.billable_events.get("EV-1")

    assert (loaded.hours, loaded.rate, loaded.unit_price) == (Decimal(3), None, price)
    assert loaded.work == event.work
    assert loaded.charges == event.charges
    assert (loaded.work_package_code, loaded.events) == ("EMEA-1", [])


def test_usage_has_no_hours_nor_rate_and_its_charges_come_back(uow_factory, engagement):
    event = approved(
        engagement,
        "EV-2",
        usage("150000.5"),
        (ChargeKind.USAGE, "20.00", "50000.5"),
        unit_price=UnitPrice("USD", Decimal("0.0004")),
    )
    save(uow_factory, event)

    with uow_factory() as uow:
        loaded = uow.billable_events.get("EV-2")

    assert (loaded.kind, loaded.hours, loaded.rate) == ("usage", None, None)
    assert loaded.unit_price == UnitPrice("USD", Decimal("0.0004"))
    assert (loaded.work, loaded.charges) == (event.work, event.charges)


def test_work_held_over_the_cap_comes_back_held(uow_factory, engagement):
    event = approved(engagement, "EV-3", time_worked("2"), (HELD, "300.00", "2"))
    save(uow_factory, event)

    with uow_factory() as uow:
        loaded = uow.billable_events.get("EV-3")

    assert loaded.status is BillableEventStatus.HELD_OVER_CAP
    assert loaded.amount == Money("USD", Decimal("0.00"))
    assert loaded.charges == event.charges


def test_staged_events_are_those_waiting_for_an_invoice_through_a_day_in_date_order(
    uow_factory, engagement
):
    late = approved(
        engagement,
        "EV-4",
        expense(Money("USD", Decimal("80.00")), on=dt.date(2026, 12, 20)),
        (ChargeKind.EXPENSE, "80.00", "1"),
    )
    early = approved(
        engagement,
        "EV-5",
        period_began(dt.date(2026, 12, 1)),
        (ChargeKind.PERIOD_FEE, "500.00", "1"),
    )
    after = approved(
        engagement,
        "EV-6",
        time_worked("1", on=dt.date(2027, 1, 2)),
        (ChargeKind.TIME, "150.00", "1"),
    )
    held = approved(engagement, "EV-7", time_worked("2"), (HELD, "300.00", "2"))
    save(uow_factory, late, early, after, held)

    with uow_factory() as uow:
        staged = uow.billable_events.staged([engagement.id], dt.date(2026, 12, 31))
        others = uow.billable_events.staged(["ENG-ELSEWHERE"], dt.date(2026, 12, 31))
        by_id = uow.billable_events.of_ids(["EV-7", "EV-4", "EV-MISSING"])
        of_engagement = uow.billable_events.of_engagement(engagement.id)

    assert [event.id for event in staged] == ["EV-5", "EV-4"]
    assert others == []
    assert [event.id for event in by_id] == ["EV-4", "EV-7"]
    assert [event.id for event in of_engagement] == ["EV-5", "EV-7", "EV-4", "EV-6"]


def test_an_invoiced_event_is_no_longer_staged(uow_factory, engagement):
    save(
        uow_factory,
        approved(engagement, "EV-8", time_worked("1"), (ChargeKind.TIME, "150.00", "1")),
    )
    with uow_factory() as uow:
        uow.billable_events.get("EV-8").mark_invoiced()
        uow.commit()

    with uow_factory() as uow:
        assert uow.billable_events.staged([engagement.id], dt.date(2027, 12, 31)) == []
        assert uow.billable_events.get("EV-8").status is BillableEventStatus.INVOICED
