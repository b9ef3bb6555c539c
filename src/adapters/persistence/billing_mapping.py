"""Imperative mapping of billing: agreements, invoices, billed work, document sequences, and
what billable events gained with them.

An invoice is one row: its parts as JSON, plus plain columns (legal entity code, number, due
day, total, balance) that queries filter on; those are worked out from the invoice before
every write, so they never disagree with it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import registry

from adapters.persistence.column_types import NotExactlyStored
from adapters.persistence.composite import money_composite
from adapters.persistence.tables import (
    billable_events,
    billed_work,
    billing_agreements,
    document_sequences,
    invoices,
)
from domain.billable_event import BillableEvent
from domain.billing.agreement import BillingAgreement
from domain.errors import DomainError
from domain.invoicing.billed_work import BilledWork
from domain.invoicing.invoice import Invoice
from domain.invoicing.numbering import DocumentSequence
from domain.money import parse_decimal
from domain.unit_price import UnitPrice

UNIT_PRICE = "billable_events.unit_price"


def map_billable_events(mappers: registry) -> None:
    table = billable_events
    mappers.map_imperatively(
        BillableEvent,
        table,
        version_id_col=table.c.version,
        properties={
            "hours": table.c.hours_ten_thousandths,
            "rate": money_composite(table.c.rate_currency, table.c.rate_minor_units),
            "amount": money_composite(table.c.amount_currency, table.c.amount_minor_units),
            "stored_unit_price": table.c.unit_price,
        },
    )
    for name in ("before_insert", "before_update"):
        event.listen(BillableEvent, name, store_unit_price)
    event.listen(BillableEvent, "load", read_unit_price)
    event.listen(BillableEvent, "refresh", read_unit_price)


def store_unit_price(_mapper: object, _connection: object, billable: Any) -> None:
    """The unit price's amount as decimal text; its currency is the amount's."""
    price = billable.unit_price
    billable.stored_unit_price = None if price is None else price.amount_text()


def read_unit_price(billable: Any, *_context: object) -> None:
    text = billable.stored_unit_price
    if text is None:
        billable.unit_price = None
        return
    try:
        amount = parse_decimal(text, "unit_price")
        billable.unit_price = UnitPrice(billable.amount.currency, amount)
    except DomainError as error:
        raise NotExactlyStored(UNIT_PRICE, text, error.message) from None


def map_billing_agreements(mappers: registry) -> None:
    mappers.map_imperatively(
        BillingAgreement, billing_agreements, version_id_col=billing_agreements.c.row_version
    )


def map_invoices(mappers: registry) -> None:
    table = invoices
    mappers.map_imperatively(
        Invoice,
        table,
        version_id_col=table.c.version,
        properties={
            "number": table.c.document_number,
            "stored_number": table.c.number,
            "stored_legal_entity_code": table.c.legal_entity_code,
            "stored_due_on": table.c.due_on,
        },
    )
    for name in ("before_insert", "before_update"):
        event.listen(Invoice, name, keep_query_columns_in_step)


def keep_query_columns_in_step(_mapper: object, _connection: object, invoice: Any) -> None:
    invoice.stored_number = None if invoice.number is None else str(invoice.number)
    invoice.stored_legal_entity_code = invoice.legal_entity.code
    invoice.stored_due_on = invoice.due_on
    total, balance = invoice.total, invoice.balance
    invoice.total_currency, invoice.total_minor_units = total.currency, total.minor_units()
    invoice.balance_currency, invoice.balance_minor_units = (
        balance.currency,
        balance.minor_units(),
    )


def map_billed_work(mappers: registry) -> None:
    mappers.map_imperatively(BilledWork, billed_work)


def map_document_sequences(mappers: registry) -> None:
    mappers.map_imperatively(
        DocumentSequence, document_sequences, version_id_col=document_sequences.c.version
    )
