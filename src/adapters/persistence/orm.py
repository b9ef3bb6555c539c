"""Imperative mapping of the domain classes onto the tables; the domain never sees SQLAlchemy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import registry, relationship

from adapters.persistence.billing_mapping import (
    map_billable_events,
    map_billed_work,
    map_billing_agreements,
    map_document_sequences,
    map_invoices,
)
from adapters.persistence.composite import money_composite
from adapters.persistence.tables import (
    audit_log,
    billable_events,
    billed_work,
    billing_agreements,
    document_sequences,
    engagement_erp_accounts,
    engagements,
    erp_route_books,
    exception_attempts,
    exceptions,
    invoices,
    metadata,
    outbox,
    request_ledger,
    saga_steps,
    sagas,
    sandbox_records,
    work_packages,
)
from domain.audit import Refusal
from domain.billable_event import BillableEvent
from domain.billing.agreement import BillingAgreement
from domain.engagement import Engagement, ErpCustomerAccount, WorkPackage
from domain.erp_routing import RouteBook
from domain.exception_case import ExceptionAttempt, ExceptionCase
from domain.invoicing.invoice import Invoice
from domain.saga import Saga, SagaStep

__all__ = [
    "audit_log",
    "billable_events",
    "billed_work",
    "billing_agreements",
    "document_sequences",
    "engagement_erp_accounts",
    "engagements",
    "exceptions",
    "invoices",
    "metadata",
    "outbox",
    "request_ledger",
    "saga_steps",
    "sagas",
    "sandbox_records",
    "start_mappers",
    "work_packages",
]

AGGREGATES = (Engagement, BillableEvent, ExceptionCase, Saga, BillingAgreement, Invoice, RouteBook)


def start_mappers() -> None:
    if inspect(Engagement, raiseerr=False) is not None:
        return
    mappers = registry(metadata=metadata)
    map_engagements(mappers)
    map_billable_events(mappers)
    map_exceptions(mappers)
    map_billing_agreements(mappers)
    map_invoices(mappers)
    map_billed_work(mappers)
    map_document_sequences(mappers)
    mappers.map_imperatively(RouteBook, erp_route_books, version_id_col=erp_route_books.c.version)
    mappers.map_imperatively(Saga, sagas, version_id_col=sagas.c.version)
    mappers.map_imperatively(SagaStep, saga_steps, **sequenced_by_insertion(saga_steps))
    mappers.map_imperatively(Refusal, audit_log, **sequenced_by_insertion(audit_log))
    for aggregate in AGGREGATES:
        event.listen(aggregate, "load", start_with_no_events)


def map_engagements(mappers: registry) -> None:
    mappers.map_imperatively(WorkPackage, work_packages)
    mappers.map_imperatively(ErpCustomerAccount, engagement_erp_accounts)
    mappers.map_imperatively(
        Engagement,
        engagements,
        version_id_col=engagements.c.version,
        properties={
            "contract_value": money_composite(
                engagements.c.contract_value_currency, engagements.c.contract_value_minor_units
            ),
            "work_packages": relationship(
                WorkPackage,
                lazy="selectin",
                cascade="all, delete-orphan",
                order_by=work_packages.c.position,
                # Positions are always written 0..n-1, so renumbering on append changes nothing
                # on load, and renumbers a list the domain assigns as a whole.
                collection_class=ordering_list("position", reorder_on_append=True),
            ),
            # Rows of their own that no version check covers (see versioning.py): a posting
            # records one while a change order to the same engagement is under way.
            "erp_customer_accounts": relationship(
                ErpCustomerAccount,
                lazy="selectin",
                cascade="all, delete-orphan",
                order_by=[
                    engagement_erp_accounts.c.erp,
                    engagement_erp_accounts.c.erp_legal_entity,
                ],
            ),
            "stored_billing_agreements": inserted_after_engagements(BillingAgreement),
        },
    )


def map_exceptions(mappers: registry) -> None:
    mappers.map_imperatively(ExceptionAttempt, exception_attempts)
    mappers.map_imperatively(
        ExceptionCase,
        exceptions,
        version_id_col=exceptions.c.version,
        properties={
            "attempt_log": relationship(
                ExceptionAttempt,
                lazy="selectin",
                cascade="all, delete-orphan",
                order_by=exception_attempts.c.number,
            ),
        },
    )


def inserted_after_engagements(dependent: type[Any]) -> Any:
    """Never loaded nor set: it only tells the unit of work that rows referring to an
    engagement are inserted after it, when both are new in one transaction."""
    return relationship(dependent, lazy="noload", passive_deletes="all")


def sequenced_by_insertion(table: Any) -> dict[str, Any]:
    """Identity by the domain id; the table's sequence only keeps insertion order."""
    return {"primary_key": [table.c.id], "exclude_properties": ["seq"]}


def start_with_no_events(aggregate: Any, _context: object) -> None:
    aggregate.events = []
