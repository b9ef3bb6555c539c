"""Intercompany charges, one row each by number: the key refuses a second charge for one
invoice and delivering entity. Their lines are kept as one JSON document."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from adapters.persistence.tables import intercompany_charges
from domain.intercompany import IntercompanyCharge, IntercompanyLine
from domain.money import Money

table = intercompany_charges


class SqlIntercompanyCharges:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, charge: IntercompanyCharge) -> None:
        self.session.execute(
            insert(table).values(
                number=charge.number,
                invoice_id=charge.invoice_id,
                invoice_number=charge.invoice_number,
                engagement_id=charge.engagement_id,
                delivering_legal_entity=charge.delivering_legal_entity,
                contracting_legal_entity=charge.contracting_legal_entity,
                issued_on=charge.issued_on,
                currency=charge.currency,
                share=str(charge.share),
                lines=[line_json(line) for line in charge.lines],
                reverses=charge.reverses,
                credit_note_id=charge.credit_note_id,
            )
        )

    def get(self, number: str) -> IntercompanyCharge | None:
        found = self.where(table.c.number == number)
        return found[0] if found else None

    def of_invoice(self, invoice_id: str) -> list[IntercompanyCharge]:
        return self.where(table.c.invoice_id == invoice_id)

    def involving(self, legal_entity_code: str | None) -> list[IntercompanyCharge]:
        if legal_entity_code is None:
            return self.where(True)
        return self.where(
            or_(
                table.c.delivering_legal_entity == legal_entity_code,
                table.c.contracting_legal_entity == legal_entity_code,
            )
        )

    def where(self, condition: Any) -> list[IntercompanyCharge]:
        query = select(table).where(condition).order_by(table.c.number)
        return [charge_of(row) for row in self.session.execute(query)]


def line_json(line: IntercompanyLine) -> dict[str, Any]:
    return {
        "invoice_line": line.invoice_line,
        "description": line.description,
        "revenue": line.revenue.amount_text(),
        "amount": line.amount.amount_text(),
    }


def charge_of(row: Any) -> IntercompanyCharge:
    return IntercompanyCharge(
        number=row.number,
        invoice_id=row.invoice_id,
        invoice_number=row.invoice_number,
        engagement_id=row.engagement_id,
        delivering_legal_entity=row.delivering_legal_entity,
        contracting_legal_entity=row.contracting_legal_entity,
        issued_on=row.issued_on,
        currency=row.currency,
        share=Decimal(row.share),
        lines=tuple(
            IntercompanyLine(
                invoice_line=item["invoice_line"],
                description=item["description"],
                revenue=Money(row.currency, Decimal(item["revenue"])),
                amount=Money(row.currency, Decimal(item["amount"])),
            )
            for item in row.lines
        ),
        reverses=row.reverses,
        credit_note_id=row.credit_note_id,
    )
