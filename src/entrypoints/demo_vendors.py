"""`make demo-vendors`: the process driven by vendor events, against simulated vendors on
loopback: Salesforce as the CRM, Certinia as the PSA and NetSuite for US01's invoices. Sales
closes a deal in the org and its change event arrives on NATS; o2c opens the engagement with a
Certinia project; a consultant's timecard approved in Certinia is staged; the billing cycle's
invoice posts to NetSuite and is written back on the timecard; a change event with a stage o2c
does not know is parked for sales operations; and once sales renames the account, the
reference-data sync finds NetSuite's customer under the old name and parks that for them too.

It starts its own server (its own database under var/demo-vendors, an embedded NATS on a free
port), so `make run` may keep running beside it. The simulated vendors keep their records in
memory, so each run starts o2c's side afresh too: a PSA that forgot its timecards would otherwise
reuse ids o2c has already billed."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

import grpc
import nats
from sqlalchemy import select

from adapters.persistence.tables import exceptions
from adapters.vendors.salesforce.crm import SalesforceCrm
from application.commands import RateLine, WorkPackageLine
from application.crm_ports import CrmDeal
from domain.ownership import System
from entrypoints import settings
from entrypoints.client_channel import open_channel
from entrypoints.demo_invoices import amount
from entrypoints.demo_requests import CallerMetadata, december
from entrypoints.runtime import Runtime
from entrypoints.vendor_events import subjects
from o2c.v1 import (
    billing_pb2,
    billing_pb2_grpc,
    erp_routing_pb2,
    erp_routing_pb2_grpc,
    reference_data_pb2,
    reference_data_pb2_grpc,
)
from simulators.certinia import CertiniaDesk
from simulators.salesforce import SalesforceSimulator

WAIT_SECONDS = 30.0
T = TypeVar("T")
SETTINGS = {
    "O2C_CRM": "salesforce",
    "O2C_PSA": "certinia",
    "O2C_ERP_SIMULATORS": "true",
    "O2C_DATABASE_URL": "sqlite:///var/demo-vendors/o2c.db",
    "O2C_GRPC_ADDRESS": "127.0.0.1:0",
    "O2C_EMBEDDED_NATS_PORT": "0",
    "O2C_EMBEDDED_NATS_DIR": "var/demo-vendors/nats",
    "O2C_ERP_SIMULATORS_DIR": "var/demo-vendors",
    "O2C_PSA_WORK_SECONDS": "0.5",
    "O2C_SAGA_SWEEP_SECONDS": "0.3",
    "O2C_LOG_LEVEL": "WARNING",
}


def run_vendor_demo() -> int:
    from entrypoints.demo import development_caller

    values = settings.read({**os.environ, **SETTINGS})
    shutil.rmtree(values["O2C_ERP_SIMULATORS_DIR"], ignore_errors=True)
    runtime = Runtime(values).start()
    try:
        runtime.values["O2C_GRPC_ADDRESS"] = f"127.0.0.1:{runtime.port}"
        show_vendor_flow(runtime, uuid.uuid4().hex[:6].upper(), development_caller(runtime.values))
    finally:
        runtime.stop()
    return 0


def show_vendor_flow(runtime: Runtime, run: str, calling_as: CallerMetadata) -> None:
    assert runtime.salesforce is not None and runtime.salesforce.simulator is not None
    org = runtime.salesforce.simulator
    print(f"\n== Vendor events: Salesforce (CRM), Certinia (PSA), NetSuite (ERP) (run {run})")
    with open_channel(runtime.values) as channel:
        routing = erp_routing_pb2_grpc.ErpRoutingServiceStub(channel)
        billing = billing_pb2_grpc.BillingServiceStub(channel)
        route_us01_to_netsuite(routing, calling_as)
        opportunity = f"006-DEMO-{run}"
        close_deal(runtime, org, deal(opportunity, run))
        publish(runtime, "closed_won", change_event(opportunity, f"tx-{run}", "Closed Won"))
        print(f"  sales closed {opportunity} in Salesforce; its change event is on NATS")
        engagement = waited(lambda: active(runtime, opportunity))
        if engagement is None:
            print(f"  no engagement after {WAIT_SECONDS:.0f} s")
            return
        project = engagement.work_packages[0].psa_project_id or ""
        written = org.find("Opportunity", "Id", opportunity) or {}
        print(f"  engagement {engagement.id} active, Certinia project {project}")
        print(f"    written back on the opportunity: {written.get('o2c_Engagement_Id__c')}")
        split = approve_timecard(org, project)
        staged = waited(lambda: staged_event(runtime, split))
        if staged is None:
            print(f"  timecard {split} not staged after {WAIT_SECONDS:.0f} s")
            return
        print(f"  timecard split {split}: 7.5 h approved in Certinia -> staged {staged.id}")
        invoice_and_write_back(billing, org, engagement.id, split, run, calling_as)
        publish(runtime, "closed_won", change_event(opportunity, f"tx-{run}-bad", "Won-ish"))
        print("  a change event with the stage 'Won-ish' is published")
        parked = waited(lambda: parked_case(runtime, "Won-ish"))
        if parked is not None:
            print(f"    parked for {parked['owner_role'].value}: {parked['detail']}")
        check_customer_master(channel, runtime, org, deal(opportunity, run), calling_as)


def check_customer_master(
    channel: grpc.Channel,
    runtime: Runtime,
    org: SalesforceSimulator,
    closed: CrmDeal,
    calling_as: CallerMetadata,
) -> None:
    """Sales renames the account in Salesforce; the reference-data sync finds NetSuite's
    customer still under the old name and parks the difference for sales operations."""
    reference = reference_data_pb2_grpc.ReferenceDataServiceStub(channel)
    crm = runtime.container.crm()
    assert isinstance(crm, SalesforceCrm)
    renamed = f"{closed.account_name} Holdings"
    org.seed("Account", {crm.mapping.account["name"]: renamed}, closed.account_id)
    print(f"  sales renames {closed.account_id} to {renamed!r} in Salesforce")
    report = reference.SyncReferenceData(
        reference_data_pb2.SyncReferenceDataRequest(), metadata=calling_as("operations")
    )
    for erp in report.erps:
        counts = ", ".join(
            f"{reference_data_pb2.ReferenceKind.Name(c.kind)[15:].lower()} "
            f"{c.created + c.updated + c.unchanged}"
            for c in erp.counts
        )
        print(f"    {erp_routing_pb2.Erp.Name(erp.erp)[4:].lower()}: {counts or erp.detail}")
    parked = parked_case(runtime, renamed)
    if parked is not None:
        print(f"    parked for {parked['owner_role'].value}: {parked['detail']}")


def route_us01_to_netsuite(
    routing: erp_routing_pb2_grpc.ErpRoutingServiceStub, calling_as: CallerMetadata
) -> None:
    request = erp_routing_pb2.ListErpRoutesRequest(legal_entity_code="US01")
    reply = routing.ListErpRoutes(request, metadata=calling_as("operations"))
    if any(entity.routes for entity in reply.legal_entities):
        print("  US01 is routed already (kept)")
        return
    today = dt.date.today()
    route = erp_routing_pb2.ErpRoute(
        legal_entity_code="US01",
        primary=erp_routing_pb2.ErpTarget(
            erp=erp_routing_pb2.ERP_NETSUITE, erp_legal_entity="US-SUB-1"
        ),
    )
    route.effective_from.year, route.effective_from.month, route.effective_from.day = (
        today.year,
        today.month,
        today.day,
    )
    routing.SetErpRoute(
        erp_routing_pb2.SetErpRouteRequest(request_id=f"demo-vendors-{today}", route=route),
        metadata=calling_as("admin"),
    )
    print("  US01 routed to NetSuite (US-SUB-1)")


def deal(opportunity: str, run: str) -> CrmDeal:
    return CrmDeal(
        opportunity_id=opportunity,
        stage="Closed Won",
        is_won=True,
        account_id=f"001-DEMO-{run}",
        account_name=f"Initech ({run})",
        legal_entity_code="US01",
        currency="USD",
        billing_method="time_and_materials",
        start_date="2026-12-01",
        end_date="2027-06-30",
        contract_value="100000.00",
        rate_card=(RateLine("consultant", "150.00", "USD"),),
        work_packages=(WorkPackageLine("NA", "North America rollout", "NA"),),
    )


def close_deal(runtime: Runtime, org: SalesforceSimulator, closed: CrmDeal) -> None:
    """Sales' side of the org, as the firm's mapping lays the deal out."""
    crm = runtime.container.crm()
    assert isinstance(crm, SalesforceCrm)
    mapping = crm.mapping
    org.seed("Account", {mapping.account["name"]: closed.account_name}, closed.account_id)
    opportunity = mapping.opportunity
    words = mapping.in_salesforce_words
    fields = {
        "Name": f"{closed.account_name} - {closed.opportunity_id}",
        "AccountId": closed.account_id,
        "StageName": closed.stage,
        "CloseDate": closed.start_date,
        opportunity["legal_entity_code"]: words("legal_entity_code", closed.legal_entity_code),
        opportunity["currency"]: closed.currency,
        opportunity["billing_method"]: words("billing_method", closed.billing_method),
        opportunity["start_date"]: closed.start_date,
        opportunity["end_date"]: closed.end_date,
        opportunity["contract_value"]: Decimal(closed.contract_value),
    }
    org.seed("Opportunity", {k: v for k, v in fields.items() if k}, closed.opportunity_id)
    rates, packages = mapping.rate_card, mapping.work_packages
    for rate in closed.rate_card:
        line = {
            rates["opportunity"]: closed.opportunity_id,
            rates["role"]: rate.role,
            rates["amount"]: Decimal(rate.amount),
            rates["currency"]: rate.currency,
        }
        org.seed(rates.object, {k: v for k, v in line.items() if k})
    for package in closed.work_packages:
        line = {
            packages["opportunity"]: closed.opportunity_id,
            packages["code"]: package.code,
            packages["name"]: package.name,
            packages["region"]: package.region,
        }
        org.seed(packages.object, {k: v for k, v in line.items() if k})


def change_event(opportunity: str, transaction: str, stage: str) -> bytes:
    header = {
        "entityName": "Opportunity",
        "recordIds": [opportunity],
        "changeType": "UPDATE",
        "changedFields": ["StageName", "LastModifiedDate"],
        "transactionKey": transaction,
        "sequenceNumber": 1,
        "commitTimestamp": int(time.time() * 1000),
    }
    return json.dumps({"ChangeEventHeader": header, "StageName": stage}).encode()


def publish(runtime: Runtime, which: str, payload: bytes) -> None:
    subject = subjects(runtime.values["O2C_VENDOR_EVENT_PREFIX"])[which]

    async def send() -> None:
        client = await nats.connect(runtime.values["O2C_NATS_URL"])
        try:
            await client.jetstream().publish(subject, payload)
        finally:
            await client.close()

    asyncio.run(send())


def approve_timecard(org: SalesforceSimulator, project: str) -> str:
    desk = CertiniaDesk(org)
    assignment = desk.assign(project, desk.resource("Grace Hopper"), "consultant")
    week = december(7)
    monday = dt.date(week.year, week.month, week.day)
    header, split = desk.timecard(
        assignment, monday, {monday + dt.timedelta(days=2): Decimal("7.5")}
    )
    desk.approve_timecard(
        header, dt.datetime.combine(monday + dt.timedelta(days=4), dt.time(17), dt.UTC)
    )
    return split


def invoice_and_write_back(
    billing: billing_pb2_grpc.BillingServiceStub,
    org: SalesforceSimulator,
    engagement_id: str,
    split: str,
    run: str,
    calling_as: CallerMetadata,
) -> None:
    cycle = billing_pb2.RunBillingCycleRequest(
        request_id=f"demo-vendors-{run}-cycle",
        as_of=december(31),
        engagement_ids=[engagement_id],
        finalise=True,
    )
    [invoice] = billing.RunBillingCycle(cycle, metadata=calling_as("billing")).invoices
    print(f"  billing cycle -> invoice {invoice.number}, {amount(invoice.total)}")
    request = billing_pb2.GetInvoiceStatusRequest(invoice_id=invoice.invoice_id)

    def posted() -> billing_pb2.GetInvoiceStatusResponse | None:
        status = billing.GetInvoiceStatus(request, metadata=calling_as("billing"))
        return status if status.erp_document_id else None

    status = waited(posted)
    if status is not None:
        erp = erp_routing_pb2.Erp.Name(status.erp).removeprefix("ERP_").lower()
        print(f"    posted to {erp} as {status.erp_document_id}")
    back = waited(
        lambda: (org.record("pse__Timecard__c", split) or {}).get("pse__Invoice_Number__c")
    )
    print(f"    written back on the Certinia split: pse__Invoice_Number__c = {back}")


def active(runtime: Runtime, opportunity: str):
    with runtime.container.unit_of_work() as uow:
        found = uow.engagements.get_by_opportunity(opportunity)
    return found if found is not None and found.status.value == "active" else None


def staged_event(runtime: Runtime, split: str):
    with runtime.container.unit_of_work() as uow:
        return uow.billable_events.get_by_source(System.PSA, split)


def parked_case(runtime: Runtime, needle: str):
    with runtime.container.engine().begin() as connection:
        rows = connection.execute(select(exceptions)).mappings().all()
    return next((dict(row) for row in rows if needle in row["detail"]), None)


def waited(found: Callable[[], T | None]) -> T | None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = found()
        if value is not None:
            return value
        time.sleep(0.2)
    return None
