"""The in-memory billing stores behave as the database does where use cases rely on it."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from support.billing import capped_december_terms, time_worked
from support.invoicing import NOW, UK_LTD, a_draft, bill_each, charge, invoices_of

from application.ports import InvoiceFilter
from domain.billing.agreement import BillingAgreement
from domain.billing.charges import ChargeKind
from domain.errors import ConcurrentUpdate
from domain.invoicing.billed_work import BilledWork
from domain.invoicing.invoice import InvoiceStatus
from domain.invoicing.numbering import DocumentSequence, Series
from unit.fakes import FakeUnitOfWork, Store

DECEMBER_31 = dt.date(2026, 12, 31)


def an_invoice(invoice_id: str):
    return bill_each(a_draft(invoice_id=invoice_id), [charge("100.00", f"{invoice_id}-TC")])


def test_a_second_record_of_the_same_charge_is_refused(store: Store):
    first = FakeUnitOfWork(store)
    first.billed_work.add(BilledWork("EV-1", ChargeKind.TIME, "INV-1"))
    first.commit()

    second = FakeUnitOfWork(store)
    second.billed_work.add(BilledWork("EV-1", ChargeKind.TIME, "INV-2"))
    with pytest.raises(ConcurrentUpdate):
        second.commit()
    assert store.billed_work["EV-1", ChargeKind.TIME].invoice_id == "INV-1"


def test_two_invoices_with_one_number_are_refused(store: Store):
    first, second = an_invoice("INV-1"), an_invoice("INV-2")
    first.finalise(invoices_of(UK_LTD), DECEMBER_31, NOW)
    second.finalise(invoices_of(UK_LTD), DECEMBER_31, NOW)
    uow = FakeUnitOfWork(store)
    uow.invoices.add(first)
    uow.commit()

    again = FakeUnitOfWork(store)
    again.invoices.add(second)
    with pytest.raises(ConcurrentUpdate):
        again.commit()


def test_an_agreement_changed_meanwhile_refuses_the_stale_commit(store: Store):
    terms = attrs.evolve(capped_december_terms(), work_package_code="EMEA-1")
    setup = FakeUnitOfWork(store)
    setup.billing_agreements.add(BillingAgreement.open("ENG-1", [terms]))
    setup.commit()

    first, second = FakeUnitOfWork(store), FakeUnitOfWork(store)
    for uow, source_id in ((first, "TC-1"), (second, "TC-2")):
        agreement = uow.billing_agreements.get("ENG-1")
        agreement.rate("EMEA-1", time_worked("1", source_id=source_id), "work")
    first.commit()
    with pytest.raises(ConcurrentUpdate):
        second.commit()
    assert store.billing_agreements["ENG-1"].row_version == 2


def test_invoices_are_listed_and_finalising_publishes_the_outcome(store: Store):
    uow = FakeUnitOfWork(store)
    for invoice_id in ("INV-3", "INV-1", "INV-2"):
        uow.invoices.add(an_invoice(invoice_id))
    sequence = DocumentSequence.start("GB01")
    uow.sequences.add(sequence)
    uow.commit()

    later = FakeUnitOfWork(store)
    later.invoices.get("INV-2").finalise(
        later.sequences.get("GB01", Series.INVOICE), DECEMBER_31, NOW
    )
    later.commit()

    listing = FakeUnitOfWork(store)
    drafts = listing.invoices.page(InvoiceFilter(status=InvoiceStatus.DRAFT), "", 10)
    after = listing.invoices.page(InvoiceFilter(), "INV-1", 1)
    assert [i.id for i in drafts] == ["INV-1", "INV-3"]
    assert [i.id for i in after] == ["INV-2"]
    assert listing.invoices.get_by_number("GB01-2026-000001").id == "INV-2"
    assert store.sequences["GB01", Series.INVOICE].next_sequence == 2
    assert [type(e).__name__ for e in store.published] == ["InvoiceFinalised"]
