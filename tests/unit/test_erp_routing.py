import datetime as dt

import pytest

from domain.erp_routing import Erp, ErpRoute, ErpRouteSet, ErpTarget, RouteBook, RouteMode
from domain.errors import InvalidField, NotFound, UnknownValue

TODAY = dt.date(2026, 11, 27)
NOW = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
KNOWN = {"US01", "GB01", "DE01"}
LEGACY_GB = ErpTarget(Erp.LEGACY, "GB-OU-204")
NETSUITE_GB = ErpTarget(Erp.NETSUITE, "3")


def routed(*routes: ErpRoute) -> RouteBook:
    book = RouteBook.start("GB01", KNOWN)
    for route in routes:
        book.set(route, today=TODAY, set_by="admin@firm", now=NOW)
    return book


def test_a_cutover_mid_month_routes_each_day_to_the_erp_in_effect_then():
    book = routed(
        ErpRoute("GB01", dt.date(2020, 1, 1), LEGACY_GB),
        ErpRoute("GB01", dt.date(2026, 12, 15), NETSUITE_GB),
    )

    assert book.route_on(dt.date(2026, 12, 14)).primary == LEGACY_GB
    assert book.route_on(dt.date(2026, 12, 15)).primary == NETSUITE_GB
    with pytest.raises(NotFound):
        book.route_on(dt.date(2019, 12, 31))


def test_every_change_records_who_and_the_old_and_new_route():
    first = ErpRoute("GB01", dt.date(2020, 1, 1), LEGACY_GB)
    second = ErpRoute("GB01", dt.date(2026, 12, 15), NETSUITE_GB, shadow=LEGACY_GB)
    book = routed(first, second)

    last = book.events[-1]
    assert isinstance(last, ErpRouteSet)
    assert (last.set_by, last.previous, last.route) == ("admin@firm", first, second)
    assert second.mode is RouteMode.DUAL_WRITE


def test_a_route_for_an_unknown_legal_entity_is_refused():
    with pytest.raises(UnknownValue) as refused:
        RouteBook.start("ZZ99", KNOWN)
    assert refused.value.field == "route.legal_entity_code"


@pytest.mark.parametrize("day", [dt.date(2020, 1, 1), dt.date(2019, 6, 1)])
def test_a_route_on_or_before_the_last_ones_day_overlaps_and_is_refused(day):
    book = routed(ErpRoute("GB01", dt.date(2020, 1, 1), LEGACY_GB))
    with pytest.raises(InvalidField) as refused:
        book.set(ErpRoute("GB01", day, NETSUITE_GB), today=dt.date(2019, 1, 1), set_by="a", now=NOW)
    assert refused.value.field == "route.effective_from" and len(book.routes) == 1


def test_a_new_route_never_reroutes_days_already_past():
    book = routed(ErpRoute("GB01", dt.date(2020, 1, 1), LEGACY_GB))
    with pytest.raises(InvalidField) as refused:
        book.set(
            ErpRoute("GB01", dt.date(2026, 11, 1), NETSUITE_GB), today=TODAY, set_by="a", now=NOW
        )
    assert refused.value.field == "route.effective_from"


def test_a_dual_write_to_the_same_erp_twice_is_refused():
    mirror = ErpRoute("GB01", dt.date(2027, 1, 1), LEGACY_GB, shadow=ErpTarget(Erp.LEGACY, "X"))
    book = routed()
    with pytest.raises(InvalidField) as refused:
        book.set(mirror, today=TODAY, set_by="a", now=NOW)
    assert refused.value.field == "route.shadow.erp" and book.routes == []
