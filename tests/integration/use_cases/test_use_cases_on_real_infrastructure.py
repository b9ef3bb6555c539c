from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import attrs
import pytest
from nats.js.errors import NotFoundError
from sqlalchemy import func, select
from support.builders import approved_time, closed_won, integration
from support.faults import Fuse, ProcessDied, fused
from support.nats import with_jetstream

from adapters.messaging.relay import OutboxRelay
from adapters.messaging.subscriber import read_events
from adapters.persistence.outbox_store import SqlOutboxStore
from adapters.persistence.tables import (
    billable_events,
    engagements,
    outbox,
    sagas,
    sandbox_records,
)
from application.approve_billable_event import approve_time_entry
from application.create_engagement import create_service_engagement, saga_runner
from application.errors import VendorUnavailable
from application.queries import get_engagement
from domain.engagement import EngagementStatus
from domain.errors import EngagementExists, OwnershipViolation, RequestIdReused, RequestInProgress
from domain.exception_case import ReasonCode
from domain.saga import StepOutcome

CREATES = 20


def saga_ids(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(select(sagas.c.id)).scalars())


def count(engine, table, *where) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table).where(*where)).scalar()


def live_records(engine, system: str, kind: str) -> int:
    return count(
        engine,
        sandbox_records,
        sandbox_records.c.system == system,
        sandbox_records.c.kind == kind,
        sandbox_records.c.removed_at.is_(None),
    )


def test_concurrent_calls_with_one_request_id_create_one_engagement(provisioning, engine):
    """Calls that find the request in flight are told so at once; none waits for it."""

    def create(_: int) -> str:
        try:
            return create_service_engagement(closed_won(), provisioning)
        except RequestInProgress:
            return "in progress"

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(create, range(6)))

    [engagement_id] = set(answers) - {"in progress"}
    assert create_service_engagement(closed_won(), provisioning) == engagement_id
    assert count(engine, engagements) == 1
    assert live_records(engine, "psa", "project") == 2
    assert live_records(engine, "erp", "customer") == 1
    engagement = get_engagement(
        engagement_id, provisioning.uow_factory, integration("crm")
    ).engagement
    assert engagement.status is EngagementStatus.ACTIVE


def test_concurrent_creates_for_one_opportunity_give_one_engagement_and_one_answer(
    provisioning, engine
):
    """The winner gets its engagement; every other request id is refused with ALREADY_EXISTS
    (EngagementExists) naming that engagement, on SQLite and PostgreSQL alike, and so is each
    retry of a refused call."""
    start = threading.Barrier(CREATES)

    def create(number: int, wait: bool = True) -> tuple[str, str]:
        if wait:
            start.wait()
        try:
            return "created", create_service_engagement(
                closed_won(request_id=f"r-{number}"), provisioning
            )
        except EngagementExists as refusal:
            return "exists", refusal.keys["engagement_id"]

    with ThreadPoolExecutor(max_workers=CREATES) as pool:
        answers = list(pool.map(create, range(CREATES)))
    retries = [create(n, wait=False) for n, (kind, _) in enumerate(answers) if kind == "exists"]

    [engagement_id] = {engagement_id for _, engagement_id in answers + retries}
    assert [kind for kind, _ in answers].count("created") == 1
    assert {kind for kind, _ in retries} == {"exists"} and len(retries) == CREATES - 1
    assert count(engine, engagements) == 1 and len(saga_ids(engine)) == 1
    assert live_records(engine, "erp", "customer") == 1
    assert live_records(engine, "psa", "project") == 2
    engagement = get_engagement(
        engagement_id, provisioning.uow_factory, integration("crm")
    ).engagement
    assert engagement.status is EngagementStatus.ACTIVE


def test_a_saga_killed_between_a_vendor_call_and_its_record_is_resumed_by_a_worker(
    provisioning, engine
):
    fuse = Fuse(where="after create_project")  # the PSA made it; its record is not written
    short_lived = attrs.evolve(provisioning, lease_seconds=0)  # its lease is over at once
    with pytest.raises(ProcessDied):
        create_service_engagement(closed_won(), fused(short_lived, fuse))
    with pytest.raises(RequestInProgress):
        create_service_engagement(closed_won(), provisioning)

    assert saga_runner(provisioning).resume_abandoned() == 1

    engagement_id = create_service_engagement(closed_won(), provisioning)
    engagement = get_engagement(
        engagement_id, provisioning.uow_factory, integration("crm")
    ).engagement
    assert engagement.status is EngagementStatus.ACTIVE
    assert live_records(engine, "psa", "project") == 2
    assert live_records(engine, "erp", "customer") == 1


