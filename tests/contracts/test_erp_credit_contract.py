"""What every ERP promises o2c about a customer's credit: its limit and hold as the ERP's credit
management keeps them, and what the customer owes the legal entity now."""

from __future__ import annotations

import datetime as dt

from application.erp_ports import CustomerCredit, DocumentKind, LedgerPayment
from contracts.ledgers import ENTITY, OTHER_ENTITY, LedgerWorld, a_document, a_ledger_customer
from domain.money import Money


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def set_credit(world: LedgerWorld, limit: Money | None, *, on_hold: bool) -> None:
    assert world.set_credit is not None, "each ERP's world sets credit its own way"
    world.set_credit(ENTITY, "001-ACME", limit, on_hold)


def test_a_customer_the_erp_does_not_know_in_the_entity_has_no_credit(ledger_world):
    ledger = ledger_world.ledger
    ledger.upsert_customer(a_ledger_customer(entity=OTHER_ENTITY))

    assert ledger.customer_credit(ENTITY, "001-ACME") is None
    assert ledger.customer_credit(ENTITY, "001-NOBODY") is None


def test_the_limit_and_hold_the_erp_sets_are_read_back(ledger_world):
    ledger = ledger_world.ledger
    ledger.upsert_customer(a_ledger_customer())
    set_credit(ledger_world, usd("25000.00"), on_hold=True)

    assert ledger.customer_credit(ENTITY, "001-ACME") == CustomerCredit(
        credit_limit=usd("25000.00"), open_receivables=usd("0.00"), on_hold=True, currency="USD"
    )
    set_credit(ledger_world, usd("40000.00"), on_hold=False)
    ledger.upsert_customer(a_ledger_customer())

    credit = ledger.customer_credit(ENTITY, "001-ACME")
    assert (credit.credit_limit, credit.on_hold) == (usd("40000.00"), False)


def test_open_receivables_are_the_posted_invoices_less_credit_notes_and_payments(ledger_world):
    ledger = ledger_world.ledger
    ledger.upsert_customer(a_ledger_customer())
    ledger.upsert_customer(a_ledger_customer("001-GLOBEX"))
    set_credit(ledger_world, usd("5000.00"), on_hold=False)
    ledger.post(a_document("US01-2026-000001", net="1000.00", tax="200.00"))
    ledger.post(a_document("US01-2026-000002", net="50.00"))
    ledger.post(a_document("US01-2026-000003", net="300.00", customer="001-GLOBEX"))
    credit_note = a_document(
        "US01-CN-2027-000001",
        kind=DocumentKind.CREDIT_NOTE,
        net="100.00",
        original="US01-2026-000001",
    )
    ledger.post(credit_note)
    ledger_world.receive_payment(
        LedgerPayment("PAY-1", "US01-2026-000001", usd("400.00"), dt.date(2027, 1, 10)), ENTITY
    )

    credit = ledger.customer_credit(ENTITY, "001-ACME")
    assert (credit.credit_limit, credit.open_receivables) == (usd("5000.00"), usd("750.00"))


def test_a_customer_without_a_limit_reads_as_no_limit(ledger_world):
    ledger = ledger_world.ledger
    ledger.upsert_customer(a_ledger_customer())

    assert ledger.customer_credit(ENTITY, "001-ACME") == CustomerCredit(
        credit_limit=None, open_receivables=usd("0.00"), on_hold=False, currency="USD"
    )
    set_credit(ledger_world, None, on_hold=True)

    credit = ledger.customer_credit(ENTITY, "001-ACME")
    assert (credit.credit_limit, credit.on_hold) == (None, True)
