"""Repositories over one session. Those holding aggregates remember every aggregate they have
`seen`, so the unit of work can collect the events those aggregates recorded."""

from __future__ import annotations

from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.persistence.tables import audit_log, saga_steps
from domain.audit import Refusal
from domain.billable_event import BillableEvent
from domain.engagement import Engagement
from domain.exception_case import ExceptionCase, ExceptionStatus
from domain.ownership import System
from domain.saga import SagaStep

A = TypeVar("A", Engagement, BillableEvent, ExceptionCase)


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


class SqlEngagementRepository(AggregateRepository[Engagement]):
    aggregate = Engagement

    def get_by_opportunity(self, opportunity_id: str) -> Engagement | None:
        query = select(Engagement).filter_by(opportunity_id=opportunity_id)
        return self._seen(self.session.scalars(query).one_or_none())


class SqlBillableEventRepository(AggregateRepository[BillableEvent]):
    aggregate = BillableEvent

    def get_by_source(self, system: System, source_id: str) -> BillableEvent | None:
        query = select(BillableEvent).filter_by(source_system=system, source_id=source_id)
        return self._seen(self.session.scalars(query).one_or_none())


class SqlExceptionQueue(AggregateRepository[ExceptionCase]):
    aggregate = ExceptionCase

    def open_cases(self, business_key: str) -> list[ExceptionCase]:
        query = (
            select(ExceptionCase)
            .filter_by(business_key=business_key, status=ExceptionStatus.OPEN)
            .order_by(ExceptionCase.created_at)  # type: ignore[arg-type]
        )
        cases = list(self.session.scalars(query))
        self.seen.update(dict.fromkeys(cases))
        return cases


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
