"""Vendor events driving the process APIs, each taking effect once: a closed-won change event
opens the engagement, approved PSA work is staged; bad vendor data is parked with its payload
and reason, and a fault is retried until the deliveries are spent."""

from __future__ import annotations

import json

import pytest
from attrs import evolve
from contracts.vendor_worlds import a_deal
from support.billing_api import ReferenceData

from application.billing_ports import BillingPorts
from application.create_engagement import saga_runner
from application.vendor_events import (
    ApprovedWorkEvents,
    ClosedWonEvents,
    Outcome,
    Parking,
    VendorMessage,
    receive,
)
from domain.engagement import EngagementStatus
from domain.errors import StorageUnavailable
from domain.exception_case import OwnerRole, ReasonCode, Workflow
from domain.ownership import OwnershipMatrix
from unit.fakes import FakeUnitOfWork, SequentialIds

DEAL = a_deal(
    "006-CDC-1",
    work_packages=a_deal().work_packages[:1],
    rate_card=a_deal().rate_card[:1],
    customer_country="",
)


class Deals:
    def __init__(self, *deals) -> None:
        self.deals = {deal.opportunity_id: deal for deal in deals}
        self.down = False

    def deal(self, opportunity_id):
        if self.down:
            raise StorageUnavailable("the CRM database is away")
        return self.deals.get(opportunity_id)


def change_event(record="006-CDC-1", stage="Closed Won", **header) -> bytes:
    fields = {
        "entityName": "Opportunity",
        "recordIds": [record],
        "changeType": "UPDATE",
        "changedFields": ["StageName", "LastModifiedDate"],
        "commitTimestamp": 1796000000000,
        "transactionKey": "0002a9f1-6c3e-4d2b",
        "sequenceNumber": 1,
        **header,
    }
    return json.dumps({"ChangeEventHeader": fields, "StageName": stage}).encode()


def message(payload: bytes, event_id="EV-1", delivery=1, max_deliveries=3) -> VendorMessage:
    return VendorMessage(
        "salesforce.cdc.OpportunityChangeEvent", event_id, payload, delivery, max_deliveries
    )


@pytest.fixture
def parking(store, clock):
    return Parking(lambda: FakeUnitOfWork(store), clock, SequentialIds("x"))


@pytest.fixture
def deals():
    return Deals(DEAL)


@pytest.fixture
def closed_won(deals, provisioning):
    return ClosedWonEvents(deals, provisioning)


def cdc(closed_won, parking, payload, **delivery):
    return receive(
        message(payload, **delivery),
        closed_won.handle,
        parking,
        Workflow.CLOSED_WON_TO_ENGAGEMENT,
        OwnerRole.SALES_OPS,
    )


def parked(store):
    return sorted((c.reason_code, c.owner_role, c.business_key) for c in store.exceptions.values())


def test_a_closed_won_change_event_opens_the_engagement_for_the_crms_deal(
    closed_won, parking, store
):
    assert cdc(closed_won, parking, change_event()) is Outcome.DONE

    [engagement] = store.engagements.values()
    assert engagement.opportunity_id == "006-CDC-1"
    assert engagement.status is EngagementStatus.ACTIVE


def test_the_same_event_delivered_three_times_has_one_effect(closed_won, parking, store):
    outcomes = [cdc(closed_won, parking, change_event(), delivery=n) for n in (1, 2, 3)]

    assert outcomes == [Outcome.DONE] * 3
    assert len(store.engagements) == 1 and parked(store) == []


def test_another_event_for_a_deal_already_opened_changes_nothing(closed_won, parking, store):
    cdc(closed_won, parking, change_event())

    again = receive(
        message(change_event(), event_id="EV-2"),
        closed_won.handle,
        parking,
        Workflow.CLOSED_WON_TO_ENGAGEMENT,
        OwnerRole.SALES_OPS,
    )

    assert again is Outcome.DONE and len(store.engagements) == 1 and parked(store) == []


@pytest.mark.parametrize(
    "payload",
    [
        change_event(stage="Negotiation/Review"),
        change_event(changedFields=["Amount"]),
        change_event(changeType="DELETE"),
        change_event(entityName="Account"),
    ],
    ids=["another stage", "stage unchanged", "deleted", "not an opportunity"],
)
def test_an_event_that_is_not_a_closed_won_deal_is_ignored(closed_won, parking, store, payload):
    assert cdc(closed_won, parking, payload) is Outcome.IGNORED
    assert store.engagements == {} and parked(store) == []


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (change_event(stage="Closed Won-ish"), "StageName 'Closed Won-ish' is not a stage"),
        (json.dumps({"StageName": "Closed Won"}).encode(), "no ChangeEventHeader"),
        (change_event(recordIds=[]), "recordIds is missing"),
        (b"\xff\xfe not json", "not JSON"),
        (change_event(record="006-UNKNOWN"), "the CRM has no opportunity '006-UNKNOWN'"),
    ],
    ids=["unknown stage", "no header", "no record", "not json", "unknown opportunity"],
)
def test_bad_vendor_data_is_parked_for_sales_ops_with_its_payload_and_never_crashes(
    closed_won, parking, store, payload, why
):
    assert cdc(closed_won, parking, payload) is Outcome.PARKED

    [case] = store.exceptions.values()
    assert (case.reason_code, case.owner_role) == (
        ReasonCode.VENDOR_EVENT_REJECTED,
        OwnerRole.SALES_OPS,
    )
    assert why in case.detail
    assert case.payload["payload"] == payload.decode("utf-8", "replace")
    assert store.engagements == {}


