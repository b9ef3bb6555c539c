"""ERP routes in the business's words: a legal entity routed to one ERP, or in dual-write."""

from __future__ import annotations

import datetime as dt

from application.commands import ErpTargetLine, SetErpRoute
from domain.principal import Principal
from o2c.v1 import erp_routing_pb2
from support.builders import integration
from support.requests import date

ADMIN = integration("admin", subject="alice@firm.example")


def single_route(
    legal_entity_code: str,
    effective_from: str,
    erp: str,
    erp_legal_entity: str,
    *,
    request_id: str = "route-1",
    caller: Principal = ADMIN,
) -> SetErpRoute:
    return SetErpRoute(
        request_id=request_id,
        legal_entity_code=legal_entity_code,
        effective_from=effective_from,
        primary=ErpTargetLine(erp, erp_legal_entity),
        caller=caller,
    )


def dual_write(
    legal_entity_code: str,
    effective_from: str,
    primary: tuple[str, str],
    shadow: tuple[str, str],
    *,
    request_id: str = "route-1",
    caller: Principal = ADMIN,
) -> SetErpRoute:
    return SetErpRoute(
        request_id=request_id,
        legal_entity_code=legal_entity_code,
        effective_from=effective_from,
        primary=ErpTargetLine(*primary),
        caller=caller,
        shadow=ErpTargetLine(*shadow),
    )


def route_request(
    request_id: str,
    legal_entity_code: str,
    effective_from: str,
    primary: tuple[int, str],
    shadow: tuple[int, str] | None = None,
) -> erp_routing_pb2.SetErpRouteRequest:
    """The API's request: `primary` and `shadow` as (an `Erp` value, the ERP's entity code)."""
    route = erp_routing_pb2.ErpRoute(
        legal_entity_code=legal_entity_code,
        effective_from=date(*dt.date.fromisoformat(effective_from).timetuple()[:3]),
        primary=erp_routing_pb2.ErpTarget(erp=primary[0], erp_legal_entity=primary[1]),
    )
    if shadow is not None:
        route.shadow.CopyFrom(erp_routing_pb2.ErpTarget(erp=shadow[0], erp_legal_entity=shadow[1]))
    return erp_routing_pb2.SetErpRouteRequest(request_id=request_id, route=route)


def cutover_request(
    request_id: str, legal_entity_code: str, effective_from: str, target: tuple[int, str]
) -> erp_routing_pb2.CutOverLegalEntityRequest:
    day = dt.date.fromisoformat(effective_from)
    return erp_routing_pb2.CutOverLegalEntityRequest(
        request_id=request_id,
        legal_entity_code=legal_entity_code,
        effective_from=date(day.year, day.month, day.day),
        target=erp_routing_pb2.ErpTarget(erp=target[0], erp_legal_entity=target[1]),
    )
