"""The platform invoices o2c keeps, in memory: the unit tests' stand-in for the SQL repository,
held to the same rules (one account per engagement and platform, one invoice per number)."""

from __future__ import annotations

from typing import Any

from application.platform_invoice_ports import (
    HandedAccount,
    PlatformInvoiceFilter,
    RecordedInvoice,
)


class FakePlatformInvoices:
    def __init__(self, store: Any) -> None:
        self.store = store
        self.accounts_staged: dict[tuple[str, str], HandedAccount] = {}
        self.invoices_staged: dict[tuple[str, str], RecordedInvoice] = {}

    def hand_over(self, account: HandedAccount) -> None:
        key = (account.platform, account.engagement_id)
        if key not in self.store.platform_accounts:
            self.accounts_staged.setdefault(key, account)

    def accounts(self) -> list[HandedAccount]:
        merged = {**self.store.platform_accounts, **self.accounts_staged}
        return [merged[key] for key in sorted(merged)]

    def account_of(self, engagement_id: str) -> HandedAccount | None:
        return next((a for a in self.accounts() if a.engagement_id == engagement_id), None)

    def get(self, platform: str, number: str) -> RecordedInvoice | None:
        key = (platform, number)
        return self.invoices_staged.get(key) or self.store.platform_invoices.get(key)

    def record(self, invoice: RecordedInvoice) -> None:
        self.invoices_staged[(invoice.platform, invoice.number)] = invoice

    def page(self, where: PlatformInvoiceFilter, after: str, limit: int) -> list[RecordedInvoice]:
        merged = {**self.store.platform_invoices, **self.invoices_staged}
        found = [
            merged[key]
            for key in sorted(merged)
            if "/".join(key) > after and matches(merged[key], where)
        ]
        return found[:limit]

    def commit(self) -> None:
        self.store.platform_accounts.update(self.accounts_staged)
        self.store.platform_invoices.update(self.invoices_staged)
        self.accounts_staged, self.invoices_staged = {}, {}


def matches(invoice: RecordedInvoice, where: PlatformInvoiceFilter) -> bool:
    entity = not where.legal_entity_code or invoice.legal_entity_code == where.legal_entity_code
    account = where.account_keys is None or invoice.account_key in where.account_keys
    visible = where.visible is None or invoice.legal_entity_code in where.visible
    return entity and account and visible
