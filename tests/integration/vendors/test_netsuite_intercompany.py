"""Intercompany in NetSuite on the wire: the delivering subsidiary as a vendor record upserted by
`eid:`, the receivable an invoice to the contracting subsidiary's customer record and the payable
a vendor bill from the delivering one's vendor record, their credits a credit memo and a vendor
credit created from and applied to them, all ticked in the account's intercompany checkbox,
which SuiteQL reads back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest
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
from support.netsuite import a_netsuite_world
from unit.fakes import FakeClock

from adapters.vendors.netsuite.errors import NetSuiteRejected
from adapters.vendors.netsuite.ledger import RECORDS, SUITEQL
from application.erp_ports import DocumentKind, LedgerDocument
from application.errors import VendorRejected, VendorUnavailable
from application.retry import RetryPolicy, call_with_retry

NUMBER = "US01-2026-000001/IC-GB01"
CREDIT = "US01-CN-2027-000001/IC-GB01"
MARKER = "custbody_o2c_intercompany"


@pytest.fixture
def world():
    built = a_netsuite_world()
    built.ledger.upsert_customer(a_ledger_customer("IC-US01", entity=OTHER_ENTITY))
    built.ledger.upsert_vendor(a_ledger_vendor())
    yield built
    built.close()


def only(records: list[dict]) -> dict:
    assert len(records) == 1, records
    return records[0]


def a_bill(**changes: Any) -> dict[str, Any]:
    """A vendor bill as the record API takes it, from the supplier IC-GB01 of US-SUB-1."""
    body = {
        "externalId": "bill-1",
        "tranId": "RENT-2026-12",
        "entity": {"externalId": f"{ENTITY}.IC-GB01"},
        "subsidiary": {"id": ENTITY},
        "tranDate": "2026-12-31",
        "currency": {"id": "1"},
        "item": {"items": [{"description": "Office rent", "amount": 99.0}]},
    }
    return {name: value for name, value in (body | changes).items() if value is not None}


def send_bill(world, body: dict[str, Any]) -> None:
    world.ledger.client.call("POST", RECORDS + "vendorBill", json=body)


def test_a_supplier_is_a_vendor_record_upserted_by_its_external_id(world):
    again = world.ledger.upsert_vendor(attrs.evolve(a_ledger_vendor(), name="Example UK Ltd"))

    vendor = world.account.books.vendors[f"{ENTITY}.IC-GB01"]
    assert vendor["id"] == again
    assert vendor["companyName"] == "Example UK Ltd"
    assert vendor["subsidiary"] == {"id": ENTITY} and vendor["currency"] == {"id": "1"}
    assert ("PUT", f"{RECORDS}vendor/eid:{ENTITY}.IC-GB01") in world.account.requests


def test_the_payable_is_a_vendor_bill_under_the_suppliers_number_ticked_intercompany(world):
    posted = world.ledger.post(an_intercompany_payable())

    bill = only(world.account.records("vendorBill"))
    assert bill["id"] == posted.document_id
    assert (bill["tranId"], bill["externalId"]) == (NUMBER, f"{NUMBER}/AP")
    assert bill["entity"] == {"id": world.account.books.vendors[f"{ENTITY}.IC-GB01"]["id"]}
    assert bill["subsidiary"] == {"id": ENTITY} and bill[MARKER] is True
    assert world.account.records("invoice") == []


def test_the_receivable_is_an_invoice_to_the_intercompany_customer_ticked_intercompany(world):
    world.ledger.upsert_customer(a_ledger_customer())
    world.ledger.post(an_intercompany_receivable())
    world.ledger.post(a_document("US01-2026-000002"))

    ticked = {
        (i["tranId"], i["subsidiary"]["id"], i[MARKER]) for i in world.account.records("invoice")
    }
    assert ticked == {(NUMBER, OTHER_ENTITY, True), ("US01-2026-000002", ENTITY, False)}


def test_the_payables_are_the_ticked_bills_only(world):
    world.ledger.post(an_intercompany_payable())
    send_bill(world, a_bill())  # a supplier's bill keyed in by a clerk: not intercompany

    assert [(i.number, i.kind) for i in world.ledger.payables(ENTITY)] == [
        (NUMBER, DocumentKind.INTERCOMPANY_PAYABLE)
    ]
    assert len(world.account.records("vendorBill")) == 2


def test_a_payable_whose_answer_was_lost_is_found_on_the_retry_and_not_booked_twice(world):
    world.account.lose_next_answers(1)
    attempted = call_with_retry(
        lambda: world.ledger.post(an_intercompany_payable()), RetryPolicy(), FakeClock()
    )

    assert attempted.attempts == 2
    assert only(world.account.records("vendorBill"))["id"] == attempted.value.document_id
    assert world.ledger.post(an_intercompany_payable()) == attempted.value


def test_a_bill_from_a_supplier_never_upserted_is_refused_and_nothing_is_booked(world):
    unknown = attrs.evolve(an_intercompany_payable(), customer_external_id="IC-DE01")

    with pytest.raises(VendorRejected, match="entity"):
        world.ledger.post(unknown)
    assert world.account.records("vendorBill") == []


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"entity": {"externalId": f"{OTHER_ENTITY}.IC-US01"}}, "entity"),
        ({"subsidiary": {"id": OTHER_ENTITY}}, "subsidiary"),
        ({"entity": None}, "entity"),
        ({"item": {"items": []}}, "item"),
        ({MARKER: "T"}, MARKER),
    ],
    ids=["made-out-to-a-customer", "vendor-of-another-subsidiary", "no-vendor", "no-lines",
         "marker-not-a-boolean"],
)  # fmt: skip
def test_a_malformed_bill_is_refused_naming_the_field(world, changes, path):
    with pytest.raises(NetSuiteRejected) as refused:
        send_bill(world, a_bill(**changes))

    assert refused.value.status == 400 and refused.value.paths == {path}
    assert world.account.records("vendorBill") == []


def test_a_second_bill_of_one_supplier_under_its_number_is_refused(world):
    world.ledger.post(an_intercompany_payable())
    under_another_key = attrs.evolve(an_intercompany_payable(), posting_key="ic-resent")

    with pytest.raises(VendorRejected, match="tranId"):
        world.ledger.post(under_another_key)
    assert len(world.account.records("vendorBill")) == 1


def test_a_marker_field_the_account_does_not_define_is_refused_on_post_and_in_suiteql():
    world = a_netsuite_world(intercompany_field="custbody_ic_flag")
    try:
        world.ledger.upsert_vendor(a_ledger_vendor())
        with pytest.raises(VendorRejected, match="custbody_ic_flag"):
            world.ledger.post(an_intercompany_payable())
        with pytest.raises(VendorRejected, match="custbody_ic_flag"):
            world.ledger.payables(ENTITY)
    finally:
        world.close()


def test_suiteql_reads_the_checkbox_as_t_or_f(world):
    world.ledger.post(an_intercompany_receivable())
    query = (
        f"SELECT id, tranid, type, foreigntotal, currency, {MARKER} FROM transaction"
        f" WHERE type IN ('CustInvc', 'CustCred') AND subsidiary = '{OTHER_ENTITY}' ORDER BY tranid"
    )
    reply = world.ledger.client.call(
        "POST", SUITEQL, json={"q": query}, headers={"Prefer": "transient"}
    )

    assert [(row["tranid"], row[MARKER]) for row in reply.body["items"]] == [(NUMBER, "T")]


def test_a_vendor_upsert_over_the_accounts_limit_is_worth_retrying(world):
    world.account.refuse_next(1)
    with pytest.raises(VendorUnavailable):
        world.ledger.upsert_vendor(a_ledger_vendor())


def test_vendors_are_upserted_only_by_external_id(world):
    with pytest.raises(NetSuiteRejected) as refused:
        world.ledger.client.call("POST", RECORDS + "vendor", json={"companyName": "GB01"})
    assert refused.value.status == 405


@pytest.fixture
def charged(world):
    """GB01's charge to US01 posted on both sides, as each credit reverses part of it."""
    receivable = world.ledger.post(an_intercompany_receivable())
    payable = world.ledger.post(an_intercompany_payable())
    return receivable, payable


