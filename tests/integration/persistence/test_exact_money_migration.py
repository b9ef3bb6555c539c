"""A database written before money was exact (revision 0002) reads the same money after 0003."""

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
from domain.billable_event import BillableEvent
from domain.engagement import Engagement
from domain.money import Money

APPROVED_AT = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(params=BACKENDS)
def database_at_0002(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    yield from engine_at_revision(request.param, tmp_path, "0002")


def old_tables(engine: Engine) -> dict[str, Table]:
    """The tables as revision 0002 made them, amounts NUMERIC(18,3) as the application wrote."""
    metadata = MetaData()
    names = ("engagements", "work_packages", "billable_events")
    return {name: Table(name, metadata, autoload_with=engine) for name in names}


def an_old_engagement(engagement_id: str, currency: str, value: str, rate: str) -> dict:
    return {
        "id": engagement_id,
        "opportunity_id": f"006-{engagement_id}",
        "account_id": "001-GLOBEX",
        "account_name": "Globex Corporation",
        "legal_entity_code": "GLOBEX-UK",
        "currency": currency,
        "billing_method": "time_and_materials",
        "rate_card": {
            "currency": currency,
            "rates": [{"role": "consultant", "currency": currency, "amount": rate}],
        },
        "start_date": dt.date(2025, 1, 6),
        "end_date": dt.date(2025, 12, 19),
        "contract_value_currency": currency,
        "contract_value_amount": Decimal(value),
        "status": "active",
        "version": 1,
    }


def an_old_time_entry(event_id: str, engagement: dict, hours: str, amount: str) -> dict:
    currency = engagement["currency"]
    return {
        "id": event_id,
        "source_system": "psa",
        "source_id": f"TC-{event_id}",
        "engagement_id": engagement["id"],
        "kind": "time",
        "resource": "Ada Lovelace",
        "role": "consultant",
        "work_date": dt.date(2025, 3, 10),
        "hours": Decimal(hours),
        "rate_currency": currency,
        "rate_amount": Decimal(engagement["rate_card"]["rates"][0]["amount"]),
        "amount_currency": currency,
        "amount_amount": Decimal(amount),
        "status": "staged",
        "approved_at": APPROVED_AT,
        "version": 1,
    }


def write_old_rows(engine: Engine, engagements: list[dict], events: list[dict]) -> None:
    tables = old_tables(engine)
    packages = [
        {
            "engagement_id": e["id"],
            "code": code,
            "position": position,
            "name": code,
            "region": "EMEA",
        }
        for e in engagements
        for position, code in enumerate(("EMEA-1", "EMEA-2"))
    ]
    with engine.begin() as connection:
        for table, rows in (("engagements", engagements), ("work_packages", packages)):
            connection.execute(insert(tables[table]), rows)
        if events:
            connection.execute(insert(tables["billable_events"]), events)


def test_money_and_hours_written_before_read_back_the_same_after_migrating(database_at_0002):
    usd = an_old_engagement("E-USD", "USD", "45000000000000.01", "0.10")
    kwd = an_old_engagement("E-KWD", "KWD", "45000.125", "62.375")
    jpy = an_old_engagement("E-JPY", "JPY", "15000000", "28000")
    events = [
        an_old_time_entry("B-USD", usd, "0.7", "0.07"),
        an_old_time_entry("B-KWD", kwd, "7.25", "452.219"),
        an_old_time_entry("B-JPY", jpy, "1.3333", "37332"),
    ]
    write_old_rows(database_at_0002, [usd, kwd, jpy], events)

    migrate(database_at_0002)

    with session_factory(database_at_0002)() as session:
        contract_values = {e.id: e.contract_value for e in session.scalars(select(Engagement))}
        staged = {b.id: (b.hours, b.rate, b.amount) for b in session.scalars(select(BillableEvent))}
        packages = {e.id: len(e.work_packages) for e in session.scalars(select(Engagement))}
    assert contract_values == {
        "E-USD": Money("USD", Decimal("45000000000000.01")),
        "E-KWD": Money("KWD", Decimal("45000.125")),
        "E-JPY": Money("JPY", Decimal("15000000")),
    }
    assert staged == {
        "B-USD": (Decimal("0.7"), Money.of("0.10", "USD"), Money.of("0.07", "USD")),
        "B-KWD": (Decimal("7.25"), Money.of("62.375", "KWD"), Money.of("452.219", "KWD")),
        "B-JPY": (Decimal("1.3333"), Money.of(28000, "JPY"), Money.of(37332, "JPY")),
    }
    assert packages == {"E-USD": 2, "E-KWD": 2, "E-JPY": 2}


def test_an_amount_with_more_decimals_than_its_currency_stops_the_migration_naming_the_row(
    database_at_0002,
):
    written_by_hand = an_old_engagement("E-HAND", "USD", "10.005", "150.00")
    write_old_rows(database_at_0002, [written_by_hand], [])

    with pytest.raises(RuntimeError, match=r"engagements\.contract_value_amount .*E-HAND"):
        migrate(database_at_0002)

    tables = old_tables(database_at_0002)
    with database_at_0002.connect() as connection:
        kept = connection.execute(select(tables["engagements"].c.contract_value_amount)).scalar()
    assert kept == Decimal("10.005")


def test_an_opportunity_id_longer_than_the_api_declares_stops_the_migration(database_at_0002):
    too_long = an_old_engagement("E-LONG", "USD", "10.00", "150.00")
    too_long["opportunity_id"] = "006" + "X" * 200
    write_old_rows(database_at_0002, [too_long], [])

    with pytest.raises(RuntimeError, match=r"engagements\.opportunity_id"):
        migrate(database_at_0002)


def test_going_back_to_0002_restores_the_old_amounts_and_hours(database_at_0002):
    kwd = an_old_engagement("E-KWD", "KWD", "45000.125", "62.375")
    write_old_rows(database_at_0002, [kwd], [an_old_time_entry("B-KWD", kwd, "7.25", "452.219")])
    migrate(database_at_0002, "0003")

    with (
        database_at_0002.connect() as connection,
        foreign_keys_unenforced(connection),
        connection.begin(),
    ):
        command.downgrade(alembic_config(connection), "0002")

    tables = old_tables(database_at_0002)
    amounts = select(tables["billable_events"].c["hours", "rate_amount", "amount_amount"])
    with database_at_0002.connect() as connection:
        assert connection.execute(amounts).one() == (
            Decimal("7.25"),
            Decimal("62.375"),
            Decimal("452.219"),
        )
