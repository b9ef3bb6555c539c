"""The billing platform's accounts and invoices as o2c keeps them, on SQLite and PostgreSQL:
one account per engagement and platform, one invoice per (platform, number) whose amounts,
balance and status each read overwrites, exact to the last digit, listed a page at a time."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from application.platform_invoice_ports import (
    HandedAccount,
    PlatformInvoiceFilter,
    RecordedInvoice,
)
from domain.money import Money

READ_AT = dt.datetime(2027, 1, 2, 8, 0, tzinfo=dt.UTC)
EVERYTHING = PlatformInvoiceFilter()


def an_account(engagement_id: str = "eng-1", key: str = "001-ACME:GB01") -> HandedAccount:
    return HandedAccount(
        platform="zuora",
        engagement_id=engagement_id,
        account_key=key,
        legal_entity_code="GB01",
        since=dt.date(2026, 12, 1),
    )


def an_invoice(number: str, key: str = "001-ACME:GB01", **changes: object) -> RecordedInvoice:
    invoice = RecordedInvoice(
        platform="zuora",
        number=number,
        account_key=key,
        legal_entity_code="GB01",
        invoice_date=dt.date(2026, 12, 31),
        due_date=dt.date(2027, 1, 30),
        amount=Money.of("1140.00", "GBP"),
        balance=Money.of("1140.00", "GBP"),
        status="Posted",
        read_at=READ_AT,
    )
    return attrs.evolve(invoice, **changes)


def recorded(uow_factory, *invoices: RecordedInvoice) -> None:
    with uow_factory() as uow:
        for invoice in invoices:
            uow.platform_invoices.record(invoice)
        uow.commit()


def test_an_account_handed_over_twice_is_kept_once(uow_factory):
    for _ in range(2):
        with uow_factory() as uow:
            uow.platform_invoices.hand_over(an_account())
            uow.commit()

    with uow_factory() as uow:
        assert uow.platform_invoices.accounts() == [an_account()]
        assert uow.platform_invoices.account_of("eng-1") == an_account()
        assert uow.platform_invoices.account_of("eng-2") is None


def test_an_invoice_read_again_is_updated_in_place_exactly(uow_factory):
    recorded(uow_factory, an_invoice("INV00000001"))
    paid_down = an_invoice(
        "INV00000001", balance=Money.of("0.01", "GBP"), status="Posted", read_at=READ_AT
    )

    recorded(uow_factory, paid_down)

    with uow_factory() as uow:
        assert uow.platform_invoices.page(EVERYTHING, "", 10) == [paid_down]
        assert uow.platform_invoices.get("zuora", "INV00000001") == paid_down
        assert uow.platform_invoices.get("zuora", "INV99999999") is None


def test_invoices_are_listed_in_pages_and_filtered(uow_factory):
    recorded(
        uow_factory,
        an_invoice("INV00000003"),
        an_invoice("INV00000001"),
        an_invoice("INV00000002", key="001-GLOBEX:GB01"),
        an_invoice("INV00000004", legal_entity_code="DE01", key="001-ACME:DE01"),
    )

    with uow_factory() as uow:
        book = uow.platform_invoices
        first = book.page(EVERYTHING, "", 2)
        rest = book.page(EVERYTHING, f"zuora/{first[-1].number}", 10)
        acme = book.page(PlatformInvoiceFilter(account_keys=("001-ACME:GB01",)), "", 10)
        german = book.page(PlatformInvoiceFilter(legal_entity_code="DE01"), "", 10)
        hidden = book.page(PlatformInvoiceFilter(visible=frozenset({"US01"})), "", 10)

    assert [i.number for i in first + rest] == [f"INV0000000{n}" for n in (1, 2, 3, 4)]
    assert [i.number for i in acme] == ["INV00000001", "INV00000003"]
    assert [i.number for i in german] == ["INV00000004"]
    assert hidden == []


@pytest.mark.parametrize("amount", ["0.001", "123456789012345.678"])
def test_amounts_keep_every_digit_of_their_currency(uow_factory, amount):
    exact = an_invoice(
        "INV00000009", amount=Money.of(amount, "KWD"), balance=Money.of(amount, "KWD")
    )

    recorded(uow_factory, exact)

    with uow_factory() as uow:
        assert uow.platform_invoices.get("zuora", "INV00000009").amount == Money.of(amount, "KWD")
