"""The unit of work: one session, one transaction — state and its outgoing events together."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, Self

from sqlalchemy.orm import Session

from adapters.outbox import EventEncoder
from adapters.persistence.billing_chunks import SqlBillingChunks
from adapters.persistence.billing_repositories import (
    SqlBilledWork,
    SqlBillingAgreements,
    SqlDocumentSequences,
    SqlInvoices,
)
from adapters.persistence.call_records import SqlCallRecords
from adapters.persistence.erp_posting_repository import SqlErpPostings
from adapters.persistence.erp_route_repositories import SqlErpRouteBooks, SqlRouteChanges
from adapters.persistence.errors import as_domain_error, database_failures_as_domain_errors
from adapters.persistence.intercompany_repository import SqlIntercompanyCharges
from adapters.persistence.outbox_writer import write_outbox
from adapters.persistence.platform_invoice_repository import SqlPlatformInvoices
from adapters.persistence.repositories import (
    AggregateRepository,
    SqlAuditTrail,
    SqlBillableEventRepository,
    SqlEngagementRepository,
    SqlExceptionQueue,
    SqlSagaLog,
    SqlSagaRepository,
)
from adapters.persistence.repository_slot import repository
from adapters.persistence.request_ledger import SqlRequestLedger
from application.correlation import correlation_id
from domain.events import Event


class SqlAlchemyUnitOfWork:
    """Built per call and never shared between threads; the session factory is the singleton.

    Each repository is one line here, built on first use over this unit of work's session."""

    engagements = repository(SqlEngagementRepository)
    billable_events = repository(SqlBillableEventRepository)
    exceptions = repository(SqlExceptionQueue)
    sagas = repository(SqlSagaRepository)
    saga_log = repository(SqlSagaLog)
    audit = repository(SqlAuditTrail)
    requests = repository(SqlRequestLedger)
    call_records = repository(SqlCallRecords)
    billing_agreements = repository(SqlBillingAgreements)
    invoices = repository(SqlInvoices)
    billed_work = repository(SqlBilledWork)
    sequences = repository(SqlDocumentSequences)
    erp_routes = repository(SqlErpRouteBooks)
    route_changes = repository(SqlRouteChanges)
    erp_postings = repository(SqlErpPostings)
    intercompany_charges = repository(SqlIntercompanyCharges)
    platform_invoices = repository(SqlPlatformInvoices)
    billing_chunks = repository(SqlBillingChunks)

    def __init__(
        self,
        session_factory: Callable[[], Session],
        encode: EventEncoder,
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._encode = encode
        self._after_commit = after_commit

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close(), not rollback(): it ends the transaction without expiring what was loaded,
        # so a query's answer stays readable after the block.
        self.session.close()
        translated = None if exc is None else as_domain_error(exc)
        if translated is not None:
            raise translated from exc

    def commit(self) -> None:
        with database_failures_as_domain_errors():
            self.session.flush()
            events = self._recorded_events()
            self._write_outbox(events)
            self.session.commit()
        self._forget_events()
        if events and self._after_commit is not None:
            self._after_commit()

    def rollback(self) -> None:
        self.session.rollback()

    def _aggregates(self) -> Iterable[Any]:
        for built in list(vars(self).values()):
            if isinstance(built, AggregateRepository):
                yield from built.seen

    def _recorded_events(self) -> list[Event]:
        events = [event for aggregate in self._aggregates() for event in aggregate.events]
        return sorted(events, key=lambda event: event.occurred_at)

    def _write_outbox(self, events: list[Event]) -> None:
        write_outbox(self.session, events, self._encode, correlation_id())

    def _forget_events(self) -> None:
        for aggregate in self._aggregates():
            aggregate.events.clear()
