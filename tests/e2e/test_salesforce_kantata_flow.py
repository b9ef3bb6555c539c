"""The running service with Salesforce as its CRM and Kantata as its PSA (`O2C_CRM=salesforce`,
`O2C_PSA=kantata`, both simulated on loopback as `make run` does): a Salesforce change event for
a deal closed in the org opens the engagement, written back on the opportunity, with a Kantata
workspace per work package; time the project manager approves there ends as a staged line,
once, and once invoiced it carries the invoice number in Kantata."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator

import pytest
from contracts.vendor_worlds import a_deal
from support.nats import with_jetstream
from support.salesforce import SalesforceWorld
from support.service import running_service
from support.waiting import eventually

from application.billing_cycle import run_cycle
from application.commands import RateLine, RunBillingCycle, WorkPackageLine
from domain.ownership import System
from domain.principal import EVERY_LEGAL_ENTITY, CallingSystem, Principal
from entrypoints.runtime import Runtime
from entrypoints.vendor_events import subjects


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, nats_url: str) -> Iterator[Runtime]:
    scratch = tmp_path_factory.mktemp("o2c")
    with running_service(
        f"sqlite:///{scratch}/o2c.db",
        nats_url,
        O2C_PSA="kantata",
        O2C_CRM="salesforce",
        O2C_PSA_WORK_SECONDS="0.3",
        O2C_ERP_SIMULATORS_DIR=str(scratch / "vendors"),
    ) as runtime:
        yield runtime


def opened(service: Runtime, opportunity_id: str):
    with service.container.unit_of_work() as uow:
        engagement = uow.engagements.get_by_opportunity(opportunity_id)
    return engagement if engagement is not None and engagement.status.value == "active" else None


def test_a_closed_won_deal_gets_kantata_workspaces_and_approved_time_is_staged(service):
    deal = a_deal(
        "006-KANTATA-1",
        rate_card=(RateLine("consultant", "150.00", "USD"),),
        work_packages=(WorkPackageLine("NA", "North America rollout", "NA"),),
        customer_country="",
    )
    org = service.salesforce.simulator
    SalesforceWorld(org, service.container.crm()).close_deal(deal)
    header = {
        "entityName": "Opportunity",
        "recordIds": ["006-KANTATA-1"],
        "changeType": "UPDATE",
        "changedFields": ["StageName"],
        "transactionKey": "tx-kantata-1",
        "sequenceNumber": 1,
    }
    subject = subjects(service.values["O2C_VENDOR_EVENT_PREFIX"])["closed_won"]
    payload = json.dumps({"ChangeEventHeader": header, "StageName": "Closed Won"}).encode()

    async def send(js):
        await js.publish(subject, payload)

    asyncio.run(with_jetstream(service.values["O2C_NATS_URL"], send))
    assert eventually(lambda: opened(service, "006-KANTATA-1") is not None)
    workspace = opened(service, "006-KANTATA-1").work_packages[0].psa_project_id
    assert workspace.isdigit()  # Kantata's own id for the workspace
    opportunity = org.find("Opportunity", "Id", "006-KANTATA-1")
    engagement_id = opened(service, "006-KANTATA-1").id
    assert opportunity is not None
    assert eventually(
        lambda: (
            org.find("Opportunity", "Id", "006-KANTATA-1")["o2c_Engagement_Id__c"] == engagement_id
        )
    )

    kantata = service.kantata.simulator
    entry = kantata.log_time(
        workspace, performed="2026-12-02", minutes=450, user="Ada Lovelace", role="consultant"
    )
    kantata.approve_time([entry], dt.date(2026, 12, 4))

    def staged():
        with service.container.unit_of_work() as uow:
            return uow.billable_events.get_by_source(System.PSA, entry)

    assert eventually(lambda: staged() is not None)
    assert str(staged().work.hours) == "7.5"
    with service.container.unit_of_work() as uow:
        assert len(uow.billable_events.of_engagement(staged().engagement_id)) == 1

    cycle = RunBillingCycle(
        request_id="cycle-kantata-1",
        as_of="2026-12-31",
        legal_entity_codes=(),
        engagement_ids=(staged().engagement_id,),
        finalise=True,
        caller=Principal("billing", CallingSystem.BILLING, EVERY_LEGAL_ENTITY),
    )
    [invoice] = run_cycle(cycle, service.container.billing()).invoices

    def written_back():
        return kantata.reference_of("TimeEntry", entry, "Invoice")

    assert eventually(lambda: written_back() is not None)
    assert written_back()["service_model_ref"] == str(invoice.number)
