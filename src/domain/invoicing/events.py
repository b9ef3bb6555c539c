"""What invoicing records: an invoice finalised, a credit note issued, a payment applied."""

from __future__ import annotations

import datetime as dt

from attrs import frozen

from domain.events import AggregateRef, BusinessKey, BusinessKeyKind, Event
from domain.money import Money


@frozen(kw_only=True)
class InvoiceEvent(Event):
    invoice_id: str
    invoice_number: str

    @property
    def aggregate(self) -> AggregateRef:
        return AggregateRef("invoice", self.invoice_id)

    @property
    def key(self) -> BusinessKey:
        return BusinessKey(BusinessKeyKind.INVOICE, self.invoice_number)


@frozen(kw_only=True)
class InvoiceFinalised(InvoiceEvent):
    engagement_id: str
    legal_entity_code: str
    customer_number: str
    issued_on: dt.date
    due_on: dt.date
    net: Money
    tax: Money
    total: Money
    source_ids: tuple[str, ...]


@frozen(kw_only=True)
class CreditNoteIssued(InvoiceEvent):
    credit_note_id: str
    credit_note_number: str
    net: Money
    tax: Money
    total: Money
    releases: tuple[str, ...]


@frozen(kw_only=True)
class PaymentApplied(InvoiceEvent):
    payment_id: str
    received: Money
    applied: Money
    unapplied: Money
    balance: Money
    status: str
