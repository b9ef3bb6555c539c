"""What every ERP ledger promises o2c: customers upserted by external id, each document posted
once however often it is sent, and what it holds reported by number and amount."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import attrs

from application.erp_ports import DocumentKind, LedgerPayment
from contracts.ledgers import (
    ENTITY,
    OTHER_ENTITY,
    a_document,
    a_ledger_customer,
    a_ledger_vendor,
    an_intercompany_credit,
    an_intercompany_payable,
    an_intercompany_receivable,
)
from domain.money import Money


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def test_a_customer_upserted_twice_is_one_customer_and_takes_the_new_details(ledger_world):
    ledger = ledger_world.ledger
    first = ledger.upsert_customer(a_ledger_customer())
    renamed = attrs.evolve(a_ledger_customer(), name="Acme Corporation")
    assert ledger.upsert_customer(renamed) == first
    assert ledger.upsert_customer(a_ledger_customer("001-GLOBEX")) != first


def test_a_document_posted_twice_under_one_key_is_one_document(ledger_world):
    ledger = ledger_world.ledger
    ledger.upsert_customer(a_ledger_customer())
    first = ledger.post(a_document())
    again = ledger.post(a_document())

    assert again == first and first.document_id
    assert ledger.find(first.posting_key) == first
    assert [item.number for item in ledger.open_items(ENTITY)] == ["US01-2026-000001"]


def test_a_posting_key_never_posted_is_not_found(ledger_world):
    assert ledger_world.ledger.find("inv-never-sent") is None


def test_concurrent_postings_of_one_document_make_one(ledger_world):
    ledger = ledger_world.ledger
    ledger.upsert_customer(a_ledger_customer())
    with ThreadPoolExecutor(max_workers=6) as pool:
        posted = set(pool.map(lambda _: ledger.post(a_document()), range(6)))

    assert len(posted) == 1
    assert len(ledger.open_items(ENTITY)) == 1


def test_open_items_report_each_document_by_number_with_credit_notes_negative(ledger_world):
    ledger = ledger_world.ledger
    ledger.upsert_customer(a_ledger_customer())
    ledger.post(a_document("US01-2026-000001", net="1000.00", tax="200.00"))
    ledger.post(a_document("US01-2026-000002", net="50.00"))
    credit = a_document(
        "US01-CN-2027-000001",
        kind=DocumentKind.CREDIT_NOTE,
        net="100.00",
        original="US01-2026-000001",
    )
    ledger.post(credit)

    assert [(i.number, i.amount) for i in ledger.open_items(ENTITY)] == [
        ("US01-2026-000001", usd("1200.00")),
        ("US01-2026-000002", usd("50.00")),
        ("US01-CN-2027-000001", usd("-100.00")),
    ]


def test_open_items_are_kept_per_legal_entity(ledger_world):
    ledger = ledger_world.ledger
    ledger.upsert_customer(a_ledger_customer())
    ledger.upsert_customer(a_ledger_customer(entity="GB-SUB-2"))
    ledger.post(a_document("US01-2026-000001"))
    ledger.post(a_document("GB01-2026-000001", entity="GB-SUB-2"))

    assert [i.number for i in ledger.open_items(ENTITY)] == ["US01-2026-000001"]


def test_payments_the_erp_received_are_read_back_from_a_day_on(ledger_world):
    ledger = ledger_world.ledger
    ledger.upsert_customer(a_ledger_customer())
    ledger.post(a_document())
    for payment_id, day in (("PAY-1", 10), ("PAY-2", 20)):
        ledger_world.receive_payment(
            LedgerPayment(payment_id, "US01-2026-000001", usd("400.00"), dt.date(2027, 1, day)),
            ENTITY,
        )

    read = ledger.payments(ENTITY, dt.date(2027, 1, 15))
    assert [(p.payment_id, p.document_number, p.amount) for p in read] == [
        ("PAY-2", "US01-2026-000001", usd("400.00"))
    ]


def test_a_supplier_upserted_twice_is_one_supplier_and_takes_the_new_details(ledger_world):
    ledger = ledger_world.ledger
    first = ledger.upsert_vendor(a_ledger_vendor())
    renamed = attrs.evolve(a_ledger_vendor(), name="Example Consulting UK Ltd")
    assert first and ledger.upsert_vendor(renamed) == first
    assert ledger.upsert_vendor(a_ledger_vendor("IC-DE01")) != first


def post_both_sides(ledger):
    """GB01 invoices US01 for work it delivered; US01 books the bill; both in this ERP."""
    ledger.upsert_customer(a_ledger_customer("IC-US01", entity=OTHER_ENTITY))
    ledger.upsert_vendor(a_ledger_vendor())
    receivable = ledger.post(an_intercompany_receivable())
    payable = ledger.post(an_intercompany_payable())
    return receivable, payable


def test_an_intercompany_receivable_and_its_payable_are_two_documents_under_one_number(
    ledger_world,
):
    ledger = ledger_world.ledger
    receivable, payable = post_both_sides(ledger)

    assert receivable.document_id and payable.document_id
    assert receivable.document_id != payable.document_id
    assert post_both_sides(ledger) == (receivable, payable)
    assert ledger.find(an_intercompany_payable().posting_key) == payable


def test_the_receivable_is_reported_with_the_receivables_and_the_payable_with_the_payables(
    ledger_world,
):
    ledger = ledger_world.ledger
    ledger.upsert_customer(a_ledger_customer())
    ledger.post(a_document("US01-2026-000002", net="50.00"))
    post_both_sides(ledger)

    number = "US01-2026-000001/IC-GB01"
    assert [(i.number, i.amount, i.kind) for i in ledger.open_items(OTHER_ENTITY)] == [
        (number, usd("850.00"), DocumentKind.INTERCOMPANY_RECEIVABLE)
    ]
    assert [(i.number, i.kind) for i in ledger.open_items(ENTITY)] == [
        ("US01-2026-000002", DocumentKind.INVOICE)
    ]
    assert [(i.number, i.amount, i.kind) for i in ledger.payables(ENTITY)] == [
        (number, usd("850.00"), DocumentKind.INTERCOMPANY_PAYABLE)
    ]
    assert ledger.payables(OTHER_ENTITY) == []


def test_concurrent_postings_of_one_payable_make_one(ledger_world):
    ledger = ledger_world.ledger
    ledger.upsert_vendor(a_ledger_vendor())
    with ThreadPoolExecutor(max_workers=4) as pool:
        posted = set(pool.map(lambda _: ledger.post(an_intercompany_payable()), range(4)))

    assert len(posted) == 1
    assert len(ledger.payables(ENTITY)) == 1


def test_an_intercompany_credit_reduces_each_side_under_its_own_number(ledger_world):
    ledger = ledger_world.ledger
    post_both_sides(ledger)
    receivable_credit = ledger.post(an_intercompany_credit(payable=False))
    payable_credit = ledger.post(an_intercompany_credit(payable=True))

    assert receivable_credit.document_id and payable_credit.document_id
    assert receivable_credit.document_id != payable_credit.document_id
    assert ledger.post(an_intercompany_credit(payable=True)) == payable_credit
    assert ledger.find(an_intercompany_credit(payable=False).posting_key) == receivable_credit
    charge, credit = "US01-2026-000001/IC-GB01", "US01-CN-2027-000001/IC-GB01"
    assert [(i.number, i.amount, i.kind) for i in ledger.open_items(OTHER_ENTITY)] == [
        (charge, usd("850.00"), DocumentKind.INTERCOMPANY_RECEIVABLE),
        (credit, usd("-170.00"), DocumentKind.INTERCOMPANY_RECEIVABLE_CREDIT),
    ]
    assert [(i.number, i.amount, i.kind) for i in ledger.payables(ENTITY)] == [
        (charge, usd("850.00"), DocumentKind.INTERCOMPANY_PAYABLE),
        (credit, usd("-170.00"), DocumentKind.INTERCOMPANY_PAYABLE_CREDIT),
    ]
