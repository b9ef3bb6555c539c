"""The provisioning saga survives its process: killed at any boundary, resumed by a worker."""

import datetime as dt

import attrs
import pytest
from support.builders import closed_won
from support.faults import Fuse, ProcessDied, fused

from application.create_engagement import create_service_engagement, saga_runner
from domain.engagement import EngagementStatus
from domain.errors import RequestInProgress
from domain.requests import RequestKey
from domain.saga import SagaStatus, StepOutcome
from unit.fakes import FakeUnitOfWork, rejected, unavailable

REQ_1 = RequestKey("crm", "CreateServiceEngagement", "req-1")
# Boundaries (before and after every vendor call and every commit) of each whole run.
PROVISIONED_BOUNDARIES = 42
COMPENSATED_BOUNDARIES = 49


def lease_runs_out(clock, provisioning) -> None:
    clock.current += dt.timedelta(seconds=provisioning.lease_seconds + 1)


def die_then_resume(blows_at, provisioning, clock) -> bool:
    """Create under a fuse; if it blew, a fresh worker resumes once the lease ran out.
    True while the fuse still found a boundary to blow at."""
    fuse = Fuse(blows_at)
    try:
        create_service_engagement(closed_won(), fused(provisioning, fuse))
    except ProcessDied:
        lease_runs_out(clock, provisioning)
        saga_runner(provisioning).resume_abandoned()
    return fuse.blown


def the_only_engagement(store):
    [engagement] = store.engagements.values()
    return engagement


def test_a_request_still_in_flight_is_answered_in_progress_at_once(provisioning, store, clock):
    with pytest.raises(ProcessDied):
        create_service_engagement(closed_won(), fused(provisioning, Fuse(blows_at=12)))

    with pytest.raises(RequestInProgress):
        create_service_engagement(closed_won(), provisioning)
    assert clock.slept == []


@pytest.mark.parametrize("blows_at", range(1, PROVISIONED_BOUNDARIES + 1))
def test_killed_at_any_boundary_the_engagement_ends_fully_provisioned(
    blows_at, provisioning, store, clock, erp, psa, crm
):
    assert die_then_resume(blows_at, provisioning, clock)
    engagement_id = create_service_engagement(closed_won(), provisioning)

    engagement = the_only_engagement(store)
    assert engagement.id == engagement_id and engagement.status is EngagementStatus.ACTIVE
    assert len(erp.created) == 1 and len(psa.projects) == 2
    assert erp.removed == [] and psa.removed == []
    assert crm.links["006-ACME-1"].status == "active"
    assert [saga.status for saga in store.sagas.values()] == [SagaStatus.COMPLETED]
    assert store.requests[REQ_1].result == {"engagement_id": engagement_id}


@pytest.mark.parametrize("blows_at", range(1, COMPENSATED_BOUNDARIES + 1))
def test_killed_at_any_boundary_a_failing_engagement_ends_fully_compensated(
    blows_at, provisioning, store, clock, erp, psa
):
    psa.fail("EU", *[rejected()] * 3)
    assert die_then_resume(blows_at, provisioning, clock)
    create_service_engagement(closed_won(), provisioning)

    engagement = the_only_engagement(store)
    assert engagement.status is EngagementStatus.PROVISIONING_FAILED
    assert erp.created == {} and psa.projects == {}
    assert engagement.erp_customer_number is None
    assert [saga.status for saga in store.sagas.values()] == [SagaStatus.COMPENSATED]
    assert store.requests[REQ_1].is_complete


@pytest.mark.parametrize(
    ("refused", "boundaries"),
    [(False, PROVISIONED_BOUNDARIES), (True, COMPENSATED_BOUNDARIES)],
    ids=["provisioned", "compensated"],
)
def test_the_sweeps_above_reach_the_last_boundary(refused, boundaries, provisioning, clock, psa):
    if refused:
        psa.fail("EU", *[rejected()] * 3)
    fuse = Fuse(blows_at=boundaries + 1)
    create_service_engagement(closed_won(), fused(provisioning, fuse))
    assert (fuse.blown, fuse.boundaries) == (False, boundaries)


def test_a_crash_between_a_vendor_call_and_its_record_still_compensates_what_it_made(
    provisioning, store, clock, psa
):
    created = psa.create_project

    def create_then_die(request):
        project_id = created(request)
        if request.region == "NA":
            raise ProcessDied("after the PSA made the project, before it was recorded")
        return project_id

    psa.create_project = create_then_die
    with pytest.raises(ProcessDied):
        create_service_engagement(closed_won(), provisioning)
    psa.create_project = created
    psa.fail("EU", rejected())

    lease_runs_out(clock, provisioning)
    saga_runner(provisioning).resume_abandoned()

    assert psa.projects == {} and len(psa.removed) == 1
    assert the_only_engagement(store).status is EngagementStatus.PROVISIONING_FAILED


