"""An engagement's customer account in every ERP its invoices post to, through the public API
alone, on each database, with the server simulating NetSuite and the legacy ERP itself: US01
runs a dual-write pilot, NetSuite primary and the legacy ERP as shadow. Its work packages name
the legal entity delivering them."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from support.auth import as_rightful_callers, call_metadata
from support.billing_requests import billing_cycle, closed_won_with_terms, time_and_materials
from support.databases import BACKENDS
from support.erp_routes import route_request
from support.requests import time_entry
from support.simulated_erps import legacy, netsuite, service_with_erp_simulators
from support.waiting import eventually

from entrypoints.runtime import Runtime
from o2c.v1 import (
    billing_pb2_grpc,
    engagement_pb2,
    engagement_pb2_grpc,
    erp_routing_pb2,
    erp_routing_pb2_grpc,
)

CONTROLLER = call_metadata("admin", subject="controller@firm.example")
NETSUITE, LEGACY, SANDBOX = (
    erp_routing_pb2.ERP_NETSUITE,
    erp_routing_pb2.ERP_LEGACY,
    erp_routing_pb2.ERP_SANDBOX,
)


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, nats_url: str
) -> Iterator[Runtime]:
    yield from service_with_erp_simulators(request.param, tmp_path_factory.mktemp("o2c"), nats_url)


@pytest.fixture
def channel(server: Runtime) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        yield as_rightful_callers(channel)


@pytest.fixture
def engagements(channel: grpc.Channel) -> engagement_pb2_grpc.EngagementServiceStub:
    return engagement_pb2_grpc.EngagementServiceStub(channel)


def accounts(engagement: engagement_pb2.ServiceEngagement) -> dict[tuple[int, str], str]:
    return {
        (a.erp, a.erp_legal_entity): a.customer_number for a in engagement.erp_customer_accounts
    }


def test_after_an_invoice_posts_to_netsuite_and_the_legacy_erp_the_engagement_lists_both(
    channel, engagements, run_key
):
    pilot = route_request(
        f"route-{run_key}", "US01", "2020-01-01", netsuite("US01"), legacy("US01")
    )
    erp_routing_pb2_grpc.ErpRoutingServiceStub(channel).SetErpRoute(pilot, metadata=CONTROLLER)
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    request = closed_won_with_terms(run_key, [time_and_materials("NA")], "US01")
    engagement = engagements.CreateServiceEngagement(request).engagement
    provisioned = accounts(engagement)

    billing.ApproveBillableEvent(time_entry(run_key, engagement.engagement_id))
    billing.RunBillingCycle(billing_cycle(run_key, engagement.engagement_id))

    def listed() -> dict[tuple[int, str], str]:
        query = engagement_pb2.GetServiceEngagementRequest(engagement_id=engagement.engagement_id)
        return accounts(engagements.GetServiceEngagement(query).engagement)

    in_both = {netsuite("US01"), legacy("US01")}
    assert eventually(lambda: in_both <= set(listed())), listed()
    assert [erp for erp, _ in provisioned] == [SANDBOX]
    assert set(listed()) == in_both | set(provisioned)
    assert all(listed().values())


def test_each_work_package_shows_the_legal_entity_that_delivers_it(engagements, run_key):
    request = closed_won_with_terms(
        run_key, [time_and_materials("NA"), time_and_materials("EU")], "US01"
    )
    request.opportunity.work_packages[1].delivering_legal_entity_code = "GB01"

    engagement = engagements.CreateServiceEngagement(request).engagement

    delivered_by = {wp.code: wp.delivering_legal_entity_code for wp in engagement.work_packages}
    assert delivered_by == {"NA": "", "EU": "GB01"}
