"""ERP route books and the audit of their changes through the real tables."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, text

from adapters.persistence.column_types import NotExactlyStored
from adapters.persistence.tables import outbox
from application.ports import RouteChange
from domain.erp_routing import Erp, ErpRoute, ErpTarget, RouteBook

NOW = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
LEGACY_GB = ErpTarget(Erp.LEGACY, "GB-OU-204")
NETSUITE_GB = ErpTarget(Erp.NETSUITE, "3")
ON_LEGACY = ErpRoute("GB01", dt.date(2020, 1, 1), LEGACY_GB)
PILOT = ErpRoute("GB01", dt.date(2026, 12, 15), NETSUITE_GB, shadow=LEGACY_GB)


def a_book(*routes: ErpRoute) -> RouteBook:
    book = RouteBook.start("GB01", {"GB01", "US01"})
    for route in routes:
        book.set(route, today=NOW.date(), set_by="alice@firm.example", now=NOW)
    return book


def saved(uow_factory, book: RouteBook) -> None:
    with uow_factory() as uow:
        uow.erp_routes.add(book)
        uow.commit()


def test_a_route_book_with_a_dual_write_comes_back_equal(uow_factory):
    saved(uow_factory, a_book(ON_LEGACY, PILOT))

    with uow_factory() as uow:
        loaded = uow.erp_routes.get("GB01")

    assert loaded.routes == [ON_LEGACY, PILOT]
    assert loaded.events == []


def test_setting_a_route_publishes_its_event_through_the_outbox(engine, uow_factory):
    saved(uow_factory, a_book(ON_LEGACY))
    with uow_factory() as uow:
        book = uow.erp_routes.get("GB01")
        book.set(PILOT, today=NOW.date(), set_by="alice@firm.example", now=NOW)
        uow.commit()

    with engine.connect() as connection:
        subjects = list(connection.scalars(select(outbox.c.subject).order_by(outbox.c.seq)))
    assert subjects == ["o2c.v1.test.ErpRouteSet", "o2c.v1.test.ErpRouteSet"]


def test_books_are_listed_in_legal_entity_code_order(uow_factory):
    saved(uow_factory, a_book(ON_LEGACY))
    us = RouteBook.start("US01", {"US01"})
    us.set(
        ErpRoute("US01", dt.date(2026, 1, 1), NETSUITE_GB), today=NOW.date(), set_by="a", now=NOW
    )
    saved(uow_factory, us)

    with uow_factory() as uow:
        codes = [book.legal_entity_code for book in uow.erp_routes.all()]

    assert codes == ["GB01", "US01"]


def test_the_audit_keeps_who_when_and_the_old_and_new_route_newest_first(uow_factory):
    with uow_factory() as uow:
        uow.route_changes.add(RouteChange("GB01", "alice@firm.example", NOW, None, ON_LEGACY))
        later = NOW + dt.timedelta(days=1)
        uow.route_changes.add(RouteChange("GB01", "bob@firm.example", later, ON_LEGACY, PILOT))
        uow.route_changes.add(RouteChange("US01", "carol", later, None, ON_LEGACY))
        uow.commit()

    with uow_factory() as uow:
        newest, oldest = uow.route_changes.of_entity("GB01", 0, 10)
        older = uow.route_changes.of_entity("GB01", newest.seq, 10)

    assert (newest.set_by, newest.set_at, newest.previous, newest.route) == (
        "bob@firm.example",
        NOW + dt.timedelta(days=1),
        ON_LEGACY,
        PILOT,
    )
    assert (oldest.set_by, oldest.set_at, oldest.previous, oldest.route) == (
        "alice@firm.example",
        NOW,
        None,
        ON_LEGACY,
    )
    assert older == [oldest]


def test_a_change_not_committed_leaves_no_audit(uow_factory):
    with uow_factory() as uow:
        uow.route_changes.add(RouteChange("GB01", "alice", NOW, None, ON_LEGACY))

    with uow_factory() as uow:
        assert uow.route_changes.of_entity("GB01", 0, 10) == []


def test_routes_are_stored_as_plain_text_and_days(engine, uow_factory):
    saved(uow_factory, a_book(PILOT))

    with engine.connect() as connection:
        [stored] = connection.execute(text("SELECT routes FROM erp_route_books")).scalars()

    stored = stored if isinstance(stored, list) else json.loads(stored)
    assert stored == [
        {
            "legal_entity_code": "GB01",
            "effective_from": "2026-12-15",
            "primary": {"erp": "netsuite", "erp_legal_entity": "3"},
            "shadow": {"erp": "legacy", "erp_legal_entity": "GB-OU-204"},
        }
    ]


def test_a_stored_route_no_longer_valid_is_refused_on_reading_naming_its_column(
    engine, uow_factory
):
    saved(uow_factory, a_book(ON_LEGACY))
    same_erp_twice = (
        '[{"legal_entity_code": "GB01", "effective_from": "2020-01-01", '
        '"primary": {"erp": "legacy", "erp_legal_entity": "A"}, '
        '"shadow": {"erp": "legacy", "erp_legal_entity": "B"}}]'
    )
    with engine.begin() as connection:
        connection.execute(text("UPDATE erp_route_books SET routes = :r"), {"r": same_erp_twice})

    with uow_factory() as uow, pytest.raises(NotExactlyStored, match=r"erp_route_books\.routes"):
        uow.erp_routes.get("GB01")
