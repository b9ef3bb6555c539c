"""Vendor events over real JetStream driving the running service: a Salesforce change event for
a closed-won deal ends as an active engagement with its PSA project, approved timecards from the
PSA end as staged lines, and each message takes effect once; bad data and a message that keeps
failing end in the exception queue with their payload."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from contracts.vendor_worlds import a_deal
from sqlalchemy import select
from support.nats import with_jetstream
from support.service import running_service
from support.waiting import eventually

from adapters.persistence.tables import exceptions
from application.commands import RateLine, WorkPackageLine
from domain.errors import StorageUnavailable
from domain.ownership import System
from entrypoints.runtime import Runtime
from entrypoints.vendor_events import subjects


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, nats_url: str) -> Iterator[Runtime]:
    database = f"sqlite:///{tmp_path_factory.mktemp('o2c')}/o2c.db"
    with running_service(database, nats_url, O2C_VENDOR_EVENT_MAX_DELIVERIES="3") as runtime:
        yield runtime


def publish(service: Runtime, which: str, payload: bytes) -> None:
    subject = subjects(service.values["O2C_VENDOR_EVENT_PREFIX"])[which]

    async def send(js):
        await js.publish(subject, payload)

    asyncio.run(with_jetstream(service.values["O2C_NATS_URL"], send))


def change_event(opportunity_id: str, transaction: str, stage: str = "Closed Won") -> bytes:
    header = {
        "entityName": "Opportunity",
        "recordIds": [opportunity_id],
        "changeType": "UPDATE",
        "changedFields": ["StageName"],
        "transactionKey": transaction,
        "sequenceNumber": 1,
        "commitTimestamp": 1796000000000,
    }
    return json.dumps({"ChangeEventHeader": header, "StageName": stage}).encode()


def engagement_of(service: Runtime, opportunity_id: str):
    with service.container.unit_of_work() as uow:
        return uow.engagements.get_by_opportunity(opportunity_id)


def parked(service: Runtime) -> list[dict]:
    with service.container.engine().begin() as connection:
        rows = connection.execute(select(exceptions)).mappings().all()
    return [dict(row) for row in rows]


def deal(opportunity_id: str):
    return a_deal(
        opportunity_id,
        account_id=f"001-{opportunity_id}",
        rate_card=(RateLine("consultant", "150.00", "USD"),),
        work_packages=(WorkPackageLine("NA", "North America rollout", "NA"),),
        customer_country="",
    )


def test_a_change_event_published_three_times_opens_one_engagement_with_its_project(service):
    service.container.crm().close_deal(deal("006-E2E-1"))
    for _ in range(3):
        publish(service, "closed_won", change_event("006-E2E-1", "tx-e2e-1"))

    assert eventually(lambda: engagement_of(service, "006-E2E-1") is not None)
    engagement = engagement_of(service, "006-E2E-1")
    assert eventually(lambda: engagement_of(service, "006-E2E-1").status.value == "active")
    assert engagement_of(service, "006-E2E-1").work_packages[0].psa_project_id
    assert engagement.opportunity_id == "006-E2E-1"
    assert [c for c in parked(service) if "006-E2E-1" in c["business_key"]] == []


def test_approved_timecards_from_the_psa_end_as_staged_lines_once(service):
    service.container.crm().close_deal(deal("006-E2E-2"))
    publish(service, "closed_won", change_event("006-E2E-2", "tx-e2e-2"))
    assert eventually(
        lambda: (
            (e := engagement_of(service, "006-E2E-2")) is not None and e.status.value == "active"
        )
    )
    project = engagement_of(service, "006-E2E-2").work_packages[0].psa_project_id
    work = {
        "event_id": "psa-ev-1",
        "kind": "time",
        "source_id": "TC-E2E-1",
        "project_id": project,
        "day": "2026-12-02",
        "resource": "Ada Lovelace",
        "role": "consultant",
        "hours": "7.5",
    }
    for _ in range(3):
        publish(service, "approved_work", json.dumps(work).encode())

    def staged():
        with service.container.unit_of_work() as uow:
            return uow.billable_events.get_by_source(System.PSA, "TC-E2E-1")

    assert eventually(lambda: staged() is not None)
    event = staged()
    assert event.engagement_id == engagement_of(service, "006-E2E-2").id
    assert str(event.work.hours) == "7.5"


@pytest.mark.parametrize(
    ("which", "payload", "why"),
    [
        ("closed_won", change_event("006-E2E-3", "tx-e2e-3", stage="Won-ish"), "not a stage"),
        ("closed_won", b'{"StageName": "Closed Won"}', "no ChangeEventHeader"),
        (
            "approved_work",
            json.dumps(
                {"kind": "time", "source_id": "TC-X", "project_id": "PRJ-NOPE", "day": "2026-12-02"}
            ).encode(),
            "no engagement has PSA project",
        ),
    ],
    ids=["unknown stage", "missing field", "unknown project"],
)
def test_bad_vendor_data_is_parked_with_its_reason_and_payload(service, which, payload, why):
    before = len(parked(service))
    publish(service, which, payload)

    assert eventually(lambda: len(parked(service)) > before)
    case = parked(service)[-1]
    assert why in case["detail"] and case["reason_code"].value == "VENDOR_EVENT_REJECTED"
    assert case["payload"]["payload"] == payload.decode()


def test_a_message_that_keeps_failing_is_parked_after_the_configured_deliveries(
    service, monkeypatch
):
    crm = service.container.crm()
    crm.close_deal(deal("006-E2E-4"))
    calls = []

    def away(opportunity_id):
        calls.append(opportunity_id)
        raise StorageUnavailable("the CRM is away")

    monkeypatch.setattr(crm, "deal", away)
    before = len(parked(service))
    publish(service, "closed_won", change_event("006-E2E-4", "tx-e2e-4"))

    assert eventually(lambda: len(parked(service)) > before, timeout=30)
    case = parked(service)[-1]
    assert case["reason_code"].value == "VENDOR_EVENT_UNDELIVERED"
    assert case["owner_role"].value == "integration-support" and case["payload"]["deliveries"] == 3
    assert len(calls) == 3 and engagement_of(service, "006-E2E-4") is None