def test_the_same_request_id_with_another_payload_is_refused_on_the_database(provisioning, engine):
    create_service_engagement(closed_won(), provisioning)
    with pytest.raises(RequestIdReused):
        create_service_engagement(closed_won(account_name="Someone Else"), provisioning)
    assert count(engine, engagements) == 1


def test_one_time_entry_sent_by_many_callers_at_once_is_staged_once(provisioning, billing, engine):
    engagement_id = create_service_engagement(closed_won(), provisioning)

    def approve(number: int):
        return approve_time_entry(
            approved_time(engagement_id=engagement_id, request_id=f"r-{number}"), billing
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(approve, range(8)))

    assert len({answer.billable_event_id for answer in answers}) == 1
    assert sorted(answer.already_staged for answer in answers) == [False] + [True] * 7
    assert count(engine, billable_events) == 1
    assert count(engine, outbox, outbox.c.subject.like("%.billing.billable_event_staged")) == 1


class FlakyPsa:
    """The sandbox PSA, unavailable for one region's project."""

    def __init__(self, psa, failing_region: str) -> None:
        self.psa = psa
        self.failing_region = failing_region

    def create_project(self, request):
        if request.region == self.failing_region:
            raise VendorUnavailable("psa", "503 Service Unavailable")
        return self.psa.create_project(request)

    def remove_project(self, project_id):
        self.psa.remove_project(project_id)


def test_a_lasting_psa_outage_leaves_no_half_created_engagement(provisioning, psa, engine):
    flaky = attrs.evolve(provisioning, psa=FlakyPsa(psa, "EMEA"))
    engagement_id = create_service_engagement(closed_won(), flaky)

    view = get_engagement(engagement_id, provisioning.uow_factory, integration("crm"))
    assert view.engagement.status is EngagementStatus.PROVISIONING_FAILED
    assert live_records(engine, "psa", "project") == 0
    assert live_records(engine, "erp", "customer") == 0
    [saga_id] = saga_ids(engine)
    with provisioning.uow_factory() as uow:
        steps = [(s.step, s.outcome) for s in uow.saga_log.steps(saga_id)]
    assert (view.exception.reason_code, view.exception.owner_role.value) == (
        ReasonCode.PSA_PROVISIONING_FAILED,
        "integration-support",
    )
    assert [step for step in steps if step[1] is not StepOutcome.STARTED][-3:] == [
        ("psa.create_project[NA]", StepOutcome.COMPENSATED),
        ("erp.create_customer", StepOutcome.COMPENSATED),
        ("crm.record_engagement", StepOutcome.SUCCEEDED),
    ]


def test_outbox_events_reach_jetstream_once_each(
    provisioning, billing, engine, nats_url, subject_root
):
    engagement_id = create_service_engagement(closed_won(), provisioning)
    approve_time_entry(approved_time(engagement_id=engagement_id), billing)
    stream = f"O2C_TEST_{uuid.uuid4().hex[:10].upper()}"
    relay = OutboxRelay(SqlOutboxStore(engine), nats_url, stream, (f"{subject_root}.>",))

    async def publish_twice() -> list[int]:
        first = await relay.publish_pending()
        second = await relay.publish_pending()
        await relay.close()
        return [first, second]

    async def drop(js) -> None:
        with contextlib.suppress(NotFoundError):
            await js.delete_stream(stream)

    try:
        assert asyncio.run(publish_twice()) == [3, 0]
        received = asyncio.run(
            read_events(nats_url, stream, f"{subject_root}.>", prefix=f"{subject_root}.v1")
        )
    finally:
        asyncio.run(with_jetstream(nats_url, drop))
    assert sorted(event.subject for event in received) == [
        f"{subject_root}.v1.billing.billable_event_rated",
        f"{subject_root}.v1.billing.billable_event_staged",
        f"{subject_root}.v1.engagement.activated",
    ]
    assert count(engine, outbox, outbox.c.published_at.is_(None)) == 0


def test_a_crm_approving_time_is_refused_and_audited(provisioning, billing, engine):
    engagement_id = create_service_engagement(closed_won(), provisioning)
    refused = approved_time(
        engagement_id=engagement_id, source_system="crm", caller=integration("crm")
    )

    with pytest.raises(OwnershipViolation):
        approve_time_entry(refused, billing)

    assert count(engine, billable_events) == 0
    with billing.uow_factory() as uow:
        [refusal] = uow.audit.refusals("crm:TC-0001")
    assert (refusal.writer, refusal.operation, refusal.reason_code) == (
        "crm",
        "ApproveBillableEvent",
        "OWNERSHIP_VIOLATION",
    )
    assert "owned by psa" in refusal.detail
