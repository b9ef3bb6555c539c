"""Repositories over one session. Those holding aggregates remember every aggregate they have
`seen`, so the unit of work can collect the events those aggregates recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, ColumnElement, select, tuple_, update
from sqlalchemy.orm import Session

from adapters.persistence.column_types import exact_sum
from adapters.persistence.outbox_writer import IDS_PER_QUERY
from adapters.persistence.tables import (
    audit_log,
    billable_events,
    engagements,
    exceptions,
    saga_steps,
    sagas,
    work_packages,
)
from application.exception_listing import ExceptionCursor, ExceptionFilter
from domain.audit import Refusal
from domain.billable_event import BillableEvent, BillableEventStatus
from domain.billing.agreement import BillingAgreement
from domain.engagement import Engagement
from domain.erp_routing import RouteBook
from domain.exception_case import UNRESOLVED, ExceptionCase
from domain.invoicing.invoice import Invoice
from domain.money import Money
from domain.ownership import System
from domain.saga import UNFINISHED, Saga, SagaStep

A = TypeVar(
    "A", Engagement, BillableEvent, ExceptionCase, Saga, BillingAgreement, Invoice, RouteBook
)


class AggregateRepository(Generic[A]):
    aggregate: type[A]

    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: dict[A, None] = {}  # an insertion-ordered set, so events leave in order

    def add(self, aggregate: A) -> None:
        self.session.add(aggregate)
        self.seen[aggregate] = None

    def get(self, aggregate_id: str) -> A | None:
        return self._seen(self.session.get(self.aggregate, aggregate_id))

    def _seen(self, aggregate: A | None) -> A | None:
        if aggregate is not None:
            self.seen[aggregate] = None
        return aggregate

    def _all_seen(self, aggregates: Iterable[A]) -> list[A]:
        found = list(aggregates)
        self.seen.update(dict.fromkeys(found))
        return found


class SqlEngagementRepository(AggregateRepository[Engagement]):
    aggregate = Engagement

    def get_by_opportunity(self, opportunity_id: str) -> Engagement | None:
        query = select(Engagement).filter_by(opportunity_id=opportunity_id)
        return self._seen(self.session.scalars(query).one_or_none())

    def get_by_psa_project(self, project_id: str) -> Engagement | None:
        packages = select(work_packages.c.engagement_id).where(
            work_packages.c.psa_project_id == project_id
        )
        query = select(Engagement).where(engagements.c.id.in_(packages))
        return self._seen(self.session.scalars(query).first())


class SqlBillableEventRepository(AggregateRepository[BillableEvent]):
    aggregate = BillableEvent

    def get_by_source(self, system: System, source_id: str) -> BillableEvent | None:
        query = select(BillableEvent).filter_by(source_system=system, source_id=source_id)
        return self._seen(self.session.scalars(query).one_or_none())

    def of_sources(self, sources: Collection[tuple[System, str]]) -> list[BillableEvent]:
        table, found = billable_events, []
        for system, ids in ids_by_system(sources).items():
            for start in range(0, len(ids), IDS_PER_QUERY):
                chunk = ids[start : start + IDS_PER_QUERY]
                query = select(BillableEvent).where(
                    table.c.source_system == system, table.c.source_id.in_(chunk)
                )
                found += self._all_seen(self.session.scalars(query))
        return found

    def staged_total(self, engagement_id: str, currency: str) -> Money:
        table = billable_events
        query = select(exact_sum(table.c.amount_minor_units)).where(
            table.c.engagement_id == engagement_id,
            table.c.amount_currency == currency,
            table.c.status == BillableEventStatus.STAGED,
        )
        self.session.flush()  # autoflush covers ORM queries only, and this one is plain SQL
        return Money.from_minor_units(currency, self.session.execute(query).scalar_one())

    def staged(self, engagement_ids: Collection[str], through: dt.date) -> list[BillableEvent]:
        table = billable_events
        query = (
            select(BillableEvent)
            .where(
                table.c.status == BillableEventStatus.STAGED,
                table.c.engagement_id.in_(list(engagement_ids)),
                table.c.work_date <= through,
            )
            .order_by(table.c.work_date, table.c.id)
        )
        return self._all_seen(self.session.scalars(query))

    def of_ids(self, event_ids: Collection[str]) -> list[BillableEvent]:
        table = billable_events
        query = select(BillableEvent).where(table.c.id.in_(list(event_ids))).order_by(table.c.id)
        return self._all_seen(self.session.scalars(query))

    def of_engagement(self, engagement_id: str) -> list[BillableEvent]:
        table = billable_events
        query = (
            select(BillableEvent)
            .where(table.c.engagement_id == engagement_id)
            .order_by(table.c.work_date, table.c.id)
        )
        return self._all_seen(self.session.scalars(query))


def ids_by_system(sources: Collection[tuple[System, str]]) -> dict[System, list[str]]:
    grouped: dict[System, set[str]] = {}
    for system, source_id in sources:
        grouped.setdefault(system, set()).add(source_id)
    return {system: sorted(ids) for system, ids in grouped.items()}


class SqlExceptionQueue(AggregateRepository[ExceptionCase]):
    aggregate = ExceptionCase

    def open_cases(self, business_key: str) -> list[ExceptionCase]:
        query = (
            select(ExceptionCase)
            .where(exceptions.c.business_key == business_key)
            .where(exceptions.c.status.in_(UNRESOLVED))
            .order_by(exceptions.c.created_at, exceptions.c.id)
        )
        return self._all_seen(self.session.scalars(query))

    def page(
        self, where: ExceptionFilter, after: ExceptionCursor | None, limit: int
    ) -> list[ExceptionCase]:
        table = exceptions
        query = select(ExceptionCase).where(*exception_conditions(where))
        if after is not None:
            query = query.where(
                tuple_(table.c.created_at, table.c.id) > (after.created_at, after.exception_id)
            )
        query = query.order_by(table.c.created_at, table.c.id).limit(limit)
        return self._all_seen(self.session.scalars(query))


def exception_conditions(where: ExceptionFilter) -> list[ColumnElement[bool]]:
    table = exceptions
    wanted: list[tuple[Column[Any], object]] = [
        (table.c.owner_role, where.owner_role),
        (table.c.workflow, where.workflow),
        (table.c.business_key, where.business_key or None),
        (table.c.status, where.status),
    ]
    conditions = [column == value for column, value in wanted if value is not None]
    if where.created_after is not None:
        conditions.append(table.c.created_at >= where.created_after)
    if where.created_before is not None:
        conditions.append(table.c.created_at < where.created_before)
    return conditions


class SqlSagaRepository(AggregateRepository[Saga]):
    aggregate = Saga

    def abandoned(self, now: dt.datetime, limit: int) -> list[str]:
        query = (
            select(sagas.c.id)
            .where(sagas.c.status.in_(UNFINISHED), sagas.c.lease_expires_at <= now)
            .order_by(sagas.c.lease_expires_at)
            .limit(limit)
        )
        return list(self.session.scalars(query))

    def take_over(self, saga_id: str, owner: str, now: dt.datetime, until: dt.datetime) -> bool:
        """One conditional UPDATE: of several workers taking over a saga, one matches its row.
        The version moves on, so the old owner's next write fails as a concurrent update."""
        statement = (
            update(sagas)
            .where(
                sagas.c.id == saga_id,
                sagas.c.status.in_(UNFINISHED),
                sagas.c.lease_expires_at <= now,
            )
            .values(
                owner=owner, lease_expires_at=until, updated_at=now, version=sagas.c.version + 1
            )
            .returning(sagas.c.id)
        )
        return self.session.execute(statement).first() is not None


class SqlSagaLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, step: SagaStep) -> None:
        self.session.add(step)

    def steps(self, saga_id: str) -> list[SagaStep]:
        query = select(SagaStep).filter_by(saga_id=saga_id).order_by(saga_steps.c.seq)
        return list(self.session.scalars(query))


class SqlAuditTrail:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, refusal: Refusal) -> None:
        self.session.add(refusal)

    def refusals(self, business_key: str) -> list[Refusal]:
        query = select(Refusal).filter_by(business_key=business_key).order_by(audit_log.c.seq)
        return list(self.session.scalars(query))
