"""ERP routes as the API's wire types, for the events and the admin API alike."""

from __future__ import annotations

from adapters.proto_values import date_message, enum_number
from domain.erp_routing import ErpRoute, ErpTarget
from o2c.v1 import erp_routing_pb2


def erp_target_message(target: ErpTarget) -> erp_routing_pb2.ErpTarget:
    return erp_routing_pb2.ErpTarget(
        erp=enum_number(erp_routing_pb2.Erp, "ERP", target.erp),
        erp_legal_entity=target.erp_legal_entity,
    )


def erp_route_message(route: ErpRoute) -> erp_routing_pb2.ErpRoute:
    message = erp_routing_pb2.ErpRoute(
        legal_entity_code=route.legal_entity_code,
        effective_from=date_message(route.effective_from),
        primary=erp_target_message(route.primary),
        mode=enum_number(erp_routing_pb2.ErpRouteMode, "ERP_ROUTE_MODE", route.mode),
    )
    if route.shadow is not None:
        message.shadow.CopyFrom(erp_target_message(route.shadow))
    return message
