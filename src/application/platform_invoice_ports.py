"""What o2c keeps of an external billing platform's work: the accounts it handed work to (so it
knows whose invoices to read) and the invoices read back, one per (platform, invoice number),
their amounts, balance and status as the platform last said."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from attrs import frozen

from domain.money import Money


@frozen(kw_only=True)
class HandedAccount:
    """An engagement whose work went to a platform, under the platform account o2c keeps."""

    platform: str
    engagement_id: str
    account_key: str
    legal_entity_code: str
    since: dt.date  # invoices dated before this are none of the engagement's


@frozen(kw_only=True)
class RecordedInvoice:
    platform: str
    number: str
    account_key: str
    legal_entity_code: str
    invoice_date: dt.date
    due_date: dt.date
    amount: Money
    balance: Money
    status: str
    read_at: dt.datetime


@frozen(kw_only=True)
class PlatformInvoiceFilter:
    legal_entity_code: str = ""
    account_keys: tuple[str, ...] | None = None  # None: every account
    visible: frozenset[str] | None = None  # the legal entities the caller sees; None: all


class PlatformInvoices(Protocol):
    def hand_over(self, account: HandedAccount) -> None:
        """Record the engagement's account; recording it again changes nothing."""
        ...

    def accounts(self) -> list[HandedAccount]: ...
    def account_of(self, engagement_id: str) -> HandedAccount | None: ...
    def get(self, platform: str, number: str) -> RecordedInvoice | None: ...
    def record(self, invoice: RecordedInvoice) -> None:
        """Insert, or update the invoice kept under its (platform, number)."""
        ...

    def page(self, where: PlatformInvoiceFilter, after: str, limit: int) -> list[RecordedInvoice]:
        """Ordered by platform and number, after the key "platform/number"."""
        ...
