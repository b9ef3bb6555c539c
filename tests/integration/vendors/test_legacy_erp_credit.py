"""A customer's credit in the legacy ERP: the account profile's credit hold and its overall credit
limit in the account's currency (HZ_CUSTOMER_PROFILES, HZ_CUST_PROFILE_AMTS), and its open
receivables, the amount due remaining on the org's open payment schedules
(AR_PAYMENT_SCHEDULES_ALL), which the import makes for each transaction it takes in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from contracts.ledgers import ENTITY, OTHER_ENTITY, a_document, a_ledger_customer
from sqlalchemy.exc import DBAPIError
from support.databases import BACKENDS
from support.legacy_erp import LegacyWorld, legacy_erp

from application.erp_ports import DocumentKind, LedgerDocument, LedgerPayment
from application.errors import VendorUnavailable
from domain.money import Money
from simulators.legacy_erp import customer_profiles, payment_schedules


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def legacy(backend: str, tmp_path) -> Iterator[LegacyWorld]:
    with legacy_erp(backend, tmp_path) as world:
        world.ledger.upsert_customer(a_ledger_customer())
        yield world


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def schedules(world: LegacyWorld) -> list[tuple[str, str, Decimal, Decimal, str]]:
    rows = sorted(world.erp.rows(payment_schedules), key=lambda r: r["payment_schedule_id"])
    return [
        (
            r["trx_number"],
            r["class"],
            r["amount_due_original"],
            r["amount_due_remaining"],
            r["status"],
        )
        for r in rows
    ]


def a_credit_note(net: str) -> LedgerDocument:
    return a_document(
        "US01-CN-2027-000001", kind=DocumentKind.CREDIT_NOTE, net=net, original="US01-2026-000001"
    )


def pay(world: LegacyWorld, amount: str) -> None:
    payment = LedgerPayment("RCPT-1", "US01-2026-000001", usd(amount), dt.date(2027, 1, 10))
    world.receive_payment(payment, ENTITY)


def test_the_import_opens_a_schedule_for_each_transaction_and_applies_a_credit_memo(legacy):
    legacy.ledger.post(a_document("US01-2026-000001", net="1000.00", tax="200.00"))
    legacy.ledger.post(a_credit_note("100.00"))

    assert schedules(legacy) == [
        ("US01-2026-000001", "INV", Decimal("1200.00"), Decimal("1100.00"), "OP"),
        ("US01-CN-2027-000001", "CM", Decimal("-100.00"), Decimal("0.00"), "CL"),
    ]
    assert legacy.ledger.customer_credit(ENTITY, "001-ACME").open_receivables == usd("1100.00")


def test_a_receipt_closes_what_it_pays_and_what_it_overpays_stays_open_on_account(legacy):
    legacy.ledger.post(a_document("US01-2026-000001", net="500.00"))
    pay(legacy, "650.00")

    assert schedules(legacy) == [
        ("US01-2026-000001", "INV", Decimal("500.00"), Decimal("0.00"), "CL"),
        ("RCPT-1", "PMT", Decimal("-650.00"), Decimal("-150.00"), "OP"),
    ]
    assert legacy.ledger.customer_credit(ENTITY, "001-ACME").open_receivables == usd("-150.00")


def test_the_limit_is_the_overall_limit_in_the_accounts_currency(legacy):
    legacy.set_credit(ENTITY, "001-ACME", Money.of("9000.00", "EUR"), on_hold=False)
    assert legacy.ledger.customer_credit(ENTITY, "001-ACME").credit_limit is None

    legacy.set_credit(ENTITY, "001-ACME", usd("4000.00"), on_hold=False)
    assert legacy.ledger.customer_credit(ENTITY, "001-ACME").credit_limit == usd("4000.00")


def test_a_sites_profile_is_not_the_accounts(legacy):
    legacy.set_credit(ENTITY, "001-ACME", usd("4000.00"), on_hold=False)
    account_id = legacy.erp.rows(customer_profiles)[0]["cust_account_id"]
    with legacy.erp.engine.begin() as connection:
        site = {"cust_account_id": account_id, "site_use_id": 7001, "credit_hold": "Y"}
        connection.execute(customer_profiles.insert().values(site))

    assert legacy.ledger.customer_credit(ENTITY, "001-ACME").on_hold is False


def test_an_account_of_another_org_is_not_read(legacy):
    legacy.ledger.upsert_customer(a_ledger_customer("001-GLOBEX", entity=OTHER_ENTITY))

    assert legacy.ledger.customer_credit(ENTITY, "001-GLOBEX") is None


def test_a_credit_hold_other_than_y_or_n_is_refused_by_the_database(legacy):
    legacy.set_credit(ENTITY, "001-ACME", None, on_hold=True)
    with pytest.raises(DBAPIError), legacy.erp.engine.begin() as connection:
        connection.execute(customer_profiles.update().values(credit_hold="X"))

    assert legacy.ledger.customer_credit(ENTITY, "001-ACME").on_hold is True


def test_a_database_that_refuses_sessions_leaves_the_credit_unread(legacy):
    legacy.erp.sessions.down = True

    with pytest.raises(VendorUnavailable):
        legacy.ledger.customer_credit(ENTITY, "001-ACME")
