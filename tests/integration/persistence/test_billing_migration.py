"""A database of time entries written before billing (revision 0007) reads them after 0008 as
rated work: the same hours, rate and amount, as one time charge traced to the event's id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import Engine, MetaData, Table, insert, select
from support.databases import BACKENDS, engine_at_revision

from adapters.persistence.engine import session_factory
from adapters.persistence.migrate import alembic_config, foreign_keys_unenforced, migrate
from domain.billable_event import BillableEvent, BillableEventStatus
from domain.billing.charges import Charge, ChargeKind
from domain.billing.work import TimeWorked
from domain.engagement import Engagement
from domain.money import Money
from domain.unit_price import UnitPrice

APPROVED_AT = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)
MARCH_10 = dt.date(2025, 3, 10)


@pytest.fixture(params=BACKENDS)
def database_at_0007(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    yield from engine_at_revision(request.param, tmp_path, "0007")


def old_tables(engine: Engine) -> dict[str, Table]:
    metadata = MetaData()
    return {
        name: Table(name, metadata, autoload_with=engine)
        for name in ("engagements", "billable_events")
    }


def an_old_engagement(engagement_id: str, currency: str, rate_units: int) -> dict:
    return {
        "id": engagement_id,
        "opportunity_id": f"006-{engagement_id}",
        "account_id": "001-GLOBEX",
        "account_name": "Globex Corporation",
        "legal_entity_code": "GLOBEX-UK",
        "currency": currency,
        "billing_method": "time_and_materials",
        "rate_card": {"currency": currency, "rates": []},
        "start_date": dt.date(2025, 1, 6),
        "end_date": dt.date(2025, 12, 19),
        "contract_value_currency": currency,
        "contract_value_minor_units": rate_units * 1000,
        "status": "active",
        "version": 1,
    }


def an_old_time_entry(event_id: str, currency: str, hours: int, rate: int, amount: int) -> dict:
    """Hours in ten-thousandths, rate and amount in minor units, as 0003 to 0007 stored them."""
    return {
        "id": event_id,
        "source_system": "psa",
        "source_id": f"TC-{event_id}",
        "engagement_id": f"E-{currency}",
        "kind": "time",
        "resource": "Ada Lovelace",
        "role": "consultant",
        "work_date": MARCH_10,
        "hours_ten_thousandths": hours,
        "rate_currency": currency,
        "rate_minor_units": rate,
        "amount_currency": currency,
        "amount_minor_units": amount,
        "status": "staged",
        "approved_at": APPROVED_AT,
        "version": 1,
    }


OLD_EVENTS = [
    an_old_time_entry("B-USD", "USD", 7_000, 10, 7),  # 0.7 h at 0.10 = 0.07
    an_old_time_entry("B-KWD", "KWD", 72_500, 62_375, 452_219),  # 7.25 h at 62.375
    an_old_time_entry("B-JPY", "JPY", 13_333, 28_000, 37_332),  # 1.3333 h at 28,000
]


def write_old_rows(engine: Engine) -> None:
    tables = old_tables(engine)
    engagements = [an_old_engagement(f"E-{c}", c, 100) for c in ("USD", "KWD", "JPY")]
    with engine.begin() as connection:
        connection.execute(insert(tables["engagements"]), engagements)
        connection.execute(insert(tables["billable_events"]), OLD_EVENTS)


def loaded_events(engine: Engine) -> dict[str, BillableEvent]:
    with session_factory(engine)() as session:
        return {event.id: event for event in session.scalars(select(BillableEvent))}


def test_old_time_entries_become_time_worked_with_one_time_charge_each(database_at_0007):
    write_old_rows(database_at_0007)

    migrate(database_at_0007)

    events = loaded_events(database_at_0007)
    kwd = events["B-KWD"]
    assert kwd.work == TimeWorked("B-KWD", "consultant", MARCH_10, Decimal("7.25"))
    assert kwd.charges == (
        Charge(ChargeKind.TIME, "B-KWD", Money("KWD", Decimal("452.219")), Decimal("7.25")),
    )
    assert kwd.unit_price == UnitPrice("KWD", Decimal("62.375"))
    assert (kwd.work_package_code, kwd.status) == ("", BillableEventStatus.STAGED)
    assert {i: (e.hours, e.rate, e.amount) for i, e in events.items()} == {
        "B-USD": (Decimal("0.7"), Money.of("0.10", "USD"), Money.of("0.07", "USD")),
        "B-KWD": (Decimal("7.25"), Money.of("62.375", "KWD"), Money.of("452.219", "KWD")),
        "B-JPY": (Decimal("1.3333"), Money.of(28000, "JPY"), Money.of(37332, "JPY")),
    }
    assert {i: e.charges[0].amount for i, e in events.items()} == {
        i: e.amount for i, e in events.items()
    }


def test_a_migrated_entry_recognises_its_own_retry(database_at_0007):
    write_old_rows(database_at_0007)
    migrate(database_at_0007)

    jpy = loaded_events(database_at_0007)["B-JPY"]
    retry = TimeWorked("a new id", "consultant", MARCH_10, Decimal("1.3333"))

    jpy.check_same_work(jpy.engagement_id, "", "Ada Lovelace", retry, "source_id")


def test_old_engagements_bill_their_own_country_net_30(database_at_0007):
    write_old_rows(database_at_0007)

    migrate(database_at_0007)

    with session_factory(database_at_0007)() as session:
        engagement = session.get(Engagement, "E-USD")
    assert (
        engagement.customer_country,
        engagement.customer_vat_number,
        engagement.payment_terms_days,
    ) == ("", "", 30)


def test_going_back_to_0007_keeps_the_time_entries(database_at_0007):
    write_old_rows(database_at_0007)
    migrate(database_at_0007)

    with (
        database_at_0007.connect() as connection,
        foreign_keys_unenforced(connection),
        connection.begin(),
    ):
        command.downgrade(alembic_config(connection), "0007")

    table = old_tables(database_at_0007)["billable_events"]
    kept = ("id", "hours_ten_thousandths", "rate_minor_units", "amount_minor_units", "status")
    with database_at_0007.connect() as connection:
        rows = connection.execute(select(table.c[kept]).order_by(table.c.id)).all()
    assert rows == sorted(tuple(event[c] for c in kept) for event in OLD_EVENTS)
