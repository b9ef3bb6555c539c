"""SetErpRoute, and the routes and their audit read back: an admin routes a legal entity's
invoices to an ERP from a day on; the book of routes and the audit of the change (who, when,
the route before and the route after) are written in one transaction."""

from __future__ import annotations

from application.billing_ports import BillingPorts
from application.commands import ErpTargetLine, SetErpRoute
from application.parsing import parse_date, required
from application.pipeline import Pipeline
from application.ports import RouteChange, UnitOfWork
from domain.erp_routing import Erp, ErpRoute, ErpTarget, RouteBook
from domain.errors import InvalidField, LegalEntityNotAllowed, UnknownValue
from domain.principal import Principal
from domain.requests import RequestKey

OPERATION = "SetErpRoute"
MAX_PAGE = 500
ERPS = ", ".join(erp.value for erp in Erp)


def set_erp_route(cmd: SetErpRoute, ports: BillingPorts) -> RouteBook:
    route = route_of(cmd)
    check_may_route(cmd.caller, route.legal_entity_code)
    key = RequestKey(cmd.caller.subject, OPERATION, cmd.request_id)
    answer = Pipeline(ports.uow_factory, ports.clock).run(
        key, cmd, lambda uow: set_route(uow, route, cmd.caller, ports)
    )
    with ports.uow_factory() as uow:
        book = uow.erp_routes.get(str(answer["legal_entity_code"]))
    assert book is not None
    return book


def set_route(
    uow: UnitOfWork, route: ErpRoute, caller: Principal, ports: BillingPorts
) -> dict[str, object]:
    book = uow.erp_routes.get(route.legal_entity_code) or started_book(uow, route, ports)
    previous = book.routes[-1] if book.routes else None
    now = ports.clock.now()
    book.set(route, today=now.date(), set_by=caller.subject, now=now)
    uow.route_changes.add(
        RouteChange(
            legal_entity_code=route.legal_entity_code,
            set_by=caller.subject,
            set_at=now,
            previous=previous,
            route=route,
        )
    )
    return {"legal_entity_code": route.legal_entity_code}


def started_book(uow: UnitOfWork, route: ErpRoute, ports: BillingPorts) -> RouteBook:
    book = RouteBook.start(route.legal_entity_code, known_legal_entities(route, ports))
    uow.erp_routes.add(book)
    return book


def known_legal_entities(route: ErpRoute, ports: BillingPorts) -> frozenset[str]:
    """Of the legal entities the billing reference data knows, the one the route names."""
    code = route.legal_entity_code
    known = ports.reference is not None and ports.reference.legal_entity(code) is not None
    return frozenset({code} if known else ())


def list_erp_routes(
    legal_entity_code: str, after: str, limit: int, ports: BillingPorts, viewer: Principal
) -> list[RouteBook]:
    """The books of the legal entities the viewer sees (or only `legal_entity_code`'s), in
    code order, after the code `after`."""
    with ports.uow_factory() as uow:
        books = uow.erp_routes.all()
    wanted = (
        book
        for book in books
        if viewer.sees(book.legal_entity_code)
        and book.legal_entity_code > after
        and legal_entity_code in ("", book.legal_entity_code)
    )
    return list(wanted)[: page_limit(limit)]


def list_route_changes(
    legal_entity_code: str, after: int, limit: int, ports: BillingPorts, viewer: Principal
) -> list[RouteChange]:
    """The legal entity's route changes, newest first, older than the change `after`."""
    code = required(legal_entity_code, "legal_entity_code")
    if not viewer.sees(code):
        raise not_allowed(code, "legal_entity_code")
    with ports.uow_factory() as uow:
        return uow.route_changes.of_entity(code, after, page_limit(limit))


def route_of(cmd: SetErpRoute) -> ErpRoute:
    shadow = None if cmd.shadow is None else target_of(cmd.shadow, "route.shadow")
    return ErpRoute(
        legal_entity_code=required(cmd.legal_entity_code, "route.legal_entity_code"),
        effective_from=parse_date(cmd.effective_from, "route.effective_from"),
        primary=target_of(cmd.primary, "route.primary"),
        shadow=shadow,
    )


def target_of(line: ErpTargetLine, field: str) -> ErpTarget:
    return ErpTarget(erp_of(line.erp, f"{field}.erp"), line.erp_legal_entity.strip())


def erp_of(name: str, field: str) -> Erp:
    try:
        return Erp(required(name, field))
    except ValueError:
        raise UnknownValue(
            f"{field} is one of {ERPS}, not {name!r}", field=field, keys={"erp": name}
        ) from None


def check_may_route(caller: Principal, legal_entity_code: str) -> None:
    if not caller.sees(legal_entity_code):
        raise not_allowed(legal_entity_code, "route.legal_entity_code")


def not_allowed(legal_entity_code: str, field: str) -> LegalEntityNotAllowed:
    return LegalEntityNotAllowed(
        f"the caller may not act for legal entity {legal_entity_code!r}",
        field=field,
        keys={"legal_entity_code": legal_entity_code},
    )


def page_limit(limit: int) -> int:
    if limit < 1:
        raise InvalidField("page_size is at least 1", field="page_size")
    return min(limit, MAX_PAGE + 1)  # one more than a page tells whether another follows
