"""The exception queue on a real database: the lifecycle and every attempt stored, lists with
filters and keyed pages, and cases parked before revision 0016 still valid after it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, MetaData, Table, insert
from support.databases import BACKENDS, engine_at_revision

from adapters.persistence.engine import session_factory
from adapters.persistence.migrate import migrate
from adapters.persistence.uow import SqlAlchemyUnitOfWork
from application.exception_listing import ExceptionCursor, ExceptionFilter
from domain.exception_case import (
    AttemptOutcome,
    ExceptionStatus,
    OwnerRole,
    Resolution,
    Workflow,
)

from .builders import NOW, a_parked_exception, encode_for_tests


def hours(n: int) -> dt.datetime:
    return NOW + dt.timedelta(hours=n)


def test_a_retried_then_resolved_case_keeps_every_attempt_and_its_time_to_resolution(
    uow_factory,
):
    case = a_parked_exception("006GLOBEX")
    with uow_factory() as uow:
        uow.exceptions.add(case)
        uow.commit()
    for n in (1, 2):
        with uow_factory() as uow:
            stored = uow.exceptions.get(case.id)
            stored.start_retry(hours(n))
            if n == 1:
                stored.retry_failed("still no ERP mapping", hours(n))
            else:
                stored.retry_succeeded(hours(n))
            uow.commit()

    with uow_factory() as uow:
        loaded = uow.exceptions.get(case.id)

    assert (loaded.status, loaded.resolution) == (ExceptionStatus.RESOLVED, Resolution.BY_RETRY)
    assert [(a.number, a.outcome) for a in loaded.attempt_log] == [
        (1, AttemptOutcome.FAILED),
        (2, AttemptOutcome.FAILED),
        (3, AttemptOutcome.SUCCEEDED),
    ]
    assert loaded.attempt_log[1].detail == "still no ERP mapping"
    assert loaded.time_to_resolution == dt.timedelta(hours=2)


def test_the_queue_lists_by_owner_workflow_key_status_and_age_oldest_first_in_pages(
    uow_factory,
):
    cases = [a_parked_exception(f"006KEY{n}") for n in range(5)]
    for n, case in enumerate(cases):
        case.created_at = hours(n)
    cases[4].owner_role = OwnerRole.SALES_OPS
    cases[3].resolve("mapped by hand", hours(5), by="ops.anna")
    with uow_factory() as uow:
        for case in cases:
            uow.exceptions.add(case)
        uow.commit()

    finance_open = ExceptionFilter(
        owner_role=OwnerRole.FINANCE,
        workflow=Workflow.CLOSED_WON_TO_ENGAGEMENT,
        status=ExceptionStatus.OPEN,
    )
    with uow_factory() as uow:
        first = uow.exceptions.page(finance_open, None, 2)
        after = ExceptionCursor(first[-1].created_at, first[-1].id)
        second = uow.exceptions.page(finance_open, after, 2)
        older = uow.exceptions.page(ExceptionFilter(created_before=hours(1)), None, 10)
        newer = uow.exceptions.page(ExceptionFilter(created_after=hours(4)), None, 10)
        by_key = uow.exceptions.page(ExceptionFilter(business_key="006KEY3"), None, 10)

    assert [c.business_key for c in first + second] == ["006KEY0", "006KEY1", "006KEY2"]
    assert [c.business_key for c in older] == ["006KEY0"]
    assert [c.business_key for c in newer] == ["006KEY4"]
    assert [(c.business_key, c.status) for c in by_key] == [("006KEY3", ExceptionStatus.RESOLVED)]


@pytest.fixture(params=BACKENDS)
def database_at_0015(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    yield from engine_at_revision(request.param, tmp_path, "0015")


def test_cases_parked_before_the_lifecycle_keep_their_first_attempt_and_can_be_retried(
    database_at_0015,
):
    old = Table("exceptions", MetaData(), autoload_with=database_at_0015)
    with database_at_0015.begin() as connection:
        connection.execute(
            insert(old),
            [
                {
                    "id": "old-1",
                    "workflow": "invoice_to_erp",
                    "business_key": "INV-GB01-000007",
                    "reason_code": "ERP_POSTING_FAILED",
                    "owner_role": "finance",
                    "detail": "netsuite is unavailable",
                    "payload": {"invoice_id": "inv-7"},
                    "created_at": NOW,
                    "updated_at": NOW,
                    "attempts": 1,
                    "status": "open",
                    "resolved_at": None,
                    "version": 1,
                }
            ],
        )

    migrate(database_at_0015)
    uow_factory = lambda: SqlAlchemyUnitOfWork(  # noqa: E731
        session_factory(database_at_0015), encode_for_tests
    )
    with uow_factory() as uow:
        case = uow.exceptions.get("old-1")
        assert (case.payload_version, case.assignee, case.resolution) == (1, "", None)
        assert [(a.number, a.detail) for a in case.attempt_log] == [(1, "netsuite is unavailable")]
        case.start_retry(hours(1))
        case.retry_succeeded(hours(1))
        uow.commit()

    with uow_factory() as uow:
        assert uow.exceptions.get("old-1").attempts == 2
