"""The ERP routing API end to end, on each database: an admin routes a legal entity to one ERP
or to a dual-write pilot, lists the routes and the audit of who changed what when; a refused
route names its field and changes nothing; only an admin may set routes."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest
from support.auth import call_metadata
from support.erp_routes import route_request
from support.statuses import refusal_of

from o2c.v1 import erp_routing_pb2, erp_routing_pb2_grpc

ALICE = call_metadata("admin", subject="alice@firm.example")
BOB = call_metadata("admin", subject="bob@firm.example")
SINGLE, DUAL_WRITE = (
    erp_routing_pb2.ERP_ROUTE_MODE_SINGLE,
    erp_routing_pb2.ERP_ROUTE_MODE_DUAL_WRITE,
)
LEGACY, NETSUITE = erp_routing_pb2.ERP_LEGACY, erp_routing_pb2.ERP_NETSUITE
DYNAMICS = erp_routing_pb2.ERP_DYNAMICS365


def in_days(days: int) -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def routing(channel_on_each_database) -> erp_routing_pb2_grpc.ErpRoutingServiceStub:
    return erp_routing_pb2_grpc.ErpRoutingServiceStub(channel_on_each_database)


def routes_of(routing, code: str) -> list[erp_routing_pb2.ErpRoute]:
    request = erp_routing_pb2.ListErpRoutesRequest(legal_entity_code=code)
    found = routing.ListErpRoutes(request, metadata=ALICE).legal_entities
    return list(found[0].routes) if found else []


def changes_of(routing, code: str) -> list[erp_routing_pb2.ErpRouteChange]:
    request = erp_routing_pb2.ListErpRouteChangesRequest(legal_entity_code=code)
    return list(routing.ListErpRouteChanges(request, metadata=ALICE).changes)


def test_a_legal_entity_routed_to_one_erp(routing):
    request = route_request("us-netsuite", "US01", "2020-01-01", (NETSUITE, "7"))

    routes = routing.SetErpRoute(request, metadata=ALICE).routes

    assert routes.legal_entity_code == "US01"
    [route] = routes.routes
    assert (route.mode, route.primary.erp, route.primary.erp_legal_entity) == (
        SINGLE,
        NETSUITE,
        "7",
    )
    assert not route.HasField("shadow")


def test_a_dual_write_pilot_after_the_legacy_erp(routing):
    legacy = route_request("de-legacy", "DE01", "2020-01-01", (LEGACY, "DE-OU-1"))
    pilot = route_request(
        "de-pilot", "DE01", in_days(14), (DYNAMICS, "DE01"), shadow=(LEGACY, "DE-OU-1")
    )
    routing.SetErpRoute(legacy, metadata=ALICE)

    before, after = routing.SetErpRoute(pilot, metadata=ALICE).routes.routes

    assert (before.mode, after.mode) == (SINGLE, DUAL_WRITE)
    assert (after.primary.erp, after.shadow.erp) == (DYNAMICS, LEGACY)
    assert after.effective_from == pilot.route.effective_from


def test_routes_are_listed_per_legal_entity_in_code_order_a_page_at_a_time(routing):
    first = routing.ListErpRoutes(erp_routing_pb2.ListErpRoutesRequest(page_size=1), metadata=ALICE)
    second = routing.ListErpRoutes(
        erp_routing_pb2.ListErpRoutesRequest(page_size=1, page_token=first.next_page_token),
        metadata=ALICE,
    )
    every = routing.ListErpRoutes(erp_routing_pb2.ListErpRoutesRequest(), metadata=ALICE)

    codes = [entity.legal_entity_code for entity in every.legal_entities]
    assert codes == sorted(codes) and {"DE01", "US01"} <= set(codes)
    paged = [*first.legal_entities, *second.legal_entities]
    assert [entity.legal_entity_code for entity in paged] == codes[:2]
    assert every.next_page_token == ""
    assert [route.mode for route in routes_of(routing, "DE01")] == [SINGLE, DUAL_WRITE]


def test_the_audit_says_who_changed_the_route_when_from_what_to_what(routing):
    started = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    routing.SetErpRoute(
        route_request("gb-1", "GB01", "2020-01-01", (LEGACY, "GB-OU")), metadata=ALICE
    )
    cutover = route_request("gb-2", "GB01", in_days(30), (NETSUITE, "3"))
    routing.SetErpRoute(cutover, metadata=BOB)

    newest, oldest = changes_of(routing, "GB01")

    assert (newest.set_by, oldest.set_by) == ("bob@firm.example", "alice@firm.example")
    assert newest.set_time.ToDatetime(tzinfo=dt.UTC) >= oldest.set_time.ToDatetime(tzinfo=dt.UTC)
    assert oldest.set_time.ToDatetime(tzinfo=dt.UTC) >= started
    assert not oldest.HasField("previous")
    assert newest.previous == oldest.route
    assert (newest.route.primary.erp, newest.route.effective_from) == (
        NETSUITE,
        cutover.route.effective_from,
    )


REFUSED = {
    "an unknown legal entity": (
        route_request("xx-1", "XX99", "2020-01-01", (NETSUITE, "1")),
        "route.legal_entity_code",
    ),
    "an effective day not after the last route's": (
        route_request("jp-again", "JP01", "2020-01-01", (NETSUITE, "1")),
        "route.effective_from",
    ),
    "a dual-write into the primary's own ERP": (
        route_request("jp-dual", "JP01", "2099-01-01", (LEGACY, "A"), shadow=(LEGACY, "B")),
        "route.shadow.erp",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_refused_route_names_its_field_and_changes_nothing(routing, case):
    routing.SetErpRoute(
        route_request("jp-1", "JP01", "2020-01-01", (LEGACY, "JP-OU")), metadata=ALICE
    )
    before = (routes_of(routing, "JP01"), changes_of(routing, "JP01"), routes_of(routing, "XX99"))
    request, field = REFUSED[case]

    refusal = refusal_of(lambda: routing.SetErpRoute(request, metadata=ALICE))

    assert (refusal.code, refusal.field) == (grpc.StatusCode.INVALID_ARGUMENT, field)
    after = (routes_of(routing, "JP01"), changes_of(routing, "JP01"), routes_of(routing, "XX99"))
    assert after == before


@pytest.mark.parametrize("system", ["crm", "operations", "erp"])
def test_only_an_admin_may_set_a_route(routing, system):
    request = route_request(f"kw-{system}", "KW01", "2020-01-01", (NETSUITE, "9"))

    refusal = refusal_of(lambda: routing.SetErpRoute(request, metadata=call_metadata(system)))

    assert (refusal.code, refusal.reason) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "CALLER_NOT_ALLOWED",
    )
    assert routes_of(routing, "KW01") == []


def test_operations_may_read_the_routes_and_their_audit_but_a_crm_may_not(routing):
    operations, crm = call_metadata("operations"), call_metadata("crm")
    listing = erp_routing_pb2.ListErpRoutesRequest()
    audit = erp_routing_pb2.ListErpRouteChangesRequest(legal_entity_code="US01")

    assert routing.ListErpRoutes(listing, metadata=operations).legal_entities
    assert routing.ListErpRouteChanges(audit, metadata=operations).changes
    refusal = refusal_of(lambda: routing.ListErpRoutes(listing, metadata=crm))
    assert refusal.code == grpc.StatusCode.PERMISSION_DENIED


def test_an_admin_limited_to_some_legal_entities_may_not_route_another(routing):
    us_admin = call_metadata("admin", legal_entities=("US01",))
    request = route_request("kw-limited", "KW01", "2020-01-01", (NETSUITE, "9"))

    refusal = refusal_of(lambda: routing.SetErpRoute(request, metadata=us_admin))

    assert (refusal.code, refusal.reason) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "LEGAL_ENTITY_NOT_ALLOWED",
    )
    assert routes_of(routing, "KW01") == []
