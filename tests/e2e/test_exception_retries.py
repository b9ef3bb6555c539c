"""Retried exceptions that succeed close themselves, through gRPC: an invoice parked while its
ERP (a simulated NetSuite) refused every call is posted once when the ERP is back, and an
engagement held for a legal entity the ERP did not know is re-driven once an ERP admin maps
it. Each case ends "by retry" with its attempts and its time to resolution recorded, on SQLite
and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import grpc
import pytest
from support.auth import as_rightful_callers, call_metadata
from support.billing_requests import billing_cycle, closed_won_with_terms, time_and_materials
from support.databases import BACKENDS
from support.erp_routes import route_request
from support.posting import posted
from support.requests import closed_won, time_entry
from support.service import with_simulated_erps
from support.waiting import eventually

from adapters.messaging.subscriber import read_events
from adapters.vendors.sandbox.erp import SandboxErp
from application.ports import LegalEntity
from entrypoints.erp_simulators import NETSUITE_SUBSIDIARIES
from entrypoints.runtime import Runtime
from o2c.v1 import (
    billing_pb2_grpc,
    engagement_pb2,
    engagement_pb2_grpc,
    erp_routing_pb2,
    erp_routing_pb2_grpc,
    exceptions_pb2,
    exceptions_pb2_grpc,
    invoicing_pb2,
)
from simulators.netsuite import NetSuiteSimulator

CONTROLLER = call_metadata("admin", subject="controller@firm.example")
OPERATIONS = call_metadata("operations", subject="ops.anna")
OPEN, RESOLVED = exceptions_pb2.EXCEPTION_STATUS_OPEN, exceptions_pb2.EXCEPTION_STATUS_RESOLVED
BY_RETRY = exceptions_pb2.EXCEPTION_RESOLUTION_BY_RETRY
DOWN = 1_000_000  # refusals: the ERP answers nothing else until it is back


@pytest.fixture(scope="module", params=BACKENDS)
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, nats_url: str
) -> Iterator[Runtime]:
    yield from with_simulated_erps(request.param, tmp_path_factory.mktemp("o2c"), nats_url)


@pytest.fixture(scope="module")
def channel(service: Runtime) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{service.port}") as channel:
        yield as_rightful_callers(channel)


@pytest.fixture
def queue(channel: grpc.Channel) -> exceptions_pb2_grpc.ExceptionServiceStub:
    return exceptions_pb2_grpc.ExceptionServiceStub(channel)


@pytest.fixture
def netsuite(service: Runtime) -> Iterator[NetSuiteSimulator]:
    assert service.erp_simulators is not None
    [account] = [s for s in service.erp_simulators.running if isinstance(s, NetSuiteSimulator)]
    yield account
    account.refuse_next(0)


@pytest.fixture
def erp_admin(service: Runtime) -> Iterator[SandboxErp]:
    """The sandbox ERP's legal entities, as its admin keeps them; put back after the test."""
    erp = service.container.erp()
    assert isinstance(erp, SandboxErp)
    kept = dict(erp.legal_entities)
    yield erp
    erp.legal_entities.clear()
    erp.legal_entities.update(kept)


def invoice_of_us01(channel: grpc.Channel, key: str) -> invoicing_pb2.InvoiceSummary:
    """An engagement of US01's, routed to NetSuite, its approved time invoiced."""
    target = (erp_routing_pb2.ERP_NETSUITE, NETSUITE_SUBSIDIARIES["US01"])
    erp_routing_pb2_grpc.ErpRoutingServiceStub(channel).SetErpRoute(
        route_request(f"route-{key}", "US01", "2020-01-01", target), metadata=CONTROLLER
    )
    engagements = engagement_pb2_grpc.EngagementServiceStub(channel)
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    request = closed_won_with_terms(key, [time_and_materials("NA")], "US01")
    engagement = engagements.CreateServiceEngagement(request).engagement
    billing.ApproveBillableEvent(time_entry(key, engagement.engagement_id))
    [invoice] = billing.RunBillingCycle(billing_cycle(key, engagement.engagement_id)).invoices
    return invoice


def cases_of(queue, business_key: str) -> list[exceptions_pb2.ExceptionCase]:
    request = exceptions_pb2.ListExceptionsRequest(business_key=business_key)
    return list(queue.ListExceptions(request, metadata=OPERATIONS).exceptions)


def parked_case(queue, business_key: str) -> exceptions_pb2.ExceptionCase:
    assert eventually(lambda: len(cases_of(queue, business_key)) == 1, timeout=30)
    [case] = cases_of(queue, business_key)
    return case


def retry(queue, request_id: str, case_id: str) -> exceptions_pb2.ExceptionCase:
    request = exceptions_pb2.RetryExceptionRequest(request_id=request_id, exception_id=case_id)
    return queue.RetryException(request, metadata=OPERATIONS).exception


