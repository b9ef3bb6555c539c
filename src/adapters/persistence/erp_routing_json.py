"""ERP routes as JSON of plain values (text and ISO days), each rebuilt through its
constructor and checked, so a stored route that is no longer valid is refused on reading."""

from __future__ import annotations

from typing import Any

from adapters.persistence.billing_json import BillingJson, day, day_text, each, optional, text
from domain.erp_routing import Erp, ErpRoute, ErpTarget

Json = Any


def target_json(target: ErpTarget) -> Json:
    return {"erp": target.erp.value, "erp_legal_entity": target.erp_legal_entity}


def target(value: Json) -> ErpTarget:
    return ErpTarget(Erp(text(value["erp"])), text(value["erp_legal_entity"]))


def route_json(route: ErpRoute) -> Json:
    return {
        "legal_entity_code": route.legal_entity_code,
        "effective_from": day_text(route.effective_from),
        "primary": target_json(route.primary),
        "shadow": None if route.shadow is None else target_json(route.shadow),
    }


def route(value: Json) -> ErpRoute:
    read = ErpRoute(
        text(value["legal_entity_code"]),
        day(value["effective_from"]),
        target(value["primary"]),
        optional(target, value["shadow"]),
    )
    read.check()
    return read


def routes_json(routes: list[ErpRoute]) -> Json:
    return [route_json(r) for r in routes]


def routes(value: Json) -> list[ErpRoute]:
    return list(each(route, value))


def route_column(name: str) -> BillingJson:
    return BillingJson(name, route_json, route)


def routes_column(name: str) -> BillingJson:
    return BillingJson(name, routes_json, routes)
