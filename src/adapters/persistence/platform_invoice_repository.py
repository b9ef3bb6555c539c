"""An external billing platform's accounts and invoices as o2c keeps them: an engagement's
account once per platform, an invoice once per (platform, number), its amounts, balance and
status overwritten by each read. Amounts are decimal strings, exact on every database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.orm import Session

from adapters.persistence.tables import platform_accounts, platform_invoices
from application.platform_invoice_ports import (
    HandedAccount,
    PlatformInvoiceFilter,
    RecordedInvoice,
)
from domain.money import Money

accounts, invoices = platform_accounts, platform_invoices


class SqlPlatformInvoices:
    def __init__(self, session: Session) -> None:
        self.session = session

    def hand_over(self, account: HandedAccount) -> None:
        if self.account_of(account.engagement_id, account.platform) is not None:
            return
        self.session.execute(
            insert(accounts).values(
                platform=account.platform,
                engagement_id=account.engagement_id,
                account_key=account.account_key,
                legal_entity_code=account.legal_entity_code,
                since=account.since,
            )
        )

    def accounts(self) -> list[HandedAccount]:
        query = select(accounts).order_by(accounts.c.platform, accounts.c.engagement_id)
        return [account_of(row) for row in self.session.execute(query)]

    def account_of(self, engagement_id: str, platform: str = "") -> HandedAccount | None:
        query = select(accounts).where(accounts.c.engagement_id == engagement_id)
        if platform:
            query = query.where(accounts.c.platform == platform)
        row = self.session.execute(query.order_by(accounts.c.platform).limit(1)).first()
        return None if row is None else account_of(row)

    def get(self, platform: str, number: str) -> RecordedInvoice | None:
        query = select(invoices).where(invoices.c.platform == platform, invoices.c.number == number)
        row = self.session.execute(query).first()
        return None if row is None else invoice_of(row)

    def record(self, invoice: RecordedInvoice) -> None:
        values = invoice_values(invoice)
        if self.get(invoice.platform, invoice.number) is None:
            self.session.execute(insert(invoices).values(**values))
            return
        self.session.execute(
            update(invoices)
            .where(invoices.c.platform == invoice.platform, invoices.c.number == invoice.number)
            .values(**values)
        )

    def page(self, where: PlatformInvoiceFilter, after: str, limit: int) -> list[RecordedInvoice]:
        query = select(invoices).order_by(invoices.c.platform, invoices.c.number).limit(limit)
        if where.legal_entity_code:
            query = query.where(invoices.c.legal_entity_code == where.legal_entity_code)
        if where.account_keys is not None:
            query = query.where(invoices.c.account_key.in_(where.account_keys))
        if where.visible is not None:
            query = query.where(invoices.c.legal_entity_code.in_(where.visible))
        if after:
            platform, _, number = after.partition("/")
            query = query.where(
                or_(
                    invoices.c.platform > platform,
                    and_(invoices.c.platform == platform, invoices.c.number > number),
                )
            )
        return [invoice_of(row) for row in self.session.execute(query)]


def invoice_values(invoice: RecordedInvoice) -> dict[str, Any]:
    return {
        "platform": invoice.platform,
        "number": invoice.number,
        "account_key": invoice.account_key,
        "legal_entity_code": invoice.legal_entity_code,
        "invoice_date": invoice.invoice_date,
        "due_date": invoice.due_date,
        "currency": invoice.amount.currency,
        "amount": invoice.amount.amount_text(),
        "balance": invoice.balance.amount_text(),
        "status": invoice.status,
        "read_at": invoice.read_at,
    }


def account_of(row: Any) -> HandedAccount:
    return HandedAccount(
        platform=row.platform,
        engagement_id=row.engagement_id,
        account_key=row.account_key,
        legal_entity_code=row.legal_entity_code,
        since=row.since,
    )


def invoice_of(row: Any) -> RecordedInvoice:
    return RecordedInvoice(
        platform=row.platform,
        number=row.number,
        account_key=row.account_key,
        legal_entity_code=row.legal_entity_code,
        invoice_date=row.invoice_date,
        due_date=row.due_date,
        amount=Money(row.currency, Decimal(row.amount)),
        balance=Money(row.currency, Decimal(row.balance)),
        status=row.status,
        read_at=row.read_at,
    )
