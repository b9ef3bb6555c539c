"""The running service with Salesforce as its CRM, Certinia as its PSA and NetSuite for US01's
invoices, all simulated on loopback as `make run` does (`O2C_CRM=salesforce`,
`O2C_PSA=certinia`): a change event for a deal closed in the org opens the engagement with a
Certinia project and its milestones, an approved timecard ends as a staged line, and the invoice
posts to NetSuite and is written back on the timecard split."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from contracts.vendor_worlds import a_deal
from support.nats import with_jetstream
from support.salesforce import SalesforceWorld
from support.service import running_service
from support.waiting import eventually

from application.billing_cycle import run_cycle
from application.commands import (
    ErpTargetLine,
    RateLine,
    RunBillingCycle,
    SetErpRoute,
    WorkPackageLine,
)
from application.erp_routes import set_erp_route
from domain.ownership import System
from domain.principal import EVERY_LEGAL_ENTITY, CallingSystem, Principal
from entrypoints.runtime import Runtime
from entrypoints.vendor_events import subjects
from simulators.certinia import CertiniaDesk


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, nats_url: str) -> Iterator[Runtime]:
    scratch = tmp_path_factory.mktemp("o2c")
    with running_service(
        f"sqlite:///{scratch}/o2c.db",
        nats_url,
        O2C_CRM="salesforce",
        O2C_PSA="certinia",
        O2C_ERP_SIMULATORS="true",
        O2C_ERP_SIMULATORS_DIR=str(scratch / "vendors"),
        O2C_PSA_WORK_SECONDS="0.3",
        O2C_SAGA_SWEEP_SECONDS="0.2",
    ) as runtime:
        yield runtime


def as_system(system: CallingSystem) -> Principal:
    return Principal(system.value, system, EVERY_LEGAL_ENTITY)


def opened(service: Runtime, opportunity_id: str):
    with service.container.unit_of_work() as uow:
        engagement = uow.engagements.get_by_opportunity(opportunity_id)
    return engagement if engagement is not None and engagement.status.value == "active" else None


def test_a_closed_won_deal_runs_through_certinia_to_a_netsuite_invoice(service):
    billing = service.container.billing()
    set_erp_route(
        SetErpRoute(
            "route-us01",
            "US01",
            service.container.clock().now().date().isoformat(),
            ErpTargetLine("netsuite", "US-SUB-1"),
            as_system(CallingSystem.ADMIN),
        ),
        billing,
    )
    org = service.salesforce.simulator
    deal = a_deal(
        "006-CERT-1",
        rate_card=(RateLine("consultant", "150.00", "USD"),),
        work_packages=(WorkPackageLine("NA", "North America rollout", "NA"),),
        customer_country="",
    )
    SalesforceWorld(org, service.container.crm()).close_deal(deal)
    header = {
        "entityName": "Opportunity",
        "recordIds": ["006-CERT-1"],
        "changeType": "UPDATE",
        "changedFields": ["StageName"],
        "transactionKey": "tx-cert-1",
        "sequenceNumber": 1,
    }
    subject = subjects(service.values["O2C_VENDOR_EVENT_PREFIX"])["closed_won"]
    payload = json.dumps({"ChangeEventHeader": header, "StageName": "Closed Won"}).encode()

    async def send(js):
        await js.publish(subject, payload)

    asyncio.run(with_jetstream(service.values["O2C_NATS_URL"], send))
    assert eventually(lambda: opened(service, "006-CERT-1") is not None)
    project = opened(service, "006-CERT-1").work_packages[0].psa_project_id
    assert org.record("pse__Proj__c", project) is not None  # the Certinia project

    desk = CertiniaDesk(org)
    assignment = desk.assign(project, desk.resource("Ada Lovelace"), "consultant")
    monday = dt.date(2026, 12, 7)  # a split is dated by its week's first day, in the engagement
    header_id, split = desk.timecard(assignment, monday, {dt.date(2026, 12, 9): Decimal("7.5")})
    desk.approve_timecard(header_id, dt.datetime(2026, 12, 11, 17, 0, tzinfo=dt.UTC))

    def staged():
        with service.container.unit_of_work() as uow:
            return uow.billable_events.get_by_source(System.PSA, split)

    assert eventually(lambda: staged() is not None, timeout=30)
    assert str(staged().work.hours) == "7.5"

    cycle = RunBillingCycle(
        request_id="cycle-cert-1",
        as_of="2026-12-31",
        legal_entity_codes=(),
        engagement_ids=(staged().engagement_id,),
        finalise=True,
        caller=as_system(CallingSystem.BILLING),
    )
    [invoice] = run_cycle(cycle, billing).invoices

    def posted_to_netsuite():
        with service.container.unit_of_work() as uow:
            return [p.erp for p in uow.erp_postings.of_invoice(invoice.id)]

    assert eventually(lambda: posted_to_netsuite() == ["netsuite"], timeout=30)
    assert eventually(
        lambda: (
            org.record("pse__Timecard__c", split).get("pse__Invoice_Number__c")
            == str(invoice.number)
        ),
        timeout=30,
    )
