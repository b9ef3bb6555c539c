"""A legal entity Zuora bills, end to end through gRPC against a simulated Zuora tenant: the
billing reference data gives GB01 to Zuora, a finalising cycle invoices US01's time in o2c and
hands GB01's to Zuora (once, however often the cycle runs), and the invoice Zuora's bill run
makes is read back and listed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import grpc
import pytest
from support.auth import as_rightful_callers, call_metadata
from support.requests import closed_won, date, time_entry
from support.service import service_on
from support.waiting import eventually

from entrypoints.runtime import Runtime
from o2c.v1 import billing_pb2, billing_pb2_grpc, engagement_pb2_grpc

US_TAX = "\n".join(
    f"""
[[tax_rules]]
legal_entity_country = "US"
customer_country = "US"
service_type = "{service}"
treatment = "exempt"
percent = "0"
"""
    for service in ("professional_services", "expenses", "usage")
)
REFERENCE = f"""
[legal_entities.US01]
country = "US"

[legal_entities.GB01]
country = "GB"
billing_platform = "zuora"
{US_TAX}
"""
KEY = "ZUO1"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, nats_url: str) -> Iterator[Runtime]:
    scratch = tmp_path_factory.mktemp("o2c")
    reference = scratch / "billing_reference.toml"
    reference.write_text(REFERENCE, encoding="utf-8")
    yield from service_on(
        "sqlite",
        scratch,
        nats_url,
        O2C_BILLING_REFERENCE=str(reference),
        O2C_BILLING_PLATFORM="zuora",
        O2C_BILLING_PLATFORM_SECONDS="0",
        O2C_SAGA_SWEEP_SECONDS="0.1",
        O2C_ERP_SIMULATORS_DIR=str(scratch / "simulators"),
    )


@pytest.fixture(scope="module")
def channel(service: Runtime) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{service.port}") as channel:
        yield as_rightful_callers(channel)


@pytest.fixture(scope="module")
def billing(channel) -> billing_pb2_grpc.BillingServiceStub:
    return billing_pb2_grpc.BillingServiceStub(channel)


@pytest.fixture(scope="module")
def zuora(service: Runtime):
    assert service.zuora is not None and service.zuora.simulator is not None
    return service.zuora.simulator


@pytest.fixture(scope="module")
def engagements(channel) -> dict[str, str]:
    stub = engagement_pb2_grpc.EngagementServiceStub(channel)
    return {
        code: stub.CreateServiceEngagement(closed_won(KEY, code)).engagement.engagement_id
        for code in ("US01", "GB01")
    }


def cycle(request_id: str, *engagement_ids: str) -> billing_pb2.RunBillingCycleRequest:
    return billing_pb2.RunBillingCycleRequest(
        request_id=request_id,
        as_of=date(2026, 12, 31),
        engagement_ids=list(engagement_ids),
        finalise=True,
    )


@pytest.fixture(scope="module")
def first_cycle(billing, engagements) -> billing_pb2.RunBillingCycleResponse:
    for code, engagement_id in engagements.items():
        billing.ApproveBillableEvent(time_entry(KEY, engagement_id, source_id=f"TC-{code}"))
    return billing.RunBillingCycle(cycle("cycle-1", *engagements.values()))


GB_ACCOUNT = f"001-{KEY}:GB01"


def test_the_cycle_invoices_us01_in_o2c_and_hands_gb01_to_zuora(first_cycle, engagements):
    assert [i.engagement_id for i in first_cycle.invoices] == [engagements["US01"]]
    [handoff] = first_cycle.handed_to_platform
    assert (handoff.engagement_id, handoff.legal_entity_code, handoff.platform) == (
        engagements["GB01"],
        "GB01",
        "zuora",
    )
    assert (handoff.handed_events, handoff.held_events) == (1, 0)


def test_zuora_holds_gb01s_usage_exactly_once_however_often_the_cycle_runs(
    first_cycle, billing, engagements, zuora
):
    assert eventually(lambda: len(zuora.usage_held(GB_ACCOUNT)) == 1)

    again = billing.RunBillingCycle(cycle("cycle-2", *engagements.values()))

    assert list(again.invoices) == [] and list(again.handed_to_platform) == []
    [usage] = zuora.usage_held(GB_ACCOUNT)
    assert (Decimal(str(usage["quantity"])), usage["unitOfMeasure"]) == (Decimal("7.5"), "Hour")
    subscription = zuora.subscription_of(engagements["GB01"])
    assert subscription is not None and subscription["accountNumber"] == GB_ACCOUNT


def test_the_invoice_zuora_makes_is_read_back_and_listed_by_engagement(
    first_cycle, billing, engagements, zuora
):
    assert eventually(lambda: len(zuora.usage_held(GB_ACCOUNT)) == 1)
    number = zuora.issue_invoice(GB_ACCOUNT, dt.date(2026, 12, 31), Decimal("1050.00"))

    read = billing.ReadPlatformInvoices(billing_pb2.ReadPlatformInvoicesRequest())
    listed = billing.ListPlatformInvoices(
        billing_pb2.ListPlatformInvoicesRequest(engagement_id=engagements["GB01"])
    )

    assert (read.accounts, read.new_invoices, list(read.unreachable_accounts)) == (1, 1, [])
    [invoice] = listed.invoices
    assert (invoice.number, invoice.platform, invoice.legal_entity_code) == (
        number,
        "zuora",
        "GB01",
    )
    assert (invoice.amount.amount, invoice.amount.currency_code) == ("1050.00", "USD")
    assert invoice.status == "Posted"
    other = billing.ListPlatformInvoices(
        billing_pb2.ListPlatformInvoicesRequest(engagement_id=engagements["US01"])
    )
    assert list(other.invoices) == []


def test_a_caller_limited_to_another_entity_sees_none_of_its_platform_invoices(
    first_cycle, billing, engagements, zuora
):
    assert eventually(lambda: len(zuora.usage_held(GB_ACCOUNT)) == 1)
    zuora.issue_invoice(GB_ACCOUNT, dt.date(2026, 12, 31), Decimal("10.00"))
    billing.ReadPlatformInvoices(billing_pb2.ReadPlatformInvoicesRequest())
    by_engagement = billing_pb2.ListPlatformInvoicesRequest(engagement_id=engagements["GB01"])
    us_billing = call_metadata("billing", ("US01",), subject="billing-us")

    assert billing.ListPlatformInvoices(by_engagement).invoices
    assert list(billing.ListPlatformInvoices(by_engagement, metadata=us_billing).invoices) == []
    by_entity = billing_pb2.ListPlatformInvoicesRequest(legal_entity_code="GB01")
    assert list(billing.ListPlatformInvoices(by_entity, metadata=us_billing).invoices) == []