def test_a_deal_the_process_api_refuses_is_parked_naming_the_field(
    deals, closed_won, parking, store
):
    deals.deals["006-CDC-1"] = evolve(DEAL, start_date="not a date")

    assert cdc(closed_won, parking, change_event()) is Outcome.PARKED

    [case] = store.exceptions.values()
    assert "start_date" in case.detail and case.business_key == "006-CDC-1"


def test_a_fault_is_retried_then_parked_for_integration_support_once_deliveries_are_spent(
    deals, closed_won, parking, store
):
    deals.down = True

    outcomes = [cdc(closed_won, parking, change_event(), delivery=n) for n in (1, 2, 3)]

    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.PARKED]
    [case] = store.exceptions.values()
    assert (case.reason_code, case.owner_role) == (
        ReasonCode.VENDOR_EVENT_UNDELIVERED,
        OwnerRole.INTEGRATION_SUPPORT,
    )
    assert case.payload["deliveries"] == 3


@pytest.fixture
def billing(store, clock, psa, provisioning):
    return BillingPorts(
        uow_factory=lambda: FakeUnitOfWork(store),
        clock=clock,
        ids=SequentialIds("b"),
        ownership=OwnershipMatrix.default(),
        reference=ReferenceData(),
        psa=psa,
        sagas=saga_runner(provisioning),
    )


def work_event(project_id: str, **fields) -> bytes:
    item = {
        "kind": "time",
        "source_id": "TC-77",
        "project_id": project_id,
        "day": "2026-12-02",
        "resource": "Ada Lovelace",
        "role": "consultant",
        "hours": "7.5",
        **fields,
    }
    return json.dumps(item).encode()


def psa_work(billing, parking, payload, event_id="W-1", delivery=1):
    return receive(
        VendorMessage("psa.work.approved", event_id, payload, delivery, 3),
        ApprovedWorkEvents(billing).handle,
        parking,
        Workflow.APPROVED_WORK_TO_STAGING,
        OwnerRole.PMO,
    )


@pytest.fixture
def project(closed_won, parking, store):
    cdc(closed_won, parking, change_event())
    [engagement] = store.engagements.values()
    return engagement.work_packages[0].psa_project_id


def test_approved_time_for_a_project_is_staged_once_however_often_delivered(
    billing, parking, store, project
):
    outcomes = [psa_work(billing, parking, work_event(project), delivery=n) for n in (1, 2, 3)]

    assert outcomes == [Outcome.DONE] * 3
    [event] = store.billable_events.values()
    assert (event.source_id, str(event.work.hours)) == ("TC-77", "7.5")


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (work_event("PRJ-NOWHERE"), "no engagement has PSA project 'PRJ-NOWHERE'"),
        (work_event("{project}", day=""), "day is missing"),
        (work_event("{project}", hours="lots"), "hours"),
    ],
    ids=["unknown project", "missing field", "bad hours"],
)
def test_bad_work_is_parked_for_the_pmo(billing, parking, store, project, payload, why):
    payload = payload.replace(b"{project}", project.encode())

    assert psa_work(billing, parking, payload) is Outcome.PARKED

    [case] = [c for c in store.exceptions.values()]
    assert case.owner_role is OwnerRole.PMO and why in case.detail
    assert store.billable_events == {}


def test_a_change_event_published_twice_is_recognised_by_its_transaction(
    closed_won, parking, store
):
    first = receive(
        message(change_event(), event_id="nats-1"),
        closed_won.handle,
        parking,
        Workflow.CLOSED_WON_TO_ENGAGEMENT,
        OwnerRole.SALES_OPS,
    )
    second = receive(
        message(change_event(), event_id="nats-2"),
        closed_won.handle,
        parking,
        Workflow.CLOSED_WON_TO_ENGAGEMENT,
        OwnerRole.SALES_OPS,
    )

    assert (first, second) == (Outcome.DONE, Outcome.DONE)
    assert len(store.engagements) == 1 and len(store.requests) == 1
