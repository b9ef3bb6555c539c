"""Where each document is posted, one row per (document number, ERP): the database refuses a
second posting of a document to one ERP."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from adapters.persistence.tables import erp_postings
from domain.erp_posting import ErpPosting, PostingRole


class SqlErpPostings:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, posting: ErpPosting) -> None:
        self.session.execute(
            insert(erp_postings).values(
                document_number=posting.document_number,
                erp=posting.erp,
                invoice_id=posting.invoice_id,
                kind=posting.kind,
                role=posting.role.value,
                erp_legal_entity=posting.erp_legal_entity,
                erp_document_id=posting.erp_document_id,
                posted_at=posting.posted_at,
            )
        )

    def of_document(self, document_number: str) -> list[ErpPosting]:
        return self.where(erp_postings.c.document_number == document_number)

    def of_invoice(self, invoice_id: str) -> list[ErpPosting]:
        return self.where(erp_postings.c.invoice_id == invoice_id)

    def where(self, condition: Any) -> list[ErpPosting]:
        query = (
            select(erp_postings)
            .where(condition)
            .order_by(erp_postings.c.posted_at, erp_postings.c.document_number, erp_postings.c.erp)
        )
        return [posting_of(row) for row in self.session.execute(query)]


def posting_of(row: Any) -> ErpPosting:
    return ErpPosting(
        document_number=row.document_number,
        invoice_id=row.invoice_id,
        kind=row.kind,
        erp=row.erp,
        role=PostingRole(row.role),
        erp_legal_entity=row.erp_legal_entity,
        erp_document_id=row.erp_document_id,
        posted_at=row.posted_at,
    )