def applied(record: dict) -> list[tuple[str, Decimal]]:
    return [(line["doc"]["id"], line["amount"]) for line in record["apply"]["items"]]


def test_the_receivable_credit_is_a_credit_memo_applied_to_the_charge_ticked_intercompany(
    world, charged
):
    posted = world.ledger.post(an_intercompany_credit(payable=False))

    memo = only(world.account.records("creditMemo"))
    assert (memo["id"], memo["tranId"], memo["externalId"]) == (posted.document_id, CREDIT, CREDIT)
    assert memo["entity"] == {"id": world.account.books.customers[f"{OTHER_ENTITY}.IC-US01"]["id"]}
    assert memo["createdFrom"] == {"id": charged[0].document_id}
    assert applied(memo) == [(charged[0].document_id, Decimal("170.00"))]
    assert memo["subsidiary"] == {"id": OTHER_ENTITY} and memo[MARKER] is True


def test_the_payable_credit_is_a_vendor_credit_applied_to_the_bill_ticked_intercompany(
    world, charged
):
    posted = world.ledger.post(an_intercompany_credit(payable=True))

    credit = only(world.account.records("vendorCredit"))
    assert credit["id"] == posted.document_id
    assert (credit["tranId"], credit["externalId"]) == (CREDIT, f"{CREDIT}/AP")
    assert credit["entity"] == {"id": world.account.books.vendors[f"{ENTITY}.IC-GB01"]["id"]}
    assert credit["createdFrom"] == {"id": charged[1].document_id}
    assert applied(credit) == [(charged[1].document_id, Decimal("170.00"))]
    assert credit["subsidiary"] == {"id": ENTITY} and credit[MARKER] is True


