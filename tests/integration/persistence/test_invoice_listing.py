"""Invoices listed a page at a time, in id order, filtered by engagement, legal entity and
status, and by the legal entities a viewer may see."""

from __future__ import annotations

import datetime as dt

import pytest
from support.invoicing import (
    LONDON_BANK,
    NOW,
    OSAKA_CO,
    TOKYO_KK,
    UK_LTD,
    a_draft,
    bill_each,
    charge,
    invoices_of,
)

from application.ports import InvoiceFilter
from domain.invoicing.invoice import Invoice, InvoiceStatus

EVERYTHING = InvoiceFilter()


def an_invoice(invoice_id: str, engagement_id: str, *, in_tokyo: bool = False) -> Invoice:
    entity, customer, currency = (
        (TOKYO_KK, OSAKA_CO, "JPY") if in_tokyo else (UK_LTD, LONDON_BANK, "GBP")
    )
    invoice = a_draft(entity, customer, currency, invoice_id=invoice_id)
    invoice.engagement_id = engagement_id
    return bill_each(invoice, [charge("1000", f"{invoice_id}-TC", currency=currency)])


@pytest.fixture
def six_invoices(uow_factory) -> None:
    """London bills ENG-1 (A1 finalised, A2, A3) and ENG-2 (B1); Tokyo bills ENG-3 (T1, T2)."""
    london_numbers = invoices_of(UK_LTD)
    with uow_factory() as uow:
        for invoice_id, engagement_id in (("A1", "ENG-1"), ("A2", "ENG-1"), ("A3", "ENG-1")):
            uow.invoices.add(an_invoice(invoice_id, engagement_id))
        uow.invoices.add(an_invoice("B1", "ENG-2"))
        uow.invoices.add(an_invoice("T1", "ENG-3", in_tokyo=True))
        uow.invoices.add(an_invoice("T2", "ENG-3", in_tokyo=True))
        uow.sequences.add(london_numbers)
        uow.commit()
    with uow_factory() as uow:
        uow.invoices.get("A1").finalise(london_numbers, dt.date(2026, 12, 31), NOW)
        uow.commit()


def page(uow_factory, where: InvoiceFilter, after: str = "", limit: int = 10) -> list[str]:
    with uow_factory() as uow:
        return [invoice.id for invoice in uow.invoices.page(where, after, limit)]


@pytest.mark.usefixtures("six_invoices")
def test_pages_follow_each_other_in_id_order_without_gaps_or_repeats(uow_factory):
    first = page(uow_factory, EVERYTHING, limit=4)
    second = page(uow_factory, EVERYTHING, after=first[-1], limit=4)

    assert (first, second) == (["A1", "A2", "A3", "B1"], ["T1", "T2"])
    assert page(uow_factory, EVERYTHING, after="T2") == []


@pytest.mark.usefixtures("six_invoices")
@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (InvoiceFilter(engagement_id="ENG-1"), ["A1", "A2", "A3"]),
        (InvoiceFilter(legal_entity_code="JP01"), ["T1", "T2"]),
        (InvoiceFilter(status=InvoiceStatus.FINALISED), ["A1"]),
        (InvoiceFilter(legal_entity_code="GB01", status=InvoiceStatus.DRAFT), ["A2", "A3", "B1"]),
        (InvoiceFilter(legal_entity_codes=frozenset({"JP01"})), ["T1", "T2"]),
        (InvoiceFilter(legal_entity_codes=frozenset()), []),
        (InvoiceFilter(engagement_id="ENG-3", legal_entity_codes=frozenset({"GB01"})), []),
    ],
    ids=[
        "one engagement",
        "one legal entity",
        "finalised",
        "a legal entity's drafts",
        "the entities a viewer sees",
        "a viewer who sees none",
        "an engagement the viewer cannot see",
    ],
)
def test_invoices_are_filtered_by_every_field_given(uow_factory, where, expected):
    assert page(uow_factory, where) == expected


@pytest.mark.usefixtures("six_invoices")
def test_a_filtered_page_continues_after_the_last_invoice_seen(uow_factory):
    london_drafts = InvoiceFilter(legal_entity_code="GB01", status=InvoiceStatus.DRAFT)

    assert page(uow_factory, london_drafts, after="A2", limit=1) == ["A3"]
