"""Setting ERP routes on real storage: the book, its audit and its event written in one
transaction; a refusal writes none of them."""

from __future__ import annotations

import pytest
from attrs import evolve
from sqlalchemy import func, select
from support.erp_routes import ADMIN, dual_write, single_route
from unit.fakes import FakeClock

from adapters.persistence.tables import erp_route_changes, outbox
from application.erp_routes import list_erp_routes, list_route_changes, set_erp_route
from domain.erp_routing import RouteMode
from domain.errors import InvalidField, UnknownValue


@pytest.fixture
def ports(billing):
    return evolve(billing, clock=FakeClock())  # today is 2026-12-01


def rows(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_cutover_to_a_dual_write_pilot_is_stored_audited_and_published(engine, ports):
    set_erp_route(single_route("DE01", "2020-01-01", "legacy", "DE-OU-1"), ports)
    pilot = dual_write(
        "DE01", "2026-12-15", ("dynamics365", "DE01"), ("legacy", "DE-OU-1"), request_id="r-2"
    )
    set_erp_route(pilot, ports)

    [book] = list_erp_routes("DE01", "", 10, ports, ADMIN)
    newest, oldest = list_route_changes("DE01", 0, 10, ports, ADMIN)
    assert [route.mode for route in book.routes] == [RouteMode.SINGLE, RouteMode.DUAL_WRITE]
    assert (newest.previous, newest.route) == tuple(book.routes)
    assert (oldest.previous, oldest.set_by) == (None, "alice@firm.example")
    assert rows(engine, outbox) == 2


@pytest.mark.parametrize(
    ("command", "refusal", "field"),
    [
        (
            single_route("XX99", "2026-12-15", "netsuite", "7", request_id="x"),
            UnknownValue,
            "route.legal_entity_code",
        ),
        (
            single_route("DE01", "2019-12-31", "netsuite", "7", request_id="x"),
            InvalidField,
            "route.effective_from",
        ),
        (
            dual_write("DE01", "2026-12-15", ("legacy", "A"), ("legacy", "B"), request_id="x"),
            InvalidField,
            "route.shadow.erp",
        ),
    ],
)
def test_a_refused_route_writes_nothing(engine, ports, command, refusal, field):
    set_erp_route(single_route("DE01", "2020-01-01", "legacy", "DE-OU-1"), ports)

    with pytest.raises(refusal) as refused:
        set_erp_route(command, ports)

    assert refused.value.field == field
    [book] = list_erp_routes("", "", 10, ports, ADMIN)
    assert len(book.routes) == 1
    assert (rows(engine, erp_route_changes), rows(engine, outbox)) == (1, 1)
