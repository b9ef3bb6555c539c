"""Repositories of billing over one session. Agreements and document sequences are read
FOR UPDATE on PostgreSQL (SQLite renders no such clause: its BEGIN IMMEDIATE already
serialises writers), so concurrent approvals or finalisations take turns instead of failing."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from adapters.persistence.repositories import AggregateRepository
from adapters.persistence.tables import billed_work, billing_agreements, invoices
from application.ports import InvoiceFilter
from domain.billing.agreement import BillingAgreement
from domain.invoicing.billed_work import BilledWork
from domain.invoicing.invoice import Invoice, InvoiceStatus
from domain.invoicing.lines import ChargeKey
from domain.invoicing.numbering import DocumentSequence, Series


class SqlBillingAgreements(AggregateRepository[BillingAgreement]):
    aggregate = BillingAgreement

    def get(self, engagement_id: str) -> BillingAgreement | None:
        query = select(BillingAgreement).filter_by(engagement_id=engagement_id).with_for_update()
        return self._seen(self.session.scalars(query).one_or_none())

    def engagement_ids(self) -> list[str]:
        column = billing_agreements.c.engagement_id
        return list(self.session.scalars(select(column).order_by(column)))

    def engagement_ids_after(self, after: str, limit: int) -> list[str]:
        column = billing_agreements.c.engagement_id
        query = select(column).where(column > after).order_by(column).limit(limit)
        return list(self.session.scalars(query))

    def get_many(self, engagement_ids: Collection[str]) -> dict[str, BillingAgreement]:
        column = billing_agreements.c.engagement_id
        query = (
            select(BillingAgreement)
            .where(column.in_(sorted(engagement_ids)))
            .order_by(column)  # held in one order, so two chunks never wait on each other
            .with_for_update()
        )
        return {a.engagement_id: a for a in self._all_seen(self.session.scalars(query))}


IDS_PER_STATEMENT = 10_000


class SqlInvoices(AggregateRepository[Invoice]):
    aggregate = Invoice

    def get_by_number(self, number: str) -> Invoice | None:
        query = select(Invoice).where(invoices.c.number == number)
        return self._seen(self.session.scalars(query).one_or_none())

    def drafts(self, engagement_ids: Collection[str]) -> list[Invoice]:
        query = (
            select(Invoice)
            .where(
                invoices.c.status == InvoiceStatus.DRAFT,
                invoices.c.engagement_id.in_(list(engagement_ids)),
            )
            .order_by(invoices.c.id)
        )
        return self._all_seen(self.session.scalars(query))

    def remove_draft(self, invoice: Invoice) -> None:
        invoice.check_draft("status")
        self.session.delete(invoice)
        self.seen.pop(invoice, None)

    def page(self, where: InvoiceFilter, after: str, limit: int) -> list[Invoice]:
        query = (
            select(Invoice)
            .where(*matching(where), invoices.c.id > after)
            .order_by(invoices.c.id)
            .limit(limit)
        )
        return self._all_seen(self.session.scalars(query))


def matching(where: InvoiceFilter) -> list[ColumnElement[bool]]:
    table = invoices
    wanted: list[ColumnElement[bool]] = []
    if where.engagement_id:
        wanted.append(table.c.engagement_id == where.engagement_id)
    if where.legal_entity_code:
        wanted.append(table.c.legal_entity_code == where.legal_entity_code)
    if where.status is not None:
        wanted.append(table.c.status == where.status)
    if where.legal_entity_codes is not None:
        wanted.append(table.c.legal_entity_code.in_(sorted(where.legal_entity_codes)))
    return wanted


class SqlBilledWork:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, record: BilledWork) -> None:
        self.session.add(record)

    def get_many(self, keys: Collection[ChargeKey]) -> dict[ChargeKey, BilledWork]:
        wanted = set(keys)
        found = self.of_sources({source_id for source_id, _kind in wanted})
        return {record.key: record for record in found if record.key in wanted}

    def of_sources(self, source_ids: Collection[str]) -> list[BilledWork]:
        """Read in chunks: a cycle over many events would pass more ids than one statement may
        carry (PostgreSQL's limit is 65,535 parameters)."""
        table, wanted = billed_work, sorted(source_ids)
        found: list[BilledWork] = []
        for start in range(0, len(wanted), IDS_PER_STATEMENT):
            chunk = wanted[start : start + IDS_PER_STATEMENT]
            query = (
                select(BilledWork)
                .where(table.c.source_id.in_(chunk))
                .order_by(table.c.source_id, table.c.kind)
            )
            found += self.session.scalars(query)
        return found


class SqlDocumentSequences:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, legal_entity_code: str, series: Series) -> DocumentSequence | None:
        query: Any = (
            select(DocumentSequence)
            .filter_by(legal_entity_code=legal_entity_code, series=series)
            .with_for_update()
        )
        found: DocumentSequence | None = self.session.scalars(query).one_or_none()
        return found

    def add(self, sequence: DocumentSequence) -> None:
        self.session.add(sequence)
