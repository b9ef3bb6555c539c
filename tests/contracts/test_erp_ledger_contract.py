"""What every ERP ledger promises o2c: customers upserted by external id, each document posted
once however often it is sent, and what it holds reported by number and amount."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import attrs

from application.erp_ports import DocumentKind, LedgerPayment
from contracts.ledgers import ENTITY, a_document, a_ledger_customer
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