def a_payable_credit(number: str, net: str) -> LedgerDocument:
    credit = an_intercompany_credit(payable=True, number=number)
    return a_document(
        number,
        key=credit.posting_key,
        kind=credit.kind,
        net=net,
        customer=credit.customer_external_id,
        original=credit.original_number,
    )


def test_a_credit_is_applied_only_as_far_as_its_charge_is_still_open(world, charged):
    world.ledger.post(an_intercompany_credit(payable=True))
    world.ledger.post(a_payable_credit("US01-CN-2027-000002/IC-GB01", net="800.00"))
    world.ledger.post(a_payable_credit("US01-CN-2027-000003/IC-GB01", net="10.00"))

    credits = sorted(world.account.records("vendorCredit"), key=lambda c: c["tranId"])
    assert [applied(c) for c in credits] == [
        [(charged[1].document_id, Decimal("170.00"))],
        [(charged[1].document_id, Decimal("680.00"))],
        [],
    ]


def test_a_payable_credit_whose_answer_was_lost_is_found_on_the_retry_and_booked_once(
    world, charged
):
    world.account.lose_next_answers(1)
    attempted = call_with_retry(
        lambda: world.ledger.post(an_intercompany_credit(payable=True)),
        RetryPolicy(),
        FakeClock(),
    )

    assert attempted.attempts == 2
    assert only(world.account.records("vendorCredit"))["id"] == attempted.value.document_id
    assert world.ledger.post(an_intercompany_credit(payable=True)) == attempted.value
    assert world.ledger.find(f"{CREDIT}/AP") == attempted.value


