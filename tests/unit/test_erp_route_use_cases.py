"""Setting ERP routes through the use case, with in-memory storage: the book and the audit
of each change written together, each refusal naming its field and changing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from support.billing_api import ReferenceData
from support.builders import integration
from support.erp_routes import ADMIN, dual_write, single_route

from application.billing_ports import BillingPorts
from application.erp_routes import list_erp_routes, list_route_changes, set_erp_route
from domain.erp_routing import Erp, ErpRouteSet, ErpTarget, RouteMode
from domain.errors import DomainError, InvalidField, LegalEntityNotAllowed, UnknownValue
from domain.ownership import OwnershipMatrix
from unit.fakes import FakeClock, FakeUnitOfWork, SequentialIds, Store

# The fake clock's today is 2026-12-01.


@pytest.fixture
def ports(store: Store, clock: FakeClock) -> BillingPorts:
    return BillingPorts(
        uow_factory=lambda: FakeUnitOfWork(store),
        clock=clock,
        ids=SequentialIds("id"),
        ownership=OwnershipMatrix.default(),
        reference=ReferenceData(),
    )


def test_a_legal_entity_routed_to_one_erp_posts_there_from_its_day(ports, store):
    book = set_erp_route(single_route("US01", "2026-01-01", "netsuite", "7"), ports)

    [route] = book.routes
    assert route.mode is RouteMode.SINGLE
    assert route.primary == ErpTarget(Erp.NETSUITE, "7")
    assert book.route_on(dt.date(2026, 12, 1)) == route
    assert store.erp_routes["US01"].routes == [route]


def test_a_dual_write_pilot_mirrors_the_primary_in_a_shadow_erp(ports):
    command = dual_write("GB01", "2026-12-15", ("dynamics365", "GB01"), ("legacy", "GB-OU-204"))

    [route] = set_erp_route(command, ports).routes

    assert route.mode is RouteMode.DUAL_WRITE
    assert route.shadow == ErpTarget(Erp.LEGACY, "GB-OU-204")


def test_each_change_is_audited_with_who_when_and_the_old_and_new_route(ports, store, clock):
    first = set_erp_route(single_route("GB01", "2020-01-01", "legacy", "GB-OU-204"), ports)
    command = single_route("GB01", "2026-12-15", "netsuite", "3", request_id="route-2")
    second = set_erp_route(command, ports)

    newest, oldest = list_route_changes("GB01", 0, 10, ports, ADMIN)
    assert (newest.set_by, newest.set_at) == ("alice@firm.example", clock.now())
    assert (newest.previous, newest.route) == (first.routes[0], second.routes[1])
    assert (oldest.previous, oldest.route) == (None, first.routes[0])
    assert newest.seq > oldest.seq


def test_the_change_is_published_as_an_event_with_the_state(ports, store):
    set_erp_route(single_route("US01", "2026-01-01", "netsuite", "7"), ports)

    [event] = store.published
    assert isinstance(event, ErpRouteSet)
    assert (event.legal_entity_code, event.set_by) == ("US01", "alice@firm.example")


def test_the_same_request_sent_twice_sets_the_route_once(ports, store):
    command = single_route("US01", "2026-01-01", "netsuite", "7")

    set_erp_route(command, ports)
    again = set_erp_route(command, ports)

    assert len(again.routes) == 1
    assert len(store.route_changes) == 1


def test_the_audit_is_read_a_page_at_a_time_newest_first(ports):
    days = ["2020-01-01", "2026-12-02", "2026-12-03"]
    for number, day in enumerate(days):
        command = single_route("US01", day, "netsuite", "7", request_id=f"route-{number}")
        set_erp_route(command, ports)

    first_page = list_route_changes("US01", 0, 2, ports, ADMIN)
    rest = list_route_changes("US01", first_page[-1].seq, 2, ports, ADMIN)

    effective = [change.route.effective_from.isoformat() for change in [*first_page, *rest]]
    assert effective == list(reversed(days))


def test_routes_are_listed_per_legal_entity_in_code_order(ports):
    set_erp_route(single_route("US01", "2026-01-01", "netsuite", "7"), ports)
    set_erp_route(single_route("GB01", "2020-01-01", "legacy", "OU", request_id="r-2"), ports)

    every = list_erp_routes("", "", 10, ports, ADMIN)
    only_us = list_erp_routes("US01", "", 10, ports, ADMIN)
    after_gb = list_erp_routes("", "GB01", 10, ports, ADMIN)

    assert [book.legal_entity_code for book in every] == ["GB01", "US01"]
    assert [book.legal_entity_code for book in only_us] == ["US01"]
    assert [book.legal_entity_code for book in after_gb] == ["US01"]


def test_a_viewer_limited_to_some_legal_entities_sees_only_their_routes(ports):
    set_erp_route(single_route("US01", "2026-01-01", "netsuite", "7"), ports)
    set_erp_route(single_route("GB01", "2020-01-01", "legacy", "OU", request_id="r-2"), ports)
    uk_operations = integration("operations", frozenset({"GB01"}))

    seen = list_erp_routes("", "", 10, ports, uk_operations)

    assert [book.legal_entity_code for book in seen] == ["GB01"]
    with pytest.raises(LegalEntityNotAllowed):
        list_route_changes("US01", 0, 10, ports, uk_operations)


REFUSALS = {
    "an unknown legal entity": (
        single_route("XX99", "2026-12-15", "netsuite", "7", request_id="unknown"),
        UnknownValue,
        "route.legal_entity_code",
    ),
    "a day not after the last route's": (
        single_route("GB01", "2026-12-01", "netsuite", "3", request_id="again"),
        InvalidField,
        "route.effective_from",
    ),
    "a dual-write into the primary's own ERP": (
        dual_write("GB01", "2026-12-15", ("legacy", "A"), ("legacy", "B"), request_id="dual"),
        InvalidField,
        "route.shadow.erp",
    ),
    "an ERP o2c does not know": (
        single_route("GB01", "2026-12-15", "sap", "1000", request_id="sap"),
        UnknownValue,
        "route.primary.erp",
    ),
    "a day in the past once routed": (
        single_route("GB01", "2026-11-30", "netsuite", "3", request_id="past"),
        InvalidField,
        "route.effective_from",
    ),
    "a route without the ERP's code for the entity": (
        single_route("GB01", "2026-12-15", "netsuite", " ", request_id="blank"),
        InvalidField,
        "route.primary.erp_legal_entity",
    ),
    "a day that is no date": (
        single_route("GB01", "15/12/2026", "netsuite", "3", request_id="baddate"),
        InvalidField,
        "route.effective_from",
    ),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_a_refused_route_names_its_field_and_changes_nothing(name, ports, store):
    set_erp_route(single_route("GB01", "2026-12-01", "legacy", "GB-OU-204"), ports)
    before = (list(store.erp_routes["GB01"].routes), len(store.route_changes), len(store.published))
    command, refusal, field = REFUSALS[name]

    with pytest.raises(refusal) as refused:
        set_erp_route(command, ports)

    assert refused.value.field == field
    after = (list(store.erp_routes["GB01"].routes), len(store.route_changes), len(store.published))
    assert after == before
    assert "XX99" not in store.erp_routes


def test_a_caller_who_may_not_act_for_the_legal_entity_is_refused(ports, store):
    us_only = integration("admin", frozenset({"US01"}))

    with pytest.raises(LegalEntityNotAllowed) as refused:
        set_erp_route(single_route("GB01", "2026-12-15", "netsuite", "3", caller=us_only), ports)

    assert refused.value.field == "route.legal_entity_code"
    assert store.erp_routes == {}


def test_without_reference_data_no_legal_entity_is_known(ports, store):
    bare = BillingPorts(ports.uow_factory, ports.clock, ports.ids, ports.ownership)

    with pytest.raises(DomainError):
        set_erp_route(single_route("US01", "2026-01-01", "netsuite", "7"), bare)

    assert store.erp_routes == {}