def test_a_lease_that_runs_out_mid_saga_is_taken_over_by_exactly_one_worker(
    provisioning, store, clock, psa
):
    created, stalled, takers = psa.create_project, [], []

    def slow_create(request):
        if request.region == "EMEA" and not stalled:  # the owner stalls past its lease
            stalled.append(request)
            lease_runs_out(clock, provisioning)
            takers.extend(saga_runner(provisioning).resume_abandoned() for _ in range(2))
        return created(request)

    psa.create_project = slow_create
    engagement_id = create_service_engagement(closed_won(), provisioning)

    assert takers == [1, 0]
    assert store.engagements[engagement_id].status is EngagementStatus.ACTIVE
    assert len(psa.projects) == 2
    [saga] = store.sagas.values()
    assert saga.status is SagaStatus.COMPLETED
    succeeded = [s.step for s in store.saga_steps if s.outcome is StepOutcome.SUCCEEDED]
    assert len(succeeded) == len(set(succeeded))


def test_an_unexpected_error_gives_the_lease_up_so_a_worker_resumes_at_once(
    provisioning, store, psa
):
    psa.fail("EU", RuntimeError("a bug"))
    with pytest.raises(RuntimeError):
        create_service_engagement(closed_won(), provisioning)

    assert saga_runner(provisioning).resume_abandoned() == 1
    assert the_only_engagement(store).status is EngagementStatus.ACTIVE


def test_a_saga_whose_owner_is_alive_is_left_alone(provisioning, store, psa):
    with pytest.raises(ProcessDied):
        create_service_engagement(closed_won(), fused(provisioning, Fuse(blows_at=12)))

    assert saga_runner(provisioning).resume_abandoned() == 0
    [saga] = store.sagas.values()
    assert saga.status is SagaStatus.RUNNING


def test_the_runner_knows_no_workflow_but_its_definitions(provisioning):
    runner = saga_runner(provisioning)
    assert list(runner.definitions) == ["engagement_provisioning"]
    assert attrs.has(type(runner.definitions["engagement_provisioning"]))


def test_the_intent_with_its_external_id_is_recorded_before_each_vendor_call(
    provisioning, store, psa
):
    created, logged_before = psa.create_project, []

    def watched(request):
        started = [s for s in store.saga_steps if s.outcome is StepOutcome.STARTED]
        logged_before.append(started[-1].external_id == request.external_id)
        return created(request)

    psa.create_project = watched
    engagement_id = create_service_engagement(closed_won(), provisioning)

    assert logged_before == [True, True]
    [intent] = [s for s in store.saga_steps if s.step == "psa.create_project[NA]"][:1]
    assert (intent.outcome, intent.external_id) == (StepOutcome.STARTED, f"{engagement_id}:NA")


def test_every_retry_of_a_vendor_call_renews_the_lease(provisioning, store, psa, clock):
    created, lease_left = psa.create_project, []

    def watched(request):
        [saga] = store.sagas.values()
        lease_left.append((saga.lease_expires_at - clock.now()).total_seconds())
        return created(request)

    psa.fail("EU", unavailable(), unavailable())
    psa.create_project = watched
    create_service_engagement(closed_won(), provisioning)

    assert clock.slept == [0.5, 1.0]
    assert set(lease_left) == {provisioning.lease_seconds}


def test_a_caller_whose_deadline_comes_mid_saga_hears_in_progress_and_the_worker_finishes(
    provisioning, store, clock, psa
):
    psa.fail("EU", unavailable(), unavailable())  # retried after 0.5 s, then 1 s
    deadline = clock.now() + dt.timedelta(seconds=1)

    with pytest.raises(RequestInProgress):
        create_service_engagement(closed_won(), provisioning, deadline)

    [saga] = store.sagas.values()
    assert saga.status is SagaStatus.RUNNING and saga.lease_expires_at <= clock.now()
    assert clock.now() <= deadline and psa.removed == []
    assert saga_runner(provisioning).resume_abandoned() == 1
    engagement_id = create_service_engagement(closed_won(), provisioning)
    assert the_only_engagement(store).id == engagement_id
    assert the_only_engagement(store).status is EngagementStatus.ACTIVE
    assert len(psa.projects) == 2 and psa.removed == []


def test_a_deadline_between_steps_stops_the_caller_not_the_saga(provisioning, store, clock, erp):
    created = erp.upsert_customer

    def slow_upsert(request):
        clock.current += dt.timedelta(seconds=5)
        return created(request)

    erp.upsert_customer = slow_upsert
    with pytest.raises(RequestInProgress):
        create_service_engagement(closed_won(), provisioning, clock.now() + dt.timedelta(seconds=2))

    assert saga_runner(provisioning).resume_abandoned() == 1
    assert the_only_engagement(store).status is EngagementStatus.ACTIVE
    assert len(erp.created) == 1


def test_a_take_over_beaten_at_commit_by_another_worker_is_lost_not_raised(
    provisioning, store, clock
):
    with pytest.raises(ProcessDied):
        create_service_engagement(closed_won(), fused(provisioning, Fuse(blows_at=12)))
    lease_runs_out(clock, provisioning)
    [saga_id] = store.sagas
    rival = saga_runner(provisioning)

    class BeatenAtCommit(FakeUnitOfWork):
        def commit(self) -> None:
            assert rival.take_over(saga_id, "rival")
            super().commit()

    loser = saga_runner(attrs.evolve(provisioning, uow_factory=lambda: BeatenAtCommit(store)))

    assert loser.take_over(saga_id, "loser") is False
    assert store.sagas[saga_id].owner == "rival"
