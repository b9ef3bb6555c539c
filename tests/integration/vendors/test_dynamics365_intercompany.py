"""Intercompany in Dynamics 365: the delivering entity's receivable is a free-text invoice to the
contracting entity's customer account with the intercompany posting profile; the contracting
entity's payable is a pending vendor invoice (`VendorInvoiceHeaders` and `VendorInvoiceLines` in
one changeset) from a supplier kept on `VendorsV2`. Their credits are the same records with
negative amounts, naming the charge they credit. D365 refuses a bill from an unknown supplier, a
second bill under one invoice number and a credit of a charge the company does not hold, and a
retry finds the first posting."""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs
import httpx
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
from support.dynamics365 import bearer, ledger_for
from unit.fakes import FakeClock

from adapters.vendors.dynamics365.batch import Write, changeset_request, outcomes
from adapters.vendors.dynamics365.ledger import Dynamics365Ledger
from adapters.vendors.dynamics365.payloads import invoice_identifier
from application.erp_ports import DocumentKind, LedgerDocument
from application.errors import VendorRejected, VendorUnavailable
from application.retry import RetryPolicy, call_with_retry
from simulators.dynamics365 import Dynamics365Simulator

NUMBER = "US01-2026-000001/IC-GB01"
CREDIT = "US01-CN-2027-000001/IC-GB01"
SIDES = [pytest.param(False, id="receivable-credit"), pytest.param(True, id="payable-credit")]


@pytest.fixture
def simulator() -> Iterator[Dynamics365Simulator]:
    simulator = Dynamics365Simulator().start()
    yield simulator
    simulator.stop()


@pytest.fixture
def ledger(simulator: Dynamics365Simulator) -> Iterator[Dynamics365Ledger]:
    ledger = ledger_for(simulator)
    ledger.upsert_customer(a_ledger_customer("IC-US01", entity=OTHER_ENTITY))
    ledger.upsert_vendor(a_ledger_vendor())
    yield ledger
    ledger.close()