def test_the_payables_read_the_vendor_credit_back_negative_by_its_type(world, charged):
    world.ledger.post(an_intercompany_credit(payable=True))

    assert [(i.number, i.amount.amount, i.kind) for i in world.ledger.payables(ENTITY)] == [
        (NUMBER, Decimal("850.00"), DocumentKind.INTERCOMPANY_PAYABLE),
        (CREDIT, Decimal("-170.00"), DocumentKind.INTERCOMPANY_PAYABLE_CREDIT),
    ]


@pytest.mark.parametrize("payable", [False, True], ids=["receivable", "payable"])
def test_a_credit_for_a_charge_not_in_netsuite_is_refused_and_nothing_is_booked(world, payable):
    with pytest.raises(VendorRejected, match=f"{NUMBER} is not in NetSuite"):
        world.ledger.post(an_intercompany_credit(payable))

    assert world.account.records("creditMemo") == world.account.records("vendorCredit") == []


def a_vendor_credit(bill_id: str, **changes: Any) -> dict[str, Any]:
    """A vendor credit as the record API takes it, from IC-GB01 against one of its bills."""
    application = {"items": [{"doc": {"id": bill_id}, "apply": True, "amount": 170.0}]}
    body = a_bill(
        externalId="credit-1", tranId=CREDIT, createdFrom={"id": bill_id}, apply=application
    )
    body["item"]["items"][0]["amount"] = 170.0
    return {name: value for name, value in (body | changes).items() if value is not None}


def apply_line(bill_id: str, amount: float) -> dict[str, Any]:
    return {"items": [{"doc": {"id": bill_id}, "apply": True, "amount": amount}]}


@pytest.mark.parametrize(
    ("credit", "path"),
    [
        (lambda bill, other: {"createdFrom": None}, "createdFrom"),
        (lambda bill, other: {"createdFrom": {"id": "999"}}, "createdFrom"),
        (lambda bill, other: {"createdFrom": {"id": other}}, "createdFrom"),
        (lambda bill, other: {"apply": apply_line(other, 170.0)}, "apply.items[0].doc"),
        (lambda bill, other: {"apply": apply_line(bill, 171.0)}, "apply.items[0].amount"),
        (lambda bill, other: {"apply": apply_line(bill, -1.0)}, "apply.items[0].amount"),
        (lambda bill, other: {"apply": [170.0]}, "apply"),
    ],
    ids=["from-nothing", "from-a-bill-not-held", "from-another-vendors-bill",
         "applied-to-another-vendors-bill", "applied-beyond-the-credit", "applied-negative",
         "apply-not-a-sublist"],
)  # fmt: skip
def test_a_malformed_vendor_credit_is_refused_naming_the_field(world, charged, credit, path):
    world.ledger.upsert_vendor(a_ledger_vendor("IC-DE01"))
    send_bill(world, a_bill(entity={"externalId": f"{ENTITY}.IC-DE01"}))
    other = only([b for b in world.account.records("vendorBill") if b["tranId"] != NUMBER])["id"]
    body = a_vendor_credit(charged[1].document_id, **credit(charged[1].document_id, other))

    with pytest.raises(NetSuiteRejected) as refused:
        world.ledger.client.call("POST", RECORDS + "vendorCredit", json=body)

    assert refused.value.status == 400 and refused.value.paths == {path}
    assert world.account.records("vendorCredit") == []


def test_a_credit_applied_beyond_what_is_due_on_the_bill_is_refused(world, charged):
    bill = charged[1].document_id
    world.ledger.client.call("POST", RECORDS + "vendorCredit", json=a_vendor_credit(bill))
    larger = a_vendor_credit(
        bill, externalId="credit-2", tranId="CN-2", apply=apply_line(bill, 700.0)
    )
    larger["item"]["items"][0]["amount"] = 800.0

    with pytest.raises(NetSuiteRejected, match="amount due 680") as refused:
        world.ledger.client.call("POST", RECORDS + "vendorCredit", json=larger)
    assert refused.value.paths == {"apply.items[0].amount"}