def shown(queue, case_id: str) -> exceptions_pb2.ExceptionCase:
    request = exceptions_pb2.GetExceptionRequest(exception_id=case_id)
    return queue.GetException(request, metadata=OPERATIONS).exception


def resolutions_on_nats(service: Runtime, case_id: str) -> list[object]:
    values = service.values
    prefix = values["O2C_SUBJECT_PREFIX"]
    events = asyncio.run(
        read_events(
            values["O2C_NATS_URL"],
            values["O2C_STREAM"],
            f"{prefix}.exception.resolved",
            prefix=prefix,
        )
    )
    return [e.message for e in events if e.message.exception_id == case_id]


def documents_numbered(netsuite: NetSuiteSimulator, number: str) -> list[dict[str, object]]:
    return [record for record in netsuite.records("invoice") if record["tranId"] == number]


def test_an_invoice_parked_while_its_erp_was_down_is_posted_once_by_its_retry(
    service, channel, queue, netsuite, run_key
):
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    netsuite.refuse_next(DOWN, retry_after=0)
    invoice = invoice_of_us01(channel, run_key)

    case = parked_case(queue, invoice.number)
    assert (case.workflow, case.reason_code, case.owner_role, case.status) == (
        exceptions_pb2.WORKFLOW_INVOICE_TO_ERP,
        exceptions_pb2.REASON_CODE_ERP_POSTING_FAILED,
        exceptions_pb2.OWNER_ROLE_FINANCE,
        OPEN,
    )
    assert "429" in case.detail
    assert documents_numbered(netsuite, invoice.number) == []

    netsuite.refuse_next(0)
    retried = retry(queue, f"retry-{run_key}", case.exception_id)

    assert (retried.status, retried.resolution, retried.attempts) == (RESOLVED, BY_RETRY, 2)
    assert posted(billing, invoice.invoice_id)
    assert len(documents_numbered(netsuite, invoice.number)) == 1
    case = shown(queue, case.exception_id)
    assert (case.status, case.resolution, case.attempts, case.resolved_by) == (
        RESOLVED,
        BY_RETRY,
        2,
        "",
    )
    assert [attempt.succeeded for attempt in case.attempt_log] == [False, True]
    took = case.time_to_resolution.ToTimedelta()
    assert took == case.resolve_time.ToDatetime() - case.create_time.ToDatetime()
    assert took.total_seconds() > 0

    assert eventually(lambda: len(resolutions_on_nats(service, case.exception_id)) == 1)
    [resolved] = resolutions_on_nats(service, case.exception_id)
    assert resolved.resolution == BY_RETRY
    assert resolved.seconds_to_resolution == pytest.approx(took.total_seconds(), abs=0.001)


def test_a_held_engagement_is_re_driven_by_its_retry_once_the_erp_knows_its_legal_entity(
    service, channel, queue, erp_admin, run_key
):
    engagements = engagement_pb2_grpc.EngagementServiceStub(channel)
    held = engagements.CreateServiceEngagement(closed_won(run_key, "BR01")).engagement
    assert held.status == engagement_pb2.ENGAGEMENT_STATUS_PENDING_DATA
    case = parked_case(queue, held.opportunity_id)
    assert case.reason_code == exceptions_pb2.REASON_CODE_LEGAL_ENTITY_NOT_MAPPED

    erp_admin.legal_entities["BR01"] = LegalEntity("BR01", "BRMF", None)
    still_held = retry(queue, f"retry-1-{run_key}", case.exception_id)
    assert (still_held.status, still_held.attempts) == (OPEN, 2)
    assert "BRMF has no tax registration" in still_held.attempt_log[-1].detail

    erp_admin.legal_entities["BR01"] = LegalEntity("BR01", "BRMF", "BR-CNPJ-12345678000190")
    retried = retry(queue, f"retry-2-{run_key}", case.exception_id)

    assert (retried.status, retried.resolution, retried.attempts) == (RESOLVED, BY_RETRY, 3)
    assert retried.time_to_resolution.ToTimedelta().total_seconds() > 0
    request = engagement_pb2.GetServiceEngagementRequest(engagement_id=held.engagement_id)
    active = engagements.GetServiceEngagement(request).engagement
    assert active.status == engagement_pb2.ENGAGEMENT_STATUS_ACTIVE
    projects = [package.psa_project_id for package in active.work_packages]
    assert len(projects) == 2 and all(projects)
    psa = service.container.psa()
    assert all(psa.records.payload("project", project)["active"] for project in projects)
    assert [c.exception_id for c in cases_of(queue, held.opportunity_id)] == [case.exception_id]