@pytest.fixture
def d365(simulator: Dynamics365Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{simulator.url}/data/", headers=bearer(simulator)) as client:
        yield client


def a_vendor_invoice(reference: str = "O2C-1", **changes: object) -> dict[str, object]:
    header = {
        "dataAreaId": "USMF",
        "HeaderReference": reference,
        "VendorAccount": "IC-GB01",
        "InvoiceNumber": "GB01-000001",
        "InvoiceDate": "2026-12-31T12:00:00Z",
        "Currency": "USD",
    }
    return {**header, **changes}


def a_vendor_invoice_line(reference: str = "O2C-1") -> dict[str, object]:
    return {
        "dataAreaId": "USMF",
        "HeaderReference": reference,
        "InvoiceLineNumber": 1,
        "LineDescription": "Time: 8 h consultant",
        "Currency": "USD",
        "LineAmount": 850.0,
    }


def the_charge(payable: bool) -> LedgerDocument:
    return an_intercompany_payable() if payable else an_intercompany_receivable()


def headers_and_lines(simulator: Dynamics365Simulator, payable: bool) -> tuple[list, list]:
    side = "VendorInvoice" if payable else "FreeTextInvoice"
    return simulator.rows(f"{side}Headers"), simulator.rows(f"{side}Lines")


def numbered(rows: list[dict], number: str) -> dict:
    return next(row for row in rows if row["DocumentNumber"] == number)


def error_of(answer: httpx.Response) -> str:
    error = answer.json()["error"]
    return f"{error['message']} {error['innererror']['message']}"


def test_a_supplier_is_a_vendor_of_the_intercompany_group_in_the_contracting_company(
    simulator, ledger
):
    [vendor] = simulator.rows("VendorsV2")

    assert vendor == {
        "dataAreaId": "USMF",
        "VendorAccountNumber": "IC-GB01",
        "VendorOrganizationName": "Example Consulting Ltd (GB01)",
        "VendorGroupId": "IC",
        "CurrencyCode": "USD",
    }


def test_a_payable_is_a_vendor_invoice_under_a_reference_derived_from_its_posting_key(
    simulator, ledger
):
    posted = ledger.post(an_intercompany_payable())

    [header] = simulator.rows("VendorInvoiceHeaders")
    [line] = simulator.rows("VendorInvoiceLines")
    assert posted.document_id == header["HeaderReference"] == invoice_identifier(f"{NUMBER}/AP")
    assert (header["dataAreaId"], header["VendorAccount"], header["DocumentNumber"]) == (
        "USMF",
        "IC-GB01",
        NUMBER,
    )
    assert (header["PostingProfile"], header["ImportedAmount"]) == ("IC", 850)
    assert (line["InvoiceLineNumber"], line["LineAmount"], line["Currency"]) == (1, 850, "USD")
    assert simulator.rows("FreeTextInvoiceHeaders") == []


def test_a_number_longer_than_d365s_invoice_number_is_held_as_a_digest_and_read_back_whole(
    simulator, ledger
):
    ledger.post(an_intercompany_payable())

    [header] = simulator.rows("VendorInvoiceHeaders")
    assert len(header["InvoiceNumber"]) == 20 and header["InvoiceNumber"] != NUMBER
    assert [item.number for item in ledger.payables(ENTITY)] == [NUMBER]


def test_a_receivable_reads_back_its_kind_from_the_posting_profile_or_the_credited_invoice(
    simulator, ledger
):
    ledger.upsert_customer(a_ledger_customer(entity=OTHER_ENTITY))
    ledger.post(an_intercompany_receivable())
    for document in (
        a_document("GB01-2026-000001", entity=OTHER_ENTITY),
        a_document("GB01-2026-000002", kind=DocumentKind.OPENING_RECEIVABLE, entity=OTHER_ENTITY),
        a_document(
            "GB01-CN-2027-000001",
            kind=DocumentKind.CREDIT_NOTE,
            entity=OTHER_ENTITY,
            original="GB01-2026-000001",
        ),
    ):
        ledger.post(document)

    headers = simulator.rows("FreeTextInvoiceHeaders")
    profiles = {row["DocumentNumber"]: row["PostingProfile"] for row in headers}
    assert profiles[NUMBER] == "IC" and profiles["GB01-2026-000001"] == "GEN"
    assert [(i.number, i.kind) for i in ledger.open_items(OTHER_ENTITY)] == [
        ("GB01-2026-000001", DocumentKind.INVOICE),
        ("GB01-2026-000002", DocumentKind.OPENING_RECEIVABLE),
        ("GB01-CN-2027-000001", DocumentKind.CREDIT_NOTE),
        (NUMBER, DocumentKind.INTERCOMPANY_RECEIVABLE),
    ]


def test_a_bill_from_a_supplier_unknown_in_the_company_is_refused_and_nothing_is_kept(
    simulator, ledger
):
    unknown = attrs.evolve(an_intercompany_payable(), customer_external_id="IC-FR01")

    with pytest.raises(VendorRejected, match="Vendor account IC-FR01 does not exist in company"):
        ledger.post(unknown)

    assert simulator.rows("VendorInvoiceHeaders") == simulator.rows("VendorInvoiceLines") == []


def test_a_second_bill_under_the_same_invoice_number_for_the_vendor_is_refused(simulator, ledger):
    ledger.post(an_intercompany_payable())
    another_key = attrs.evolve(an_intercompany_payable(), posting_key=f"{NUMBER}/AP/again")

    with pytest.raises(VendorRejected, match="is already used for vendor IC-GB01"):
        ledger.post(another_key)

    assert len(simulator.rows("VendorInvoiceHeaders")) == 1


def test_a_payable_retried_after_its_answer_was_lost_is_the_first_posting(simulator, ledger):
    simulator.lose_next_answer()
    policy = RetryPolicy(attempts=3, first_delay=0.01)

    attempted = call_with_retry(lambda: ledger.post(an_intercompany_payable()), policy, FakeClock())

    assert attempted.attempts == 2
    assert attempted.value == ledger.find(f"{NUMBER}/AP")
    assert len(simulator.rows("VendorInvoiceHeaders")) == 1


def test_a_payable_refused_as_a_duplicate_by_a_lagging_read_is_read_back(simulator, ledger):
    first = ledger.post(an_intercompany_payable())
    simulator.miss_next_lookups(1)

    assert ledger.post(an_intercompany_payable()) == first
    assert len(simulator.rows("VendorInvoiceLines")) == 1


def test_a_lost_answer_to_an_intercompany_receivable_is_not_a_second_invoice(simulator, ledger):
    simulator.lose_next_answer()
    with pytest.raises(VendorUnavailable):
        ledger.post(an_intercompany_receivable())

    again = ledger.post(an_intercompany_receivable())

    assert again == ledger.find(NUMBER)
    assert len(simulator.rows("FreeTextInvoiceHeaders")) == 1


def test_vendor_entities_need_a_bearer(simulator):
    answer = httpx.get(f"{simulator.url}/data/VendorsV2?cross-company=true")

    assert answer.status_code == 401


def test_a_vendor_without_its_group_is_refused_with_d365s_error_body(d365):
    vendor = {
        "dataAreaId": "USMF",
        "VendorAccountNumber": "IC-GB01",
        "VendorOrganizationName": "Example Consulting Ltd",
        "CurrencyCode": "USD",
    }

    answer = d365.post("VendorsV2", json=vendor)

    assert answer.status_code == 400
    assert "Field(s) VendorGroupId must be filled in." in error_of(answer)


def test_a_vendor_invoice_without_an_invoice_number_or_with_an_unknown_profile_is_refused(
    ledger, d365
):
    without_number = {k: v for k, v in a_vendor_invoice().items() if k != "InvoiceNumber"}
    unknown_profile = a_vendor_invoice(PostingProfile="NOPE")

    missing = d365.post("VendorInvoiceHeaders", json=without_number)
    unknown = d365.post("VendorInvoiceHeaders", json=unknown_profile)

    assert "Field(s) InvoiceNumber must be filled in." in error_of(missing)
    assert "Posting profile NOPE does not exist in company USMF." in error_of(unknown)
    assert d365.post("VendorInvoiceHeaders", json=a_vendor_invoice()).status_code == 201


def test_a_vendor_invoice_changeset_with_a_line_of_another_invoice_applies_nothing(
    simulator, ledger, d365
):
    writes = [
        Write("POST", "VendorInvoiceHeaders", a_vendor_invoice("O2C-1")),
        Write("POST", "VendorInvoiceLines", a_vendor_invoice_line("O2C-2")),
    ]
    content_type, content = changeset_request(writes)

    answer = d365.post("$batch", content=content, headers={"Content-Type": content_type})

    [refusal] = outcomes(answer.headers["Content-Type"], answer.content)
    assert refusal.status == 400
    assert "Vendor invoice O2C-2 does not exist" in refusal.body["error"]["innererror"]["message"]
    assert simulator.rows("VendorInvoiceHeaders") == []


def test_a_receivable_credit_is_a_negative_free_text_invoice_with_the_intercompany_profile(
    simulator, ledger
):
    ledger.post(an_intercompany_receivable())
    posted = ledger.post(an_intercompany_credit(payable=False))

    headers, lines = headers_and_lines(simulator, payable=False)
    credit = numbered(headers, CREDIT)
    [line] = [line for line in lines if line["InvoiceIdentifier"] == posted.document_id]
    assert posted.document_id == credit["InvoiceIdentifier"] == invoice_identifier(CREDIT)
    assert (credit["dataAreaId"], credit["CustomerAccount"], credit["PostingProfile"]) == (
        "GBSI",
        "IC-US01",
        "IC",
    )
    assert (credit["OriginalInvoiceNumber"], credit["TotalAmount"], line["LineAmount"]) == (
        NUMBER,
        -170,
        -170,
    )


def test_a_payable_credit_is_a_vendor_invoice_with_negative_amounts_naming_the_bill(
    simulator, ledger
):
    ledger.post(an_intercompany_payable())
    posted = ledger.post(an_intercompany_credit(payable=True))

    headers, lines = headers_and_lines(simulator, payable=True)
    bill, credit = numbered(headers, NUMBER), numbered(headers, CREDIT)
    [line] = [line for line in lines if line["HeaderReference"] == posted.document_id]
    assert posted.document_id == credit["HeaderReference"] == invoice_identifier(f"{CREDIT}/AP")
    assert (credit["VendorAccount"], credit["PostingProfile"], credit["OriginalInvoiceNumber"]) == (
        "IC-GB01",
        "IC",
        NUMBER,
    )
    assert (credit["ImportedAmount"], credit["ImportedSalesTax"], line["LineAmount"]) == (
        -170,
        0,
        -170,
    )
    assert credit["InvoiceNumber"] != bill["InvoiceNumber"]


@pytest.mark.parametrize("payable", SIDES)
def test_a_credit_retried_after_its_answer_was_lost_is_the_first_posting(
    simulator, ledger, payable
):
    ledger.post(the_charge(payable))
    credit = an_intercompany_credit(payable)
    simulator.lose_next_answer()
    policy = RetryPolicy(attempts=3, first_delay=0.01)

    attempted = call_with_retry(lambda: ledger.post(credit), policy, FakeClock())

    assert attempted.attempts == 2
    assert attempted.value == ledger.find(credit.posting_key)
    headers, lines = headers_and_lines(simulator, payable)
    assert [row["DocumentNumber"] for row in headers].count(CREDIT) == 1
    assert len(lines) == 2


@pytest.mark.parametrize("payable", SIDES)
def test_a_credit_of_a_charge_its_company_does_not_hold_is_refused_and_nothing_is_kept(
    simulator, ledger, payable
):
    ledger.post(the_charge(not payable))  # the other side's charge, in the other company

    with pytest.raises(
        VendorRejected, match=re.escape(f"Original invoice {NUMBER} does not exist")
    ):
        ledger.post(an_intercompany_credit(payable))

    assert headers_and_lines(simulator, payable) == ([], [])
    assert ledger.find(an_intercompany_credit(payable).posting_key) is None


def test_a_vendor_credit_naming_an_invoice_of_another_vendor_is_refused_with_d365s_error_body(
    ledger, d365
):
    ledger.upsert_vendor(a_ledger_vendor("IC-DE01"))
    ledger.post(an_intercompany_payable())
    credit = a_vendor_invoice(
        VendorAccount="IC-DE01", ImportedAmount=-170.0, OriginalInvoiceNumber=NUMBER
    )

    answer = d365.post("VendorInvoiceHeaders", json=credit)

    assert answer.status_code == 400
    assert (
        f"Original invoice {NUMBER} does not exist for vendor account IC-DE01 in company USMF."
        in error_of(answer)
    )
