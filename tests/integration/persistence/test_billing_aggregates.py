"""Billing agreements, invoices, billed work and document sequences through the real tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest
from sqlalchemy import select
from support.amendments import change_order, new_rate
from support.billing import capped_december_terms, time_worked
from support.invoicing import (
    LONDON_BANK,
    NOW,
    UK_LTD,
    a_draft,
    bill_each,
    charge,
    credit_notes_of,
    invoices_of,
    payment,
)
from support.invoicing import money as pounds

from adapters.persistence.tables import billing_agreements, invoices, outbox
from domain.billing.agreement import BillingAgreement
from domain.billing.amendments import TermsChange
from domain.billing.charges import ChargeKind
from domain.errors import ConcurrentUpdate, InvoiceImmutable
from domain.invoicing.billed_work import BilledWork, BilledWorkStatus, record_invoiced
from domain.invoicing.invoice import InvoiceStatus
from domain.invoicing.numbering import DocumentSequence, Series
from domain.money import Money

from .builders import an_active_engagement

DECEMBER_31 = dt.date(2026, 12, 31)


@pytest.fixture
def engagement(uow_factory):
    saved = an_active_engagement()
    with uow_factory() as uow:
        uow.engagements.add(saved)
        uow.commit()
    return saved


def an_agreement(engagement_id: str) -> BillingAgreement:
    terms = attrs.evolve(capped_december_terms(), work_package_code="EMEA-1")
    return BillingAgreement.open(engagement_id, [terms])


def outbox_subjects(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(select(outbox.c.subject).order_by(outbox.c.seq)))


def test_an_agreement_with_rated_work_and_an_amendment_comes_back_equal(
    engine, uow_factory, engagement
):
    agreement = an_agreement(engagement.id)
    agreement.rate("EMEA-1", time_worked("7.5", on=dt.date(2026, 12, 10)), "work")
    cap = TermsChange(
        "EMEA-1",
        cap=Money("USD", Decimal("5000.00")),
        rate_changes=(new_rate("architect", "231.25", dt.date(2027, 1, 1)),),
    )
    agreement.amend(change_order(cap), invoiced={}, occurred_at=NOW)
    with uow_factory() as uow:
        uow.billing_agreements.add(agreement)
        uow.commit()

    with uow_factory() as uow:
        loaded = uow.billing_agreements.get(engagement.id)

    assert loaded.terms == agreement.terms
    assert loaded.states == agreement.states
    assert loaded.amendments == agreement.amendments
    assert (loaded.version, loaded.row_version, loaded.events) == (1, 1, [])
    assert outbox_subjects(engine) == ["o2c.v1.test.EngagementAmended"]


def test_an_agreement_changed_twice_moves_its_row_version_on_each_time(uow_factory, engagement):
    with uow_factory() as uow:
        uow.billing_agreements.add(an_agreement(engagement.id))
        uow.commit()
    for source_id in ("TC-1", "TC-2"):
        with uow_factory() as uow:
            agreement = uow.billing_agreements.get(engagement.id)
            agreement.rate("EMEA-1", time_worked("8", source_id=source_id), "work")
            uow.commit()

    with uow_factory() as uow:
        loaded = uow.billing_agreements.get(engagement.id)
        ids = uow.billing_agreements.engagement_ids()

    assert loaded.row_version == 3
    assert loaded.states["EMEA-1"].cap_used == Money("USD", Decimal("2160.00"))
    assert ids == [engagement.id]


def test_an_agreement_changed_behind_a_loaded_one_refuses_the_stale_commit(uow_factory, engagement):
    with uow_factory() as uow:
        uow.billing_agreements.add(an_agreement(engagement.id))
        uow.commit()

    with uow_factory() as uow:
        agreement = uow.billing_agreements.get(engagement.id)
        uow.session.execute(
            billing_agreements.update().values(row_version=billing_agreements.c.row_version + 1)
        )
        agreement.rate("EMEA-1", time_worked("8"), "work")
        with pytest.raises(ConcurrentUpdate):
            uow.commit()


def a_pounds_invoice(invoice_id: str = "INV-1"):
    return bill_each(
        a_draft(UK_LTD, LONDON_BANK, "GBP", invoice_id=invoice_id),
        [charge("1000.01", f"{invoice_id}-TC-1"), charge("250.00", f"{invoice_id}-TC-2")],
    )


def save_invoice(uow_factory, invoice) -> None:
    with uow_factory() as uow:
        uow.invoices.add(invoice)
        uow.commit()


def finalise(uow_factory, invoice_id: str, on: dt.date = DECEMBER_31) -> None:
    with uow_factory() as uow:
        sequence = uow.sequences.get(UK_LTD.code, Series.INVOICE)
        if sequence is None:
            sequence = invoices_of(UK_LTD)
            uow.sequences.add(sequence)
        uow.invoices.get(invoice_id).finalise(sequence, on, NOW)
        uow.commit()


def query_columns(engine, invoice_id: str) -> tuple:
    table = invoices
    wanted = table.c[
        "number",
        "legal_entity_code",
        "status",
        "issued_on",
        "due_on",
        "total_minor_units",
        "balance_minor_units",
    ]
    with engine.connect() as connection:
        return tuple(connection.execute(select(wanted).where(table.c.id == invoice_id)).one())


def test_a_discounted_draft_comes_back_with_its_lines_charges_and_taxes(engine, uow_factory):
    draft = a_pounds_invoice()
    draft.give_discount(pounds("100.00"))
    save_invoice(uow_factory, draft)

    with uow_factory() as uow:
        loaded = uow.invoices.get("INV-1")

    assert loaded.lines == draft.lines
    assert (loaded.discount, loaded.total) == (pounds("100.00"), draft.total)
    assert (loaded.legal_entity, loaded.customer) == (UK_LTD, LONDON_BANK)
    assert (loaded.number, loaded.status, loaded.events) == (None, InvoiceStatus.DRAFT, [])
    assert query_columns(engine, "INV-1") == (
        None,
        "GB01",
        InvoiceStatus.DRAFT,
        None,
        None,
        draft.total.minor_units(),
        draft.total.minor_units(),
    )


def test_a_finalised_invoice_credited_and_paid_comes_back_whole_and_queryable(engine, uow_factory):
    save_invoice(uow_factory, a_pounds_invoice())
    finalise(uow_factory, "INV-1")
    with uow_factory() as uow:
        invoice = uow.invoices.get("INV-1")
        notes = credit_notes_of(UK_LTD)
        uow.sequences.add(notes)
        invoice.issue_credit_note(
            credit_note_id="CN-1",
            sequence=notes,
            issued_on=DECEMBER_31,
            now=NOW,
            reason="hours overstated",
            lines={2: pounds("50.00")},
        )
        invoice.apply_payment(payment("600.00"), NOW)
        uow.commit()

    with uow_factory() as uow:
        loaded = uow.invoices.get_by_number("GB01-2026-000001")

    assert str(loaded.number) == "GB01-2026-000001"
    assert loaded.credit_notes == invoice.credit_notes
    assert loaded.payments == invoice.payments
    assert (loaded.status, loaded.balance) == (InvoiceStatus.PARTIALLY_PAID, invoice.balance)
    assert query_columns(engine, "INV-1") == (
        "GB01-2026-000001",
        "GB01",
        InvoiceStatus.PARTIALLY_PAID,
        DECEMBER_31,
        dt.date(2027, 1, 30),
        invoice.total.minor_units(),
        invoice.balance.minor_units(),
    )
    assert outbox_subjects(engine) == [
        "o2c.v1.test.InvoiceFinalised",
        "o2c.v1.test.CreditNoteIssued",
        "o2c.v1.test.PaymentApplied",
    ]


def test_a_finalised_invoice_loaded_again_still_refuses_changes(uow_factory):
    save_invoice(uow_factory, a_pounds_invoice())
    finalise(uow_factory, "INV-1")

    with uow_factory() as uow:
        loaded = uow.invoices.get("INV-1")
        with pytest.raises(InvoiceImmutable):
            loaded.lines = ()


def test_two_invoices_never_share_a_number(uow_factory):
    first, second = a_pounds_invoice("INV-1"), a_pounds_invoice("INV-2")
    first.finalise(invoices_of(UK_LTD), DECEMBER_31, NOW)
    second.finalise(invoices_of(UK_LTD), DECEMBER_31, NOW)  # a second sequence, wrongly
    save_invoice(uow_factory, first)

    with pytest.raises(ConcurrentUpdate):
        save_invoice(uow_factory, second)


def test_a_draft_is_found_among_its_engagements_drafts_and_removed(uow_factory):
    save_invoice(uow_factory, a_pounds_invoice("INV-1"))
    save_invoice(uow_factory, a_pounds_invoice("INV-2"))
    finalise(uow_factory, "INV-2")

    with uow_factory() as uow:
        drafts = uow.invoices.drafts(["ENG-1"])
        assert [d.id for d in drafts] == ["INV-1"]
        uow.invoices.remove_draft(drafts[0])
        uow.commit()

    with uow_factory() as uow:
        assert uow.invoices.get("INV-1") is None
        with pytest.raises(InvoiceImmutable):
            uow.invoices.remove_draft(uow.invoices.get("INV-2"))


def test_a_charge_is_billed_on_one_invoice_only_whatever_the_race(engine, uow_factory):
    charges = [charge("100.00", "EV-1"), charge("5.00", "EV-1", ChargeKind.CAP_OVERAGE)]
    with uow_factory() as uow:
        for record in record_invoiced(charges, "INV-1", {}):
            uow.billed_work.add(record)
        uow.commit()

    with pytest.raises(ConcurrentUpdate), uow_factory() as uow:
        uow.billed_work.add(BilledWork("EV-1", ChargeKind.TIME, "INV-2"))
        uow.commit()

    with uow_factory() as uow:
        found = uow.billed_work.get_many([("EV-1", ChargeKind.TIME), ("EV-9", ChargeKind.TIME)])
        of_source = uow.billed_work.of_sources(["EV-1"])
    assert list(found) == [("EV-1", ChargeKind.TIME)]
    assert found["EV-1", ChargeKind.TIME].invoice_id == "INV-1"
    assert [r.kind for r in of_source] == [ChargeKind.CAP_OVERAGE, ChargeKind.TIME]


def test_billed_work_released_and_reapproved_is_invoiced_again_under_its_key(uow_factory):
    with uow_factory() as uow:
        uow.billed_work.add(
            BilledWork("EV-1", ChargeKind.TIME, "INV-1", BilledWorkStatus.REAPPROVED, "CN-1")
        )
        uow.commit()
    with uow_factory() as uow:
        known = uow.billed_work.get_many([("EV-1", ChargeKind.TIME)])
        record_invoiced([charge("100.00", "EV-1")], "INV-2", known)
        uow.commit()

    with uow_factory() as uow:
        (record,) = uow.billed_work.of_sources(["EV-1"])

    assert (record.invoice_id, record.status, record.credit_note_id, record.times_invoiced) == (
        "INV-2",
        BilledWorkStatus.INVOICED,
        "",
        2,
    )


def test_a_document_sequence_runs_on_from_where_it_was_left(uow_factory):
    with uow_factory() as uow:
        sequence = DocumentSequence.start("GB01", Series.CREDIT_NOTE)
        sequence.take("GB01", dt.date(2026, 12, 30))
        uow.sequences.add(sequence)
        uow.commit()

    with uow_factory() as uow:
        loaded = uow.sequences.get("GB01", Series.CREDIT_NOTE)
        number = loaded.take("GB01", DECEMBER_31)
        uow.commit()
    with uow_factory() as uow:
        again = uow.sequences.get("GB01", Series.CREDIT_NOTE)
        other = uow.sequences.get("GB01", Series.INVOICE)

    assert str(number) == "GB01-CN-2026-000002"
    assert (again.next_sequence, again.last_issued_on, again.version) == (3, DECEMBER_31, 2)
    assert other is None


def test_an_engagement_and_its_agreement_are_saved_together_and_keep_the_customers_terms(
    uow_factory,
):
    engagement = an_active_engagement()
    engagement.customer_country, engagement.customer_vat_number = "FR", "FR12345678901"
    engagement.payment_terms_days = 45
    with uow_factory() as uow:
        uow.billing_agreements.add(an_agreement(engagement.id))
        uow.engagements.add(engagement)
        uow.commit()

    with uow_factory() as uow:
        loaded = uow.engagements.get(engagement.id)
        agreement = uow.billing_agreements.get(engagement.id)

    assert (loaded.customer_country, loaded.customer_vat_number) == ("FR", "FR12345678901")
    assert loaded.payment_terms_days == 45
    assert agreement is not None and list(agreement.terms) == ["EMEA-1"]
