"""Lineage end to end: an engagement created, its time approved, billed and posted to a
simulated NetSuite under one correlation id, then followed by its opportunity and by its invoice
number — the same timeline either way, and the correlation id everywhere it travelled: the
inbound calls, the NATS headers, the request NetSuite received and the logs."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import grpc
import pytest
import structlog
from google.rpc import error_details_pb2
from support.auth import as_rightful_callers, call_metadata
from support.billing_requests import billing_cycle, closed_won_with_terms, time_and_materials
from support.databases import BACKENDS
from support.erp_routes import route_request
from support.requests import time_entry
from support.service import with_simulated_erps
from support.statuses import refusal_of
from support.waiting import eventually

from adapters.messaging.headers import CORRELATION_ID, header_value
from adapters.messaging.subscriber import read_messages
from entrypoints.erp_simulators import NETSUITE_SUBSIDIARIES
from entrypoints.runtime import Runtime
from o2c.v1 import (
    billing_pb2_grpc,
    engagement_pb2_grpc,
    erp_routing_pb2,
    erp_routing_pb2_grpc,
    lineage_pb2,
    lineage_pb2_grpc,
)
from simulators.netsuite import NetSuiteSimulator

CONTROLLER = call_metadata("admin", subject="controller@firm.example")
UK_OPERATIONS = call_metadata("operations", ("GB01",), subject="ops-uk")
INBOUND, VENDOR, STEP, EVENT = (
    lineage_pb2.LINEAGE_ENTRY_KIND_INBOUND_CALL,
    lineage_pb2.LINEAGE_ENTRY_KIND_VENDOR_CALL,
    lineage_pb2.LINEAGE_ENTRY_KIND_SAGA_STEP,
    lineage_pb2.LINEAGE_ENTRY_KIND_EVENT_PUBLISHED,
)


@pytest.fixture(scope="module", params=BACKENDS)
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, nats_url: str
) -> Iterator[Runtime]:
    yield from with_simulated_erps(request.param, tmp_path_factory.mktemp("o2c"), nats_url)


@pytest.fixture(scope="module")
def channel(service: Runtime) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{service.port}") as channel:
        yield as_rightful_callers(channel)


@pytest.fixture(scope="module")
def lineage(channel: grpc.Channel) -> lineage_pb2_grpc.LineageServiceStub:
    return lineage_pb2_grpc.LineageServiceStub(channel)


@pytest.fixture(scope="module")
def netsuite(service: Runtime) -> NetSuiteSimulator:
    assert service.erp_simulators is not None
    [account] = [s for s in service.erp_simulators.running if isinstance(s, NetSuiteSimulator)]
    return account


@pytest.fixture(scope="module")
def posted(channel, service, netsuite):
    """An engagement of US01's (routed to NetSuite), its time approved, billed and posted,
    every call sent with one correlation id; and the answer headers of its creation."""
    key, correlation = uuid.uuid4().hex[:8].upper(), f"lineage-{uuid.uuid4().hex}"
    correlated = (("x-correlation-id", correlation),)
    target = (erp_routing_pb2.ERP_NETSUITE, NETSUITE_SUBSIDIARIES["US01"])
    erp_routing_pb2_grpc.ErpRoutingServiceStub(channel).SetErpRoute(
        route_request(f"route-{key}", "US01", "2020-01-01", target), metadata=CONTROLLER
    )
    engagements = engagement_pb2_grpc.EngagementServiceStub(channel)
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    request = closed_won_with_terms(key, [time_and_materials("NA")], "US01")
    with structlog.testing.capture_logs([structlog.contextvars.merge_contextvars]) as logs:
        created, call = engagements.CreateServiceEngagement.with_call(request, metadata=correlated)
    engagement = created.engagement
    billing.ApproveBillableEvent(time_entry(key, engagement.engagement_id), metadata=correlated)
    cycle = billing_cycle(key, engagement.engagement_id)
    [invoice] = billing.RunBillingCycle(cycle, metadata=correlated).invoices
    assert eventually(lambda: correlation in netsuite.correlation_ids)
    service.vendor_calls.flush()
    return {
        "correlation": correlation,
        "opportunity": request.opportunity.opportunity_id,
        "engagement": engagement,
        "invoice": invoice,
        "answer_metadata": dict(call.initial_metadata()),
        "logs": logs,
    }


def timeline(lineage, key: str) -> list[lineage_pb2.LineageEntry]:
    return list(lineage.GetLineage(lineage_pb2.GetLineageRequest(business_key=key)).entries)


def test_the_opportunity_and_the_invoice_number_show_the_same_timeline_in_order(lineage, posted):
    def each_key() -> list[list]:
        keys = (posted["opportunity"], posted["invoice"].number, posted["engagement"].engagement_id)
        return [timeline(lineage, key) for key in keys]

    # the posting saga may still be recording its last steps: the same once it has
    assert eventually(lambda: len({repr(t) for t in each_key()}) == 1)
    by_opportunity = each_key()[0]
    times = [entry.time.ToDatetime() for entry in by_opportunity]
    assert times == sorted(times)
    assert {INBOUND, VENDOR, STEP, EVENT} <= {entry.kind for entry in by_opportunity}


def test_the_timeline_holds_each_inbound_call_with_its_outcome_and_correlation_id(lineage, posted):
    inbound = [e for e in timeline(lineage, posted["opportunity"]) if e.kind == INBOUND]

    methods = [entry.operation.rsplit("/", 1)[-1] for entry in inbound]
    assert methods == ["CreateServiceEngagement", "ApproveBillableEvent", "RunBillingCycle"]
    assert {(entry.status, entry.correlation_id) for entry in inbound} == {
        ("OK", posted["correlation"])
    }


def test_the_netsuite_posting_is_in_the_timeline_with_status_latency_and_attempt(lineage, posted):
    calls = [e for e in timeline(lineage, posted["invoice"].number) if e.kind == VENDOR]

    netsuite = [call for call in calls if call.system == "netsuite"]
    assert netsuite, calls
    assert all(call.correlation_id == posted["correlation"] for call in netsuite)
    assert all(call.attempt >= 1 and call.latency_ms >= 0 for call in netsuite)
    assert any(call.operation.startswith("POST ") and call.status == "200" for call in netsuite)
    assert all(posted["invoice"].number not in call.operation for call in netsuite)


def test_the_correlation_id_is_sent_back_and_reaches_netsuite_and_the_logs(netsuite, posted):
    assert posted["answer_metadata"]["x-correlation-id"] == posted["correlation"]
    assert posted["correlation"] in netsuite.correlation_ids
    assert any(line.get("correlation_id") == posted["correlation"] for line in posted["logs"])


def test_the_events_on_nats_carry_the_correlation_id(service, posted):
    prefix = service.values["O2C_SUBJECT_PREFIX"]

    def engagement_headers() -> list[str]:
        messages = asyncio.run(
            read_messages(
                service.values["O2C_NATS_URL"], service.values["O2C_STREAM"], f"{prefix}.>"
            )
        )
        return [
            header_value(message.headers, CORRELATION_ID)
            for message in messages
            if posted["engagement"].engagement_id in message.data.decode(errors="replace")
        ]

    assert eventually(lambda: len(engagement_headers()) > 0)
    assert set(engagement_headers()) == {posted["correlation"]}


def test_a_caller_of_another_legal_entity_finds_nothing_by_that_key(lineage, posted):
    refusal = refusal_of(
        lambda: lineage.GetLineage(
            lineage_pb2.GetLineageRequest(business_key=posted["opportunity"]),
            metadata=UK_OPERATIONS,
        )
    )

    assert refusal.code == grpc.StatusCode.NOT_FOUND
    assert refusal.detail(error_details_pb2.ErrorInfo).metadata["field"] == "business_key"


def test_an_unknown_key_is_not_found_naming_the_field(lineage):
    refusal = refusal_of(
        lambda: lineage.GetLineage(lineage_pb2.GetLineageRequest(business_key="006-NOBODY"))
    )

    assert refusal.code == grpc.StatusCode.NOT_FOUND
    assert refusal.detail(error_details_pb2.ErrorInfo).metadata["field"] == "business_key"
