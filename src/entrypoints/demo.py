"""`make demo`: two closed-won opportunities and three approved time entries, end to end; then
one engagement per billing method through to its finalised invoice (`demo_billing`); then a
mid-month ERP cutover against the ERPs the server simulates (`demo_erp`)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from typing import Any

import grpc
from google.protobuf import json_format, text_format
from google.protobuf.message import Message
from google.type import date_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from adapters.messaging.subscriber import read_events
from entrypoints import settings
from entrypoints.client_channel import open_channel
from entrypoints.demo_billing import bill_each_method
from entrypoints.demo_erp import show_erp_cutover
from entrypoints.demo_intercompany import show_intercompany
from entrypoints.demo_requests import CallerMetadata, Metadata
from entrypoints.grpc.dev_tokens import bearer_metadata, development_principal, development_token
from o2c.v1 import (
    billing_pb2,
    billing_pb2_grpc,
    common_pb2,
    engagement_pb2,
    engagement_pb2_grpc,
    exceptions_pb2,
)


def run_demo() -> int:
    values = settings.read()
    runtime = None
    address = values["O2C_GRPC_ADDRESS"]
    if not is_serving(values):
        from entrypoints.runtime import Runtime

        print(f"no o2c server on {address}: starting one for the demo")
        runtime = Runtime(values).start()
        values = runtime.values
    try:
        run, calling_as = uuid.uuid4().hex[:6].upper(), development_caller(values)
        with open_channel(values) as channel:
            keys = scenario(channel, run, calling_as)
        print_events(values, keys)
        with open_channel(values) as channel:
            bill_each_method(channel, run, calling_as)
            show_erp_cutover(channel, run, calling_as)
            show_intercompany(channel, run, calling_as)
    finally:
        if runtime is not None:
            runtime.stop()
    return 0


def is_serving(values: Mapping[str, str]) -> bool:
    with open_channel(values) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=1
            )
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def opportunity(run: str, number: int, legal_entity: str) -> engagement_pb2.ClosedWonOpportunity:
    usd = "USD"
    return engagement_pb2.ClosedWonOpportunity(
        opportunity_id=f"006-DEMO-{run}-{number}",
        account_id=f"001-DEMO-{run}-{number}",
        account_name=f"Globex {legal_entity} ({run})",
        legal_entity_code=legal_entity,
        currency_code=usd,
        billing_method=engagement_pb2.BILLING_METHOD_TIME_AND_MATERIALS,
        start_date=date_pb2.Date(year=2026, month=12, day=1),
        end_date=date_pb2.Date(year=2027, month=6, day=30),
        contract_value=common_pb2.Money(currency_code=usd, amount="180000.00"),
        rate_card=[
            engagement_pb2.RateCardLine(
                role="consultant", hourly_rate=common_pb2.Money(currency_code=usd, amount="150.00")
            ),
            engagement_pb2.RateCardLine(
                role="architect", hourly_rate=common_pb2.Money(currency_code=usd, amount="220.00")
            ),
        ],
        work_packages=[
            engagement_pb2.WorkPackage(
                code="NA", name="Finance transformation", region="North America"
            )
        ],
    )


def development_caller(values: Mapping[str, str]) -> CallerMetadata:
    """Signs as each calling system with the development key of `make run`."""

    def metadata(system: str) -> Metadata:
        principal = development_principal(system, subject=f"demo-{system}")
        return bearer_metadata(development_token(values, principal, ttl_seconds=600))

    return metadata


def scenario(channel: grpc.Channel, run: str, calling_as: CallerMetadata) -> set[str]:
    """`calling_as(system)`: the metadata that proves a call comes from that system."""
    engagements = engagement_pb2_grpc.EngagementServiceStub(channel)
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    print(f"\n== closed-won opportunities from the CRM (run {run})")
    mapped = create(engagements, run, 1, "US01", calling_as("crm"))
    unmapped = create(engagements, run, 2, "BR01", calling_as("crm"))
    print("\n== approved time from the PSA, one entry sent twice")
    for number, (source_id, role, hours) in enumerate(TIME_ENTRIES, start=1):
        request = approval(run, number, mapped.engagement_id, source_id, role, hours)
        show_staged(billing.ApproveBillableEvent(request, metadata=calling_as("psa")))
    print("\n== a CRM trying to approve time is refused")
    refused = approval(run, 9, mapped.engagement_id, "TC-9", "consultant", "2")
    refused.source_system = common_pb2.SOURCE_SYSTEM_CRM
    try:
        billing.ApproveBillableEvent(refused, metadata=calling_as("crm"))
    except grpc.RpcError as error:
        show_error(error)
    return {mapped.engagement_id, unmapped.engagement_id, unmapped.opportunity_id}


TIME_ENTRIES = (
    ("TC-1", "consultant", "7.5"),
    ("TC-2", "architect", "6"),
    ("TC-1", "consultant", "7.5"),
)


def create(
    engagements: engagement_pb2_grpc.EngagementServiceStub,
    run: str,
    number: int,
    entity: str,
    metadata: Metadata,
) -> engagement_pb2.ServiceEngagement:
    request = engagement_pb2.CreateServiceEngagementRequest(
        request_id=f"demo-{run}-opp-{number}", opportunity=opportunity(run, number, entity)
    )
    engagement = engagements.CreateServiceEngagement(request, metadata=metadata).engagement
    show_engagement(engagement)
    return engagement


def approval(
    run: str, number: int, engagement_id: str, source_id: str, role: str, hours: str
) -> billing_pb2.ApproveBillableEventRequest:
    entry = billing_pb2.TimeEntry(
        source_id=f"{source_id}-{run}",
        engagement_id=engagement_id,
        resource="Grace Hopper",
        role=role,
        work_date=date_pb2.Date(year=2026, month=12, day=2),
        hours=hours,
    )
    return billing_pb2.ApproveBillableEventRequest(
        request_id=f"demo-{run}-time-{number}",
        source_system=common_pb2.SOURCE_SYSTEM_PSA,
        time_entry=entry,
    )


def show_staged(reply: billing_pb2.ApproveBillableEventResponse) -> None:
    line = reply.staged_line
    verdict = "already staged, nothing new" if reply.already_staged else "staged"
    print(
        f"  {line.source_id}: {line.hours} h {line.role} at {line.rate.amount} = "
        f"{line.amount.amount} {line.amount.currency_code} -> {verdict}"
    )


def show_engagement(engagement: engagement_pb2.ServiceEngagement) -> None:
    status = engagement_pb2.EngagementStatus.Name(engagement.status)
    print(f"  {engagement.opportunity_id} ({engagement.legal_entity_code}) -> {status}")
    for account in engagement.erp_customer_accounts:
        print(
            f"    ERP {account.erp_legal_entity} customer {account.customer_number}, "
            f"tax registration {engagement.tax_registration}"
        )
    for package in engagement.work_packages:
        if package.psa_project_id:
            print(f"    PSA project {package.psa_project_id} for work package {package.code}")
    if engagement.HasField("exception"):
        case = engagement.exception
        owner = exceptions_pb2.OwnerRole.Name(case.owner_role)
        reason = exceptions_pb2.ReasonCode.Name(case.reason_code)
        print(f"    parked for {owner}: {reason} ({case.detail}), exception {case.exception_id}")


def show_error(error: grpc.RpcError) -> None:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    print(f"  {error.code().name}: {error.details()}")  # type: ignore[attr-defined]
    if status is not None:
        for detail in status.details:
            print(f"    {detail.type_url.split('/')[-1]}")


def print_events(values: dict[str, str], keys: set[str]) -> None:
    print("\n== events received from NATS JetStream")
    deadline = time.monotonic() + 10
    shown: set[str] = set()
    prefix = values.get("O2C_SUBJECT_PREFIX", "o2c.v1")
    while time.monotonic() < deadline:
        events = asyncio.run(
            read_events(settings.nats_url(values), values["O2C_STREAM"], prefix=prefix)
        )
        for subject, message_id, message in events:
            if message_id in shown or not mentions(message, keys):
                continue
            shown.add(message_id)
            print(describe(subject, message))
        if len(shown) >= 4:
            return
        time.sleep(0.5)


def describe(subject: str, message: Message) -> str:
    fields = json_format.MessageToDict(message, preserving_proto_field_name=True)
    envelope = fields.pop("envelope", {})
    details = ", ".join(f"{name}={value}" for name, value in fields.items())
    heading = f"  {envelope.get('occurred_at', '')}  {subject}\n"
    return f"{heading}{envelope_lines(envelope)}      {details}"


def envelope_lines(envelope: dict[str, Any]) -> str:
    """The envelope every event shares: which aggregate, in what order, for which business key."""
    if not envelope:
        return ""
    key = envelope.get("business_key", {})
    kind = str(key.get("kind", "")).removeprefix("BUSINESS_KEY_KIND_").lower()
    return (
        f"      {envelope.get('aggregate_type', '')} {envelope.get('aggregate_id', '')} "
        f"#{envelope.get('aggregate_sequence', '?')}, {kind} {key.get('value', '')}, "
        f"correlation {envelope.get('correlation_id', '')}\n"
        f"      event {envelope.get('event_id', '')} ({envelope.get('event_type', '')}) "
        f"from {envelope.get('source', '')}\n"
    )


def mentions(message: object, keys: set[str]) -> bool:
    text = text_format.MessageToString(message)  # type: ignore[arg-type]
    return any(key in text for key in keys)
