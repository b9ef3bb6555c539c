"""Invoices posted to the ERPs end to end, on each database, with no external system: the
server starts the NetSuite, Dynamics 365 and legacy ERP simulators itself, an admin routes
US01 to NetSuite, GB01 to the legacy ERP and DE01 to a dual-write pilot (Dynamics 365 primary,
the legacy ERP as shadow), and each finalised invoice turns up, for its total, in every ERP
its route names, as o2c's own adapters read it back."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import grpc
import pytest
from support.auth import as_rightful_callers, call_metadata
from support.billing_requests import billing_cycle, closed_won_with_terms, time_and_materials
from support.databases import BACKENDS
from support.erp_routes import route_request
from support.requests import time_entry
from support.service import with_simulated_erps
from support.waiting import eventually

from application.erp_ports import ErpLedger, OpenItem
from domain.money import Money
from entrypoints.erp_simulators import DYNAMICS365_COMPANIES, LEGACY_ORG_IDS, NETSUITE_SUBSIDIARIES
from entrypoints.runtime import Runtime
from o2c.v1 import (
    billing_pb2_grpc,
    engagement_pb2_grpc,
    erp_routing_pb2,
    erp_routing_pb2_grpc,
    invoicing_pb2,
)

CONTROLLER = call_metadata("admin", subject="controller@firm.example")
NETSUITE, DYNAMICS365, LEGACY = (
    erp_routing_pb2.ERP_NETSUITE,
    erp_routing_pb2.ERP_DYNAMICS365,
    erp_routing_pb2.ERP_LEGACY,
)
ROUTES = {
    "US01": [("netsuite", NETSUITE, NETSUITE_SUBSIDIARIES["US01"])],
    "GB01": [("legacy", LEGACY, LEGACY_ORG_IDS["GB01"])],
    "DE01": [
        ("dynamics365", DYNAMICS365, DYNAMICS365_COMPANIES["DE01"]),
        ("legacy", LEGACY, LEGACY_ORG_IDS["DE01"]),
    ],
}


@pytest.fixture(scope="module", params=BACKENDS)
def service_with_simulated_erps(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, nats_url: str
) -> Iterator[Runtime]:
    yield from with_simulated_erps(request.param, tmp_path_factory.mktemp("o2c"), nats_url)


@pytest.fixture
def channel(service_with_simulated_erps: Runtime) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{service_with_simulated_erps.port}") as channel:
        yield as_rightful_callers(channel)


def route(channel: grpc.Channel, code: str) -> None:
    targets = [(erp, entity) for _, erp, entity in ROUTES[code]]
    shadow = targets[1] if len(targets) > 1 else None
    request = route_request(f"route-{code}", code, "2020-01-01", targets[0], shadow=shadow)
    erp_routing_pb2_grpc.ErpRoutingServiceStub(channel).SetErpRoute(request, metadata=CONTROLLER)


def finalised_invoice(channel: grpc.Channel, key: str, code: str) -> invoicing_pb2.InvoiceSummary:
    """An engagement of `code`'s, 7.5 approved hours, and the cycle that invoices them."""
    engagements = engagement_pb2_grpc.EngagementServiceStub(channel)
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    request = closed_won_with_terms(key, [time_and_materials("NA")], code)
    engagement = engagements.CreateServiceEngagement(request).engagement
    billing.ApproveBillableEvent(time_entry(key, engagement.engagement_id))
    [invoice] = billing.RunBillingCycle(billing_cycle(key, engagement.engagement_id)).invoices
    return invoice


def in_ledger(ledger: ErpLedger, erp_legal_entity: str, expected: OpenItem) -> bool:
    return expected in ledger.open_items(erp_legal_entity)


def test_each_invoice_posts_to_every_erp_its_legal_entity_is_routed_to(
    service_with_simulated_erps, channel, run_key
):
    ledgers = service_with_simulated_erps.container.ledgers()
    for code in ROUTES:
        route(channel, code)

    invoices = {code: finalised_invoice(channel, f"{run_key}-{code}", code) for code in ROUTES}

    for code, invoice in invoices.items():
        total = Money.of(invoice.total.amount, invoice.total.currency_code)
        expected = OpenItem(invoice.number, total)
        for erp, _, erp_legal_entity in ROUTES[code]:
            posted = functools.partial(in_ledger, ledgers[erp], erp_legal_entity, expected)
            assert eventually(posted), f"{invoice.number} of {code} is not in {erp}"
            assert ledgers[erp].find(invoice.number) is not None
