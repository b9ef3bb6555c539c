"""The Dynamics 365 adapter against its simulator: tokens cached and renewed, one posting per
key however the answer is lost or refused, a 429 storm weathered without loss or duplicates,
never more calls at once than the limit, and D365's errors in the application's words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import attrs
import pytest
from contracts.ledgers import ENTITY, a_document, a_ledger_customer
from support.dynamics365 import ledger_for
from unit.fakes import FakeClock

from adapters.vendors.dynamics365.ledger import Dynamics365Ledger
from adapters.vendors.dynamics365.payloads import customer_account, invoice_identifier
from application.erp_ports import DocumentKind
from application.errors import VendorRejected, VendorUnavailable
from application.retry import RetryPolicy, call_with_retry
from domain.money import Money
from simulators.dynamics365 import Dynamics365Simulator


@pytest.fixture
def simulator() -> Iterator[Dynamics365Simulator]:
    simulator = Dynamics365Simulator(concurrency_limit=3, page_size=2).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def ledger(simulator: Dynamics365Simulator) -> Iterator[Dynamics365Ledger]:
    ledger = ledger_for(simulator)
    ledger.upsert_customer(a_ledger_customer())
    yield ledger
    ledger.close()


def headers_in(simulator: Dynamics365Simulator) -> list[str]:
    return [row["DocumentNumber"] for row in simulator.rows("FreeTextInvoiceHeaders")]


def test_one_token_serves_many_calls_until_the_erp_refuses_it(simulator, ledger):
    ledger.post(a_document("US01-2026-000001"))
    ledger.open_items(ENTITY)
    assert simulator.token_requests == 1

    simulator.expire_tokens()
    ledger.post(a_document("US01-2026-000002"))

    assert simulator.token_requests == 2
    assert headers_in(simulator) == ["US01-2026-000001", "US01-2026-000002"]


def test_a_token_is_fetched_again_once_it_is_about_to_expire():
    simulator = Dynamics365Simulator(token_lifetime=60).start()
    ledger = ledger_for(simulator)
    try:
        ledger.open_items(ENTITY)
        ledger.open_items(ENTITY)
    finally:
        ledger.close()
        simulator.stop()

    assert simulator.token_requests == 2


def test_a_wrong_secret_is_refused_with_entra_ids_description(simulator):
    ledger = ledger_for(simulator, client_secret="not-the-secret")

    with pytest.raises(VendorRejected, match="invalid_client: AADSTS7000215"):
        ledger.upsert_customer(a_ledger_customer())


def test_an_invoice_is_one_header_with_its_lines_under_an_identifier_from_the_posting_key(
    simulator, ledger
):
    posted = ledger.post(a_document(net="1000.00", tax="200.00"))

    [header] = simulator.rows("FreeTextInvoiceHeaders")
    [line] = simulator.rows("FreeTextInvoiceLines")
    assert (
        posted.document_id
        == header["InvoiceIdentifier"]
        == invoice_identifier("inv-US01-2026-000001")
    )
    assert (header["dataAreaId"], header["CustomerAccount"]) == ("USMF", "001-ACME")
    assert (header["InvoiceDate"], header["DueDate"]) == (
        "2026-12-31T12:00:00Z",
        "2027-01-30T12:00:00Z",
    )
    assert (line["LineAmount"], line["SalesTaxAmount"]) == (1000, 200)


def test_a_credit_note_is_a_free_text_invoice_with_negative_lines_naming_the_original(
    simulator, ledger
):
    ledger.post(a_document("US01-2026-000001"))
    ledger.post(
        a_document(
            "US01-CN-2027-000001",
            kind=DocumentKind.CREDIT_NOTE,
            net="100.00",
            original="US01-2026-000001",
        )
    )

    credit = next(row for row in simulator.rows("FreeTextInvoiceHeaders") if row["TotalAmount"] < 0)
    assert credit["OriginalInvoiceNumber"] == "US01-2026-000001"
    assert "DueDate" not in credit


def test_a_customer_whose_external_id_d365_cannot_hold_gets_the_same_derived_account(ledger):
    awkward = a_ledger_customer("acme corp / emea, the long external id")

    first = ledger.upsert_customer(awkward)

    assert first == ledger.upsert_customer(awkward) == customer_account(awkward.external_id)
    assert len(first) <= 20 and first.startswith("O2C-")


def test_a_lost_answer_after_the_erp_committed_is_found_on_the_retry(simulator, ledger):
    simulator.lose_next_answer()
    with pytest.raises(VendorUnavailable):
        ledger.post(a_document())

    again = ledger.post(a_document())

    assert headers_in(simulator) == ["US01-2026-000001"]
    assert again == ledger.find("inv-US01-2026-000001")


def test_a_retried_posting_whose_first_answer_was_lost_returns_the_first_posting(simulator, ledger):
    simulator.lose_next_answer()
    policy = RetryPolicy(attempts=3, first_delay=0.01)

    attempted = call_with_retry(lambda: ledger.post(a_document()), policy, FakeClock())

    assert attempted.attempts == 2
    assert attempted.value == ledger.find("inv-US01-2026-000001")
    assert headers_in(simulator) == ["US01-2026-000001"]


def test_a_duplicate_key_refusal_is_read_back_as_the_first_posting(simulator, ledger):
    first = ledger.post(a_document())
    simulator.miss_next_lookups(1)

    assert ledger.post(a_document()) == first
    assert headers_in(simulator) == ["US01-2026-000001"]


def test_a_429_storm_loses_nothing_and_duplicates_nothing(simulator, ledger):
    documents = [a_document(f"US01-2026-00000{n}") for n in range(1, 6)]
    clock = FakeClock()
    policy = RetryPolicy(attempts=6, first_delay=0.01, max_delay=0.05)

    for document in documents:
        simulator.throttle(3, retry_after=2)
        call_with_retry(lambda d=document: ledger.post(d), policy, clock)

    assert headers_in(simulator) == [d.number for d in documents]
    assert [i.number for i in ledger.open_items(ENTITY)] == [d.number for d in documents]
    assert 2.0 in clock.slept


def test_throttling_is_unavailable_with_the_erps_retry_after(simulator, ledger):
    simulator.throttle(1, retry_after=9)

    with pytest.raises(VendorUnavailable) as refused:
        ledger.open_items(ENTITY)

    assert refused.value.retry_after == 9.0
    assert "throttled" in refused.value.message


def test_posting_never_exceeds_the_concurrency_limit(simulator, ledger):
    simulator.answer_slowly(0.02)
    documents = [a_document(f"US01-2026-0000{n:02}") for n in range(1, 25)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(ledger.post, documents))

    assert simulator.most_concurrent == 3
    assert len(headers_in(simulator)) == 24


def test_an_adapter_allowed_more_than_the_erp_is_throttled(simulator):
    ledger = ledger_for(simulator, concurrency_limit=12)
    ledger.upsert_customer(a_ledger_customer())
    simulator.answer_slowly(0.05)
    documents = [a_document(f"US01-2026-0000{n:02}") for n in range(1, 13)]

    def post(document):
        try:
            return ledger.post(document)
        except VendorUnavailable as error:
            return error

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(post, documents))

    assert any(isinstance(a, VendorUnavailable) and a.retry_after for a in answers)


def test_a_refusal_carries_d365s_inner_message(ledger):
    for_an_unknown_customer = attrs.evolve(a_document(), customer_external_id="001-GLOBEX")

    with pytest.raises(VendorRejected, match="Customer account 001-GLOBEX does not exist"):
        ledger.post(for_an_unknown_customer)


def test_a_legal_entity_without_a_company_is_refused_by_the_erp(ledger):
    with pytest.raises(VendorRejected, match="Company 'FR-SUB-9' does not exist"):
        ledger.upsert_customer(a_ledger_customer(entity="FR-SUB-9"))


def test_an_erp_that_does_not_answer_in_time_is_unavailable(simulator):
    ledger = ledger_for(simulator, timeout_seconds=0.05)
    simulator.answer_slowly(0.5)

    with pytest.raises(VendorUnavailable, match="timed out"):
        ledger.open_items(ENTITY)


def test_an_erp_that_is_not_there_is_unavailable():
    stopped = Dynamics365Simulator().start()
    ledger = ledger_for(stopped)
    stopped.stop()

    with pytest.raises(VendorUnavailable, match="no answer"):
        ledger.open_items(ENTITY)


def test_open_items_follow_the_servers_pages(ledger):
    for n in range(1, 6):
        ledger.post(a_document(f"US01-2026-00000{n}"))

    items = ledger.open_items(ENTITY)

    assert [i.number for i in items] == [f"US01-2026-00000{n}" for n in range(1, 6)]
    assert {i.amount for i in items} == {Money.of("1000.00", "USD")}


def test_a_payment_journal_of_another_name_is_refused_by_the_erp(simulator):
    ledger = ledger_for(simulator, payment_entity_set="CustPaymJournalLines")

    with pytest.raises(VendorRejected, match="404"):
        ledger.payments(ENTITY, dt.date(2027, 1, 1))
