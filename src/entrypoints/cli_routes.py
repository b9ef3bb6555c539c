"""`o2c routes`: which ERP each legal entity posts to, from which day; `o2c routes set` routes
one (an admin's call)."""

from __future__ import annotations

from typing import Annotated

import typer

from entrypoints.cli_client import AddressOption, JsonOption, TokenOption, server_channel
from entrypoints.cli_output import Output, as_dict, table
from entrypoints.cli_values import enum_value, proto_date, short_name, shown_date
from o2c.v1 import erp_routing_pb2, erp_routing_pb2_grpc

ERP, ERP_PREFIX = erp_routing_pb2.Erp.DESCRIPTOR, "ERP_"
MODE, MODE_PREFIX = erp_routing_pb2.ErpRouteMode.DESCRIPTOR, "ERP_ROUTE_MODE_"
PAGE_SIZE = 500

routes = typer.Typer(help="Which ERP each legal entity posts to, from which day.")


@routes.callback(invoke_without_command=True)
def list_routes(
    context: typer.Context,
    legal_entity: Annotated[str, typer.Option(help="only this legal entity")] = "",
    address: AddressOption = "",
    token: TokenOption = "",
    json: JsonOption = False,
) -> None:
    """List the routes of every legal entity, in effective order."""
    if context.invoked_subcommand is not None:
        return
    output = Output(json)
    with server_channel(address, token, output) as channel:
        found = all_routes(erp_routing_pb2_grpc.ErpRoutingServiceStub(channel), legal_entity)
    show_routes(output, found)


@routes.command("set")
def set_route(
    legal_entity: Annotated[
        str, typer.Argument(metavar="LEGAL_ENTITY", help="the CRM's legal-entity code, e.g. US01")
    ],
    primary: Annotated[str, typer.Option(help="ERP:ENTITY, e.g. netsuite:7")],
    effective_from: Annotated[str, typer.Option("--from", help="first day, e.g. 2027-01-01")],
    shadow: Annotated[str, typer.Option(help="ERP:ENTITY mirrored in dual-write")] = "",
    request_id: Annotated[str, typer.Option(help="idempotency key (default: from the route)")] = "",
    address: AddressOption = "",
    token: TokenOption = "",
    json: JsonOption = False,
) -> None:
    """Route a legal entity to one ERP, or to a primary and a shadow, from a day."""
    route = erp_routing_pb2.ErpRoute(
        legal_entity_code=legal_entity,
        effective_from=proto_date(effective_from, "--from"),
        primary=target(primary, "--primary"),
    )
    if shadow:
        route.shadow.CopyFrom(target(shadow, "--shadow"))
    key = request_id or f"route-{legal_entity}-{effective_from}-{primary}-{shadow}"[:128]
    output = Output(json)
    with server_channel(address, token, output) as channel:
        stub = erp_routing_pb2_grpc.ErpRoutingServiceStub(channel)
        changed = stub.SetErpRoute(erp_routing_pb2.SetErpRouteRequest(request_id=key, route=route))
    show_routes(output, [changed.routes])


def target(text: str, option: str) -> erp_routing_pb2.ErpTarget:
    erp, colon, entity = text.partition(":")
    if not colon or not entity:
        raise typer.BadParameter(f"{text!r} is not ERP:ENTITY, e.g. netsuite:7", param_hint=option)
    return erp_routing_pb2.ErpTarget(
        erp=enum_value(ERP, ERP_PREFIX, erp, option), erp_legal_entity=entity
    )


def all_routes(
    stub: erp_routing_pb2_grpc.ErpRoutingServiceStub, legal_entity: str
) -> list[erp_routing_pb2.LegalEntityErpRoutes]:
    found: list[erp_routing_pb2.LegalEntityErpRoutes] = []
    request = erp_routing_pb2.ListErpRoutesRequest(
        page_size=PAGE_SIZE, legal_entity_code=legal_entity
    )
    while True:
        page = stub.ListErpRoutes(request)
        found.extend(page.legal_entities)
        if not page.next_page_token:
            return found
        request.page_token = page.next_page_token


def show_routes(output: Output, found: list[erp_routing_pb2.LegalEntityErpRoutes]) -> None:
    rows = [route_row(route) for entity in found for route in entity.routes]
    output.show(
        {"legal_entities": [as_dict(entity) for entity in found]},
        table("ERP routes", ("legal entity", "from", "mode", "primary", "shadow"), rows),
    )


def route_row(route: erp_routing_pb2.ErpRoute) -> tuple[str, ...]:
    return (
        route.legal_entity_code,
        shown_date(route.effective_from),
        short_name(MODE, MODE_PREFIX, route.mode),
        shown_target(route.primary),
        shown_target(route.shadow) if route.HasField("shadow") else "",
    )


def shown_target(target: erp_routing_pb2.ErpTarget) -> str:
    return f"{short_name(ERP, ERP_PREFIX, target.erp)}:{target.erp_legal_entity}"
