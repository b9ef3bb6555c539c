"""Intercompany in the legacy ERP: the receivable through AutoInvoice under the intercompany
transaction type, numbered by the ERP; the payable through the Payables open interface to a
supplier the ERP keeps, refused with the import's reject codes; their credits as an
intercompany credit memo in Receivables and a CREDIT invoice in Payables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import attrs
import pytest
from contracts.ledgers import (
    ENTITY,
    OTHER_ENTITY,
    a_ledger_customer,
    a_ledger_vendor,
    an_intercompany_credit,
    an_intercompany_payable,
    an_intercompany_receivable,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from support.databases import BACKENDS
from support.legacy_erp import LegacyWorld, legacy_erp

from adapters.vendors.legacy_erp.interface import key_of
from adapters.vendors.legacy_erp.payables_interface import invoice_id_of
from application.erp_ports import DocumentKind, LedgerLine
from application.errors import VendorRejected, VendorUnavailable
from domain.money import Money
from simulators.legacy_erp import (
    ImportRules,
    customer_trx,
    interface_errors,
    interface_lines,
    interface_rejections,
    invoice_lines,
    invoice_lines_interface,
    invoices,
    invoices_interface,
    supplier_sites,
    suppliers,
)

NUMBER = "US01-2026-000001/IC-GB01"
CREDIT = "US01-CN-2027-000001/IC-GB01"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def legacy(backend: str, tmp_path) -> Iterator[LegacyWorld]:
    with legacy_erp(backend, tmp_path) as world:
        with_both_parties(world)
        yield world


def with_both_parties(world: LegacyWorld) -> None:
    world.ledger.upsert_customer(a_ledger_customer("IC-US01", entity=OTHER_ENTITY))
    world.ledger.upsert_vendor(a_ledger_vendor())


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def a_taxed_payable(number: str = NUMBER, key: str = ""):
    lines = (
        LedgerLine(1, "Time: 8 h consultant", usd("800.00"), usd("160.00"), Decimal(20)),
        LedgerLine(2, "Expenses: travel", usd("50.00"), usd("0.00"), Decimal(0)),
    )
    payable = an_intercompany_payable(number)
    return attrs.evolve(
        payable, posting_key=key or payable.posting_key, lines=lines, total=usd("1010.00")
    )


def test_an_intercompany_receivable_is_of_the_intercompany_type_and_numbered_by_the_erp(legacy):
    posted = legacy.ledger.post(an_intercompany_receivable())

    rows = legacy.erp.rows(interface_lines)
    assert {
        (r["batch_source_name"], r["cust_trx_type_name"], r["trx_number"], r["org_id"])
        for r in rows
    } == {("O2C INTERCOMPANY", "INTERCOMPANY", None, OTHER_ENTITY)}
    assert {(r["interface_line_context"], r["interface_line_attribute1"]) for r in rows} == {
        ("O2C", NUMBER)
    }
    [trx] = legacy.erp.rows(customer_trx)
    assert (trx["trx_number"], trx["cust_trx_type"]) == (posted.document_id, "INTERCOMPANY")
    assert trx["interface_header_attribute1"] == NUMBER


def test_an_intercompany_receivable_is_reported_under_o2c_number_as_intercompany(legacy):
    legacy.ledger.post(an_intercompany_receivable())

    [item] = legacy.ledger.open_items(OTHER_ENTITY)
    assert (item.number, item.amount, item.kind) == (
        NUMBER,
        usd("850.00"),
        DocumentKind.INTERCOMPANY_RECEIVABLE,
    )


def test_a_supplier_is_one_supplier_by_its_number_with_a_site_in_each_org(legacy):
    renamed = attrs.evolve(a_ledger_vendor(entity=OTHER_ENTITY), name="Example Consulting UK")
    legacy.ledger.upsert_vendor(renamed)

    [supplier] = legacy.erp.rows(suppliers)
    assert (supplier["segment1"], supplier["vendor_name"]) == ("IC-GB01", "Example Consulting UK")
    assert supplier["vendor_type_lookup_code"] == "INTERCOMPANY"
    sites = legacy.erp.rows(supplier_sites)
    assert sorted((s["vendor_site_code"], s["org_id"]) for s in sites) == [
        ("INTERCOMPANY", OTHER_ENTITY),
        ("INTERCOMPANY", ENTITY),
    ]


def test_an_intercompany_payable_is_a_payables_interface_invoice_with_item_and_tax_lines(legacy):
    payable = a_taxed_payable()
    posted = legacy.ledger.post(payable)

    [header] = legacy.erp.rows(invoices_interface)
    assert header["invoice_id"] == invoice_id_of(payable.posting_key)
    assert (header["invoice_num"], header["invoice_type_lookup_code"], header["source"]) == (
        NUMBER,
        "STANDARD",
        "O2C",
    )
    assert (header["vendor_num"], header["vendor_site_code"], header["org_id"]) == (
        "IC-GB01",
        "INTERCOMPANY",
        ENTITY,
    )
    assert (header["invoice_amount"], header["status"]) == (Decimal("1010.00"), "PROCESSED")
    assert (header["attribute_category"], header["attribute2"]) == (
        "O2C",
        key_of(payable.posting_key),
    )
    lines = legacy.erp.rows(invoice_lines_interface)
    assert [(r["line_number"], r["line_type_lookup_code"], r["amount"]) for r in lines] == [
        (1, "ITEM", Decimal("800.00")),
        (2, "TAX", Decimal("160.00")),
        (3, "ITEM", Decimal("50.00")),
    ]
    [invoice] = legacy.erp.rows(invoices)
    assert posted.document_id == f"AP-{invoice['invoice_id']}"
    assert len(legacy.erp.rows(invoice_lines)) == 3


def test_a_repeat_of_a_payable_inserts_no_interface_row(legacy):
    first = legacy.ledger.post(a_taxed_payable())
    assert legacy.ledger.post(a_taxed_payable()) == first
    assert len(legacy.erp.rows(invoices_interface)) == 1
    assert len(legacy.erp.rows(invoice_lines_interface)) == 3
    assert len(legacy.erp.rows(invoices)) == 1


def test_a_payable_whose_answer_was_lost_after_its_rows_committed_is_found_not_repeated(legacy):
    legacy.erp.sessions.refuse_sessions(1, after=1)  # the session after the insert fails
    with pytest.raises(VendorUnavailable):
        legacy.ledger.post(an_intercompany_payable())

    again = legacy.ledger.post(an_intercompany_payable())

    assert legacy.ledger.find(again.posting_key) == again
    assert len(legacy.erp.rows(invoices_interface)) == 1
    assert len(legacy.erp.rows(invoices)) == 1


def test_the_interfaces_primary_key_refuses_a_second_copy_of_a_bill(legacy):
    legacy.ledger.post(an_intercompany_payable())
    [header] = legacy.erp.rows(invoices_interface)
    copy = header | {"status": None, "request_id": None}
    with pytest.raises(IntegrityError), legacy.erp.engine.begin() as connection:
        connection.execute(invoices_interface.insert().values(copy))


def rejection_of(world: LegacyWorld, document) -> str:
    with pytest.raises(VendorRejected) as refused:
        world.ledger.post(document)
    assert world.ledger.find(document.posting_key) is None
    header = next(
        h
        for h in world.erp.rows(invoices_interface)
        if h["invoice_id"] == invoice_id_of(document.posting_key)
    )
    assert header["status"] == "REJECTED"
    return refused.value.message


def test_a_bill_from_a_supplier_the_erp_does_not_know_is_rejected_with_its_reject_code(legacy):
    stranger = attrs.evolve(an_intercompany_payable(), customer_external_id="IC-XX99")
    assert "INVALID SUPPLIER" in rejection_of(legacy, stranger)
    [rejection] = legacy.erp.rows(interface_rejections)
    assert (rejection["parent_table"], rejection["reject_lookup_code"]) == (
        "AP_INVOICES_INTERFACE",
        "INVALID SUPPLIER",
    )
    assert rejection["parent_id"] == invoice_id_of(stranger.posting_key)
    assert legacy.ledger.payables(ENTITY) == []


def test_a_rejected_bill_stays_rejected_when_sent_again_and_writes_nothing_more(legacy):
    stranger = attrs.evolve(an_intercompany_payable(), customer_external_id="IC-XX99")
    first = rejection_of(legacy, stranger)

    assert rejection_of(legacy, stranger) == first
    assert len(legacy.erp.rows(invoices_interface)) == 1
    assert len(legacy.erp.rows(interface_rejections)) == 1


def test_a_bill_to_an_org_where_the_supplier_has_no_site_is_rejected(legacy):
    elsewhere = attrs.evolve(an_intercompany_payable(), erp_legal_entity="DE-SUB-3")
    assert "INVALID SUPPLIER SITE" in rejection_of(legacy, elsewhere)


def test_one_supplier_invoice_number_under_another_posting_key_is_a_duplicate(legacy):
    legacy.ledger.post(an_intercompany_payable())
    again = attrs.evolve(an_intercompany_payable(), posting_key="another-key")
    assert "DUPLICATE INVOICE NUMBER" in rejection_of(legacy, again)
    assert len(legacy.ledger.payables(ENTITY)) == 1


def test_a_bill_whose_lines_do_not_add_up_to_its_amount_is_rejected(legacy):
    short = attrs.evolve(an_intercompany_payable(), total=usd("900.00"))
    assert "INVOICE AMOUNT INCORRECT" in rejection_of(legacy, short)


def test_a_bill_in_a_closed_period_is_rejected(backend, tmp_path):
    closed_until_2027 = ImportRules(first_open_gl_date=dt.date(2027, 1, 1))
    with legacy_erp(backend, tmp_path, rules=closed_until_2027) as world:
        with_both_parties(world)
        assert "ACCT DATE NOT IN OPEN PD" in rejection_of(world, an_intercompany_payable())


def test_a_number_longer_than_invoice_num_is_refused_before_anything_is_written(legacy):
    too_long = an_intercompany_payable("US01-2026-000001/" + "X" * 40)
    with pytest.raises(VendorRejected, match="50 characters of INVOICE_NUM"):
        legacy.ledger.post(too_long)
    assert legacy.erp.rows(invoices_interface) == []


def test_the_database_refuses_an_invoice_number_longer_than_its_column(legacy):
    with pytest.raises(DBAPIError), legacy.erp.engine.begin() as connection:
        connection.execute(invoices_interface.insert().values(raw_bill(invoice_num="N" * 51)))


def raw_bill(**changes) -> dict:
    bill = {
        "invoice_id": 1,
        "invoice_num": "BILL-1",
        "invoice_type_lookup_code": "STANDARD",
        "invoice_date": dt.date(2026, 12, 31),
        "vendor_num": "IC-GB01",
        "vendor_site_code": "INTERCOMPANY",
        "invoice_amount": Decimal("100.00"),
        "invoice_currency_code": "USD",
        "source": "MANUAL",
        "org_id": ENTITY,
    }
    return bill | changes


def a_bill_line(**changes) -> dict:
    line = {"invoice_id": 1, "line_number": 1, "line_type_lookup_code": "ITEM"}
    return line | {"amount": Decimal("100.00")} | changes


@pytest.mark.parametrize(
    ("bill", "line", "code"),
    [
        ({"invoice_currency_code": "NOK"}, {}, "INVALID CURRENCY CODE"),
        ({}, {"line_type_lookup_code": "PREPAY"}, "INVALID LINE TYPE LOOKUP"),
        ({"vendor_num": None}, {}, "INVALID SUPPLIER"),
    ],
)
def test_the_payables_import_rejects_malformed_bills_with_its_reject_codes(
    backend, tmp_path, bill, line, code
):
    with legacy_erp(backend, tmp_path, running=False) as world:
        with_both_parties(world)
        with world.erp.engine.begin() as connection:
            connection.execute(invoices_interface.insert().values(raw_bill(**bill)))
            connection.execute(invoice_lines_interface.insert().values(a_bill_line(**line)))

        run = world.erp.run_payables_import()

        assert run.rejected == ("BILL-1",) and run.imported == ()
        assert [r["reject_lookup_code"] for r in world.erp.rows(interface_rejections)] == [code]
        assert world.erp.rows(invoices) == []


def test_bills_of_other_sources_are_not_reported_as_intercompany_payables(backend, tmp_path):
    with legacy_erp(backend, tmp_path, running=False) as world:
        with_both_parties(world)
        with world.erp.engine.begin() as connection:
            connection.execute(invoices_interface.insert().values(raw_bill()))
            connection.execute(invoice_lines_interface.insert().values(a_bill_line()))

        assert world.erp.run_payables_import().imported == ("BILL-1",)
        assert world.ledger.payables(ENTITY) == []


def test_autoinvoice_numbers_only_for_a_source_with_automatic_numbering(backend, tmp_path):
    with legacy_erp(backend, tmp_path, running=False) as world:
        with_both_parties(world)
        with world.erp.engine.begin() as connection:
            for source, key in (("O2C INTERCOMPANY", "numbered"), ("O2C", "unnumbered")):
                connection.execute(interface_lines.insert().values(an_unnumbered_row(source, key)))

        run = world.erp.run_import()

        [numbered] = world.erp.rows(customer_trx)
        assert run.imported == (numbered["trx_number"],) and run.refused == ("IC-unnumbered",)
        [error] = world.erp.rows(interface_errors)
        assert error["message_text"].startswith("You must supply a transaction number")


def an_unnumbered_row(batch_source: str, key: str) -> dict:
    return {
        "interface_line_context": "FEEDER",
        "interface_line_attribute1": f"IC-{key}",
        "interface_line_attribute2": key,
        "batch_source_name": batch_source,
        "line_type": "LINE",
        "description": "hand-written row",
        "currency_code": "USD",
        "amount": Decimal("100.00"),
        "quantity": Decimal(1),
        "unit_selling_price": Decimal("100.00"),
        "cust_trx_type_name": "INTERCOMPANY",
        "trx_number": None,
        "trx_date": dt.date(2026, 12, 31),
        "gl_date": dt.date(2026, 12, 31),
        "orig_system_bill_customer_ref": "IC-US01",
        "org_id": OTHER_ENTITY,
    }


def with_both_charges(world: LegacyWorld) -> None:
    world.ledger.post(an_intercompany_receivable())
    world.ledger.post(an_intercompany_payable())


def test_a_receivable_credit_is_an_intercompany_credit_memo_against_the_charge(legacy):
    with_both_charges(legacy)
    posted = legacy.ledger.post(an_intercompany_credit(payable=False))

    rows = [r for r in legacy.erp.rows(interface_lines) if r["interface_line_attribute1"] == CREDIT]
    assert {
        (r["batch_source_name"], r["cust_trx_type_name"], r["trx_number"], r["org_id"])
        for r in rows
    } == {("O2C INTERCOMPANY", "INTERCOMPANY CM", None, OTHER_ENTITY)}
    assert {(r["reference_line_context"], r["reference_line_attribute1"]) for r in rows} == {
        ("O2C", NUMBER)
    }
    assert sorted(r["amount"] for r in rows) == [Decimal("-170.00"), Decimal("0.00")]
    charge, credit = sorted(legacy.erp.rows(customer_trx), key=lambda t: t["customer_trx_id"])
    assert (credit["trx_number"], credit["cust_trx_type"]) == (
        posted.document_id,
        "INTERCOMPANY CM",
    )
    assert credit["previous_customer_trx_id"] == charge["customer_trx_id"]
    assert credit["amount"] == Decimal("-170.00")


def test_a_payable_credit_is_a_payables_credit_memo_naming_the_bill_it_credits(legacy):
    with_both_charges(legacy)
    credit = an_intercompany_credit(payable=True)
    posted = legacy.ledger.post(credit)

    header = next(h for h in legacy.erp.rows(invoices_interface) if h["invoice_num"] == CREDIT)
    assert header["invoice_id"] == invoice_id_of(credit.posting_key)
    assert (header["invoice_type_lookup_code"], header["invoice_amount"], header["status"]) == (
        "CREDIT",
        Decimal("-170.00"),
        "PROCESSED",
    )
    assert (header["vendor_num"], header["org_id"], header["source"]) == ("IC-GB01", ENTITY, "O2C")
    assert (header["attribute_category"], header["attribute2"], header["attribute3"]) == (
        "O2C",
        key_of(credit.posting_key),
        NUMBER,
    )
    lines = [
        r
        for r in legacy.erp.rows(invoice_lines_interface)
        if r["invoice_id"] == header["invoice_id"]
    ]
    assert [(r["line_type_lookup_code"], r["amount"]) for r in lines] == [
        ("ITEM", Decimal("-170.00"))
    ]
    invoice = next(i for i in legacy.erp.rows(invoices) if i["invoice_num"] == CREDIT)
    assert posted.document_id == f"AP-{invoice['invoice_id']}"
    assert invoice["invoice_type_lookup_code"] == "CREDIT"


def test_a_repeat_of_each_credit_writes_nothing_more(legacy):
    with_both_charges(legacy)
    receivable = legacy.ledger.post(an_intercompany_credit(payable=False))
    payable = legacy.ledger.post(an_intercompany_credit(payable=True))

    assert legacy.ledger.post(an_intercompany_credit(payable=False)) == receivable
    assert legacy.ledger.post(an_intercompany_credit(payable=True)) == payable
    assert len(legacy.erp.rows(customer_trx)) == 2
    assert len(legacy.erp.rows(interface_lines)) == 4
    assert len(legacy.erp.rows(invoices_interface)) == 2
    assert len(legacy.erp.rows(invoices)) == 2


def test_a_payable_credit_whose_answer_was_lost_is_found_not_repeated(legacy):
    with_both_charges(legacy)
    legacy.erp.sessions.refuse_sessions(1, after=1)  # the session after the insert fails
    with pytest.raises(VendorUnavailable):
        legacy.ledger.post(an_intercompany_credit(payable=True))

    again = legacy.ledger.post(an_intercompany_credit(payable=True))

    assert legacy.ledger.find(again.posting_key) == again
    assert [i.number for i in legacy.ledger.payables(ENTITY)] == [NUMBER, CREDIT]


def test_autoinvoice_refuses_a_credit_memo_for_a_charge_the_org_does_not_hold(legacy):
    credit = an_intercompany_credit(payable=False)
    with pytest.raises(VendorRejected, match="Invalid credit memo reference") as refused:
        legacy.ledger.post(credit)

    assert NUMBER in refused.value.message
    assert legacy.ledger.find(credit.posting_key) is None
    assert {r["interface_status"] for r in legacy.erp.rows(interface_lines)} == {"E"}
    assert legacy.erp.rows(customer_trx) == []
    with pytest.raises(VendorRejected, match="Invalid credit memo reference"):
        legacy.ledger.post(credit)
    assert len(legacy.erp.rows(interface_lines)) == 2


def test_a_payable_credit_for_a_bill_payables_does_not_hold_is_refused_before_writing(legacy):
    legacy.ledger.post(an_intercompany_receivable())
    credit = an_intercompany_credit(payable=True)
    with pytest.raises(VendorRejected, match="which Payables does not hold from IC-GB01"):
        legacy.ledger.post(credit)

    assert legacy.ledger.find(credit.posting_key) is None
    assert legacy.erp.rows(invoices_interface) == []
    assert legacy.ledger.payables(ENTITY) == []


@pytest.mark.parametrize(
    ("invoice_type", "amount"),
    [("CREDIT", Decimal("100.00")), ("STANDARD", Decimal("-100.00"))],
)
def test_the_payables_import_rejects_an_amount_of_the_wrong_sign_for_its_type(
    backend, tmp_path, invoice_type, amount
):
    with legacy_erp(backend, tmp_path, running=False) as world:
        with_both_parties(world)
        bill = raw_bill(invoice_type_lookup_code=invoice_type, invoice_amount=amount)
        with world.erp.engine.begin() as connection:
            connection.execute(invoices_interface.insert().values(bill))
            connection.execute(invoice_lines_interface.insert().values(a_bill_line(amount=amount)))

        assert world.erp.run_payables_import().rejected == ("BILL-1",)
        codes = [r["reject_lookup_code"] for r in world.erp.rows(interface_rejections)]
        assert codes == ["INVALID INVOICE AMOUNT"]
