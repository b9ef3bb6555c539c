"""The legacy ERP's open interface as o2c feeds it: AutoInvoice rows under o2c's interface key,
imported into transactions, and refused with the import's own errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import attrs
import pytest
from contracts.ledgers import ENTITY, a_document, a_ledger_customer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from support.databases import BACKENDS
from support.legacy_erp import LegacyWorld, legacy_erp

from adapters.vendors.legacy_erp.interface import key_of
from application.erp_ports import DocumentKind, LedgerLine
from application.errors import VendorRejected
from domain.money import Money
from simulators.legacy_erp import (
    ImportRules,
    customer_trx,
    interface_errors,
    interface_lines,
)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def legacy(backend: str, tmp_path) -> Iterator[LegacyWorld]:
    with legacy_erp(backend, tmp_path) as world:
        world.ledger.upsert_customer(a_ledger_customer())
        yield world


def a_two_line_invoice(number: str = "GB01-2026-000007"):
    lines = (
        LedgerLine(1, "Time: 8 h consultant", usd("1000.00"), usd("200.00"), Decimal(20)),
        LedgerLine(2, "Expenses: travel", usd("150.00"), usd("0.00"), Decimal(0)),
    )
    return attrs.evolve(a_document(number), lines=lines, total=usd("1350.00"))


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def rows_of(world: LegacyWorld, number: str) -> list[dict]:
    rows = world.erp.rows(interface_lines)
    return [row for row in rows if row["trx_number"] == number]


def test_an_invoice_is_interfaced_as_a_line_and_a_tax_row_per_line_under_o2c_key(legacy):
    document = a_two_line_invoice()
    posted = legacy.ledger.post(document)

    rows = rows_of(legacy, document.number)
    assert [
        (r["interface_line_context"], r["interface_line_attribute1"], r["line_type"], r["amount"])
        for r in rows
    ] == [
        ("O2C", document.number, "LINE", Decimal("1000.00")),
        ("O2C", document.number, "TAX", Decimal("200.00")),
        ("O2C", document.number, "LINE", Decimal("150.00")),
        ("O2C", document.number, "TAX", Decimal("0.00")),
    ]
    assert {r["interface_line_attribute2"] for r in rows} == {key_of(document.posting_key)}
    assert {(r["interface_status"], r["org_id"], r["cust_trx_type_name"]) for r in rows} == {
        ("P", ENTITY, "INV")
    }
    [trx] = legacy.erp.rows(customer_trx)
    assert posted.document_id == str(trx["customer_trx_id"])
    assert (trx["trx_number"], trx["amount"]) == (document.number, Decimal("1350.00"))


def test_a_repeat_of_a_posting_inserts_no_interface_row(legacy):
    first = legacy.ledger.post(a_two_line_invoice())
    assert legacy.ledger.post(a_two_line_invoice()) == first
    assert len(legacy.erp.rows(interface_lines)) == 4
    assert len(legacy.erp.rows(customer_trx)) == 1


def test_the_erps_unique_interface_key_refuses_a_second_copy_of_a_row(legacy):
    legacy.ledger.post(a_document())
    [row] = [r for r in rows_of(legacy, "US01-2026-000001") if r["line_type"] == "LINE"]
    copy = {k: v for k, v in row.items() if k != "interface_line_id"}
    with pytest.raises(IntegrityError), legacy.erp.engine.begin() as connection:
        connection.execute(interface_lines.insert().values(copy))


def test_a_credit_note_is_a_credit_memo_with_negative_amounts_crediting_its_invoice(legacy):
    invoice = legacy.ledger.post(a_document("US01-2026-000001", net="1000.00"))
    credit = a_document(
        "US01-CN-2027-000001", kind=DocumentKind.CREDIT_NOTE, net="100.00", original=invoice_no()
    )
    legacy.ledger.post(credit)

    memo = next(t for t in legacy.erp.rows(customer_trx) if t["cust_trx_type"] == "CM")
    assert memo["amount"] == Decimal("-100.00")
    assert str(memo["previous_customer_trx_id"]) == invoice.document_id
    assert {r["reference_line_attribute1"] for r in rows_of(legacy, credit.number)} == {
        invoice_no()
    }


def invoice_no() -> str:
    return "US01-2026-000001"


def test_an_opening_receivable_is_an_invoice_of_the_opening_balances_source(legacy):
    legacy.ledger.post(a_document(kind=DocumentKind.OPENING_RECEIVABLE))
    [trx] = legacy.erp.rows(customer_trx)
    assert (trx["cust_trx_type"], trx["batch_source_name"]) == ("INV", "O2C OPENING BALANCES")


def refusal_of(world: LegacyWorld, document) -> str:
    with pytest.raises(VendorRejected) as refused:
        world.ledger.post(document)
    assert world.ledger.find(document.posting_key) is None
    assert {r["interface_status"] for r in rows_of(world, document.number)} == {"E"}
    assert world.erp.rows(interface_errors)
    return refused.value.message


def test_a_document_for_an_unknown_customer_is_refused_with_the_imports_message(legacy):
    stranger = attrs.evolve(a_document(), customer_external_id="999-NOBODY")
    message = refusal_of(legacy, stranger)
    assert "Invalid bill-to customer reference" in message and "999-NOBODY" in message


def test_a_currency_the_erp_has_not_enabled_is_refused(legacy):
    line = LedgerLine(1, "Time", Money.of("10.00", "NOK"), Money.of("0", "NOK"), Decimal(0))
    kroner = attrs.evolve(
        a_document(), currency="NOK", lines=(line,), total=Money.of("10.00", "NOK")
    )
    assert "Invalid currency code (CURRENCY_CODE) (NOK)" in refusal_of(legacy, kroner)


def test_a_credit_note_for_an_invoice_the_erp_never_imported_is_refused(legacy):
    orphan = a_document(
        "US01-CN-2027-000009", kind=DocumentKind.CREDIT_NOTE, original="US01-2026-999999"
    )
    assert "the credited transaction does not exist" in refusal_of(legacy, orphan)


def test_a_number_already_imported_under_another_posting_key_is_refused(legacy):
    legacy.ledger.post(a_document(key="first-key"))
    with pytest.raises(VendorRejected, match="Transaction number already exists"):
        legacy.ledger.post(a_document(key="second-key"))
    assert len(legacy.erp.rows(customer_trx)) == 1


def test_a_gl_date_in_a_closed_period_is_refused(backend, tmp_path):
    closed_until_2027 = ImportRules(first_open_gl_date=dt.date(2027, 1, 1))
    with legacy_erp(backend, tmp_path, rules=closed_until_2027) as world:
        world.ledger.upsert_customer(a_ledger_customer())
        assert "GL date is in a closed period" in refusal_of(world, a_document())


def test_a_refused_posting_stays_refused_when_sent_again_and_writes_nothing_more(legacy):
    stranger = attrs.evolve(a_document(), customer_external_id="999-NOBODY")
    first = refusal_of(legacy, stranger)
    rows, errors = len(legacy.erp.rows(interface_lines)), len(legacy.erp.rows(interface_errors))

    assert refusal_of(legacy, stranger) == first
    assert len(legacy.erp.rows(interface_lines)) == rows
    assert len(legacy.erp.rows(interface_errors)) == errors


def raw_row(**changes) -> dict:
    row = {
        "interface_line_context": "FEEDER",
        "interface_line_attribute1": "X-1",
        "interface_line_attribute2": "k",
        "batch_source_name": "FEEDER",
        "line_type": "LINE",
        "description": "hand-written row",
        "currency_code": "USD",
        "amount": Decimal("100.00"),
        "quantity": Decimal(2),
        "unit_selling_price": Decimal("50.00"),
        "cust_trx_type_name": "INV",
        "trx_number": "X-1",
        "trx_date": dt.date(2026, 12, 31),
        "gl_date": dt.date(2026, 12, 31),
        "orig_system_bill_customer_ref": "001-ACME",
        "org_id": ENTITY,
    }
    return row | changes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": Decimal("99.00")}, "Amount must equal quantity times unit selling price"),
        ({"line_type": "FREIGHT"}, "Invalid LINE_TYPE"),
        ({"cust_trx_type_name": "DM"}, "Invalid transaction type"),
        (
            {"amount": Decimal("-100.00"), "unit_selling_price": Decimal("-50.00")},
            "Amount sign does not match the transaction type",
        ),
        ({"gl_date": None}, "GL_DATE is required"),
    ],
)
def test_the_import_job_refuses_malformed_rows_with_its_own_errors(
    backend, tmp_path, changes, message
):
    with legacy_erp(backend, tmp_path, running=False) as world:
        world.ledger.upsert_customer(a_ledger_customer())
        with world.erp.engine.begin() as connection:
            connection.execute(interface_lines.insert().values(raw_row(**changes)))

        run = world.erp.run_import()

        assert run.refused == ("X-1",) and run.imported == ()
        messages = [e["message_text"] for e in world.erp.rows(interface_errors)]
        assert [m for m in messages if m.startswith(message)] == messages
        assert world.erp.rows(customer_trx) == []


def test_the_import_job_takes_in_a_well_formed_row_from_any_feeder(backend, tmp_path):
    with legacy_erp(backend, tmp_path, running=False) as world:
        world.ledger.upsert_customer(a_ledger_customer())
        with world.erp.engine.begin() as connection:
            connection.execute(interface_lines.insert().values(raw_row()))

        assert world.erp.run_import().imported == ("X-1",)
        with world.erp.engine.connect() as connection:
            status = connection.scalar(select(interface_lines.c.interface_status))
        assert status == "P"
