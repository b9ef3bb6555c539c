"""The exception's lifecycle: open → retrying → resolved | discarded, and back to open when a
retry fails; every attempt kept, the time to resolution measured."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.events import (
    ExceptionAssigned,
    ExceptionDiscarded,
    ExceptionResolved,
    ExceptionRetryFailed,
    ExceptionRetryStarted,
)
from domain.exception_case import (
    AttemptOutcome,
    ExceptionCase,
    ExceptionClosed,
    ExceptionNotRetrying,
    ExceptionRetrying,
    ExceptionStatus,
    OwnerRole,
    ReasonCode,
    Resolution,
    Workflow,
)

PARKED_AT = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def later(minutes: int) -> dt.datetime:
    return PARKED_AT + dt.timedelta(minutes=minutes)


def a_failed_posting() -> ExceptionCase:
    case = ExceptionCase.park(
        exception_id="x-1",
        workflow=Workflow.INVOICE_TO_ERP,
        business_key="INV-GB01-000001",
        reason_code=ReasonCode.ERP_POSTING_FAILED,
        owner_role=OwnerRole.FINANCE,
        detail="netsuite is unavailable",
        payload={"invoice_id": "inv-1"},
        now=PARKED_AT,
    )
    case.events.clear()
    return case


def test_a_parked_case_has_its_failure_as_its_first_attempt():
    case = a_failed_posting()

    assert case.status is ExceptionStatus.OPEN
    assert [(a.number, a.outcome, a.detail) for a in case.attempt_log] == [
        (1, AttemptOutcome.FAILED, "netsuite is unavailable")
    ]
    assert (case.payload_version, case.time_to_resolution) == (1, None)


def test_a_failed_retry_opens_the_case_again_and_keeps_every_attempt_without_a_cap():
    case = a_failed_posting()

    for minute in range(1, 31):
        case.start_retry(later(minute))
        case.retry_failed(f"still down at minute {minute}", later(minute))

    assert case.status is ExceptionStatus.OPEN
    assert case.attempts == len(case.attempt_log) == 31
    assert case.detail == "still down at minute 30"
    assert isinstance(case.events[-1], ExceptionRetryFailed)


def test_a_successful_retry_resolves_the_case_and_measures_the_time_to_resolution():
    case = a_failed_posting()
    case.start_retry(later(90))

    case.retry_succeeded(later(91))

    assert (case.status, case.resolution) == (ExceptionStatus.RESOLVED, Resolution.BY_RETRY)
    assert case.time_to_resolution == dt.timedelta(minutes=91)
    assert case.attempt_log[-1].outcome is AttemptOutcome.SUCCEEDED
    started, resolved = case.events
    assert isinstance(started, ExceptionRetryStarted) and started.attempt == 2
    assert isinstance(resolved, ExceptionResolved)
    assert (resolved.resolution, resolved.seconds_to_resolution) == ("by_retry", 91 * 60.0)


def test_someone_takes_the_case_then_resolves_it_with_a_note():
    case = a_failed_posting()

    case.assign("ops.anna", later(5))
    case.resolve("posted by hand in NetSuite", later(20), by="ops.anna")

    assert (case.assignee, case.resolved_by) == ("ops.anna", "ops.anna")
    assert (case.resolution, case.resolution_note) == (
        Resolution.BY_HAND,
        "posted by hand in NetSuite",
    )
    assert [type(e) for e in case.events] == [ExceptionAssigned, ExceptionResolved]


def test_a_discarded_case_can_be_neither_resolved_retried_nor_assigned():
    case = a_failed_posting()
    case.discard("a test invoice", later(3), by="ops.anna")
    assert isinstance(case.events[-1], ExceptionDiscarded)

    for act in (
        lambda: case.resolve("too late", later(4), by="ops.anna"),
        lambda: case.start_retry(later(4)),
        lambda: case.assign("ops.ben", later(4)),
        lambda: case.resolve_moot("posted since", later(4)),
    ):
        with pytest.raises(ExceptionClosed) as refused:
            act()
        assert refused.value.reason == "EXCEPTION_CLOSED"
    assert case.status is ExceptionStatus.DISCARDED


def test_a_case_being_retried_is_neither_retried_again_resolved_nor_discarded_meanwhile():
    case = a_failed_posting()
    case.start_retry(later(1))

    for act in (
        lambda: case.start_retry(later(2)),
        lambda: case.resolve("done", later(2), by="ops.anna"),
        lambda: case.discard("never mind", later(2), by="ops.anna"),
    ):
        with pytest.raises(ExceptionRetrying):
            act()


def test_only_a_case_being_retried_records_a_retry_outcome():
    case = a_failed_posting()

    with pytest.raises(ExceptionNotRetrying):
        case.retry_succeeded(later(1))
    with pytest.raises(ExceptionNotRetrying):
        case.retry_failed("down", later(1))


def test_a_later_success_makes_an_open_case_moot_and_says_why():
    case = a_failed_posting()

    case.resolve_moot("invoice_to_erp for INV-GB01-000001 completed", later(60))

    assert (case.status, case.resolution) == (ExceptionStatus.RESOLVED, Resolution.MOOT)
    assert case.resolution_note == "invoice_to_erp for INV-GB01-000001 completed"
    assert case.resolved_by == ""
