"""o2c's NetSuite adapter against the simulated account: each document posted once, also when
an answer is lost or the account throttles; never more calls in flight than allowed; a token
signed for once and renewed when refused."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import attrs
import pytest
from contracts.ledgers import ENTITY, a_document, a_ledger_customer
from support.netsuite import a_netsuite_world, private_key_pem
from unit.fakes import FakeClock

from application.erp_ports import DocumentKind
from application.errors import VendorRejected, VendorUnavailable
from application.retry import RetryPolicy, call_with_retry


@pytest.fixture
def world():
    built = a_netsuite_world()
    built.ledger.upsert_customer(a_ledger_customer())
    yield built
    built.close()


def numbered(count: int) -> list[str]:
    return [f"US01-2026-{n:06d}" for n in range(1, count + 1)]


def test_a_posting_whose_answer_was_lost_is_found_and_not_posted_again(world):
    world.account.lose_next_answers(1)
    with pytest.raises(VendorUnavailable):
        world.ledger.post(a_document())

    posted = world.ledger.post(a_document())

    assert world.ledger.find(posted.posting_key) == posted
    assert [r["id"] for r in world.account.records("invoice")] == [posted.document_id]


def test_a_lost_answer_retried_through_call_with_retry_posts_once(world):
    world.account.lose_next_answers(1)
    attempted = call_with_retry(lambda: world.ledger.post(a_document()), RetryPolicy(), FakeClock())

    assert attempted.attempts == 2
    assert len(world.account.records("invoice")) == 1


def test_a_429_storm_loses_nothing_and_duplicates_nothing(world):
    clock = FakeClock()
    world.account.refuse_next(7, retry_after=2)
    policy = RetryPolicy(attempts=10)

    posted = [
        call_with_retry(lambda n=n: world.ledger.post(a_document(n)), policy, clock).value
        for n in numbered(5)
    ]

    assert len({p.document_id for p in posted}) == 5
    assert sorted(r["tranId"] for r in world.account.records("invoice")) == numbered(5)
    assert clock.slept == [2.0] * 7


def test_a_429_storm_under_concurrent_posting_loses_and_duplicates_nothing():
    world = a_netsuite_world(account_limit=4, latency=0.01, concurrency_limit=4)
    world.ledger.upsert_customer(a_ledger_customer())
    world.account.refuse_next(20, retry_after=1)
    policy = RetryPolicy(attempts=25)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(
                pool.map(
                    lambda n: call_with_retry(
                        lambda: world.ledger.post(a_document(n)), policy, FakeClock()
                    ),
                    numbered(12) * 2,
                )
            )
        tran_ids = sorted(r["tranId"] for r in world.account.records("invoice"))
    finally:
        world.close()

    assert tran_ids == numbered(12)


def test_posting_never_exceeds_the_configured_concurrency_limit():
    world = a_netsuite_world(account_limit=3, latency=0.05, concurrency_limit=3)
    world.ledger.upsert_customer(a_ledger_customer())
    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            list(pool.map(lambda n: world.ledger.post(a_document(n)), numbered(12)))
    finally:
        world.close()

    assert world.account.most_concurrent == 3
    assert world.account.concurrency.refused == 0
    assert len(world.account.records("invoice")) == 12


def test_an_adapter_allowed_more_than_the_account_meets_429_as_unavailable():
    world = a_netsuite_world(account_limit=2, latency=0.1, concurrency_limit=8)
    world.ledger.upsert_customer(a_ledger_customer())
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            outcomes = list(pool.map(lambda n: attempt_post(world, n), numbered(8)))
    finally:
        world.close()

    assert any(isinstance(o, VendorUnavailable) and "429" in str(o) for o in outcomes)


def attempt_post(world, number: str) -> object:
    try:
        return world.ledger.post(a_document(number))
    except VendorUnavailable as error:
        return error


def test_the_adapter_signs_in_once_and_reuses_its_token(world):
    world.ledger.post(a_document())
    world.ledger.open_items(ENTITY)

    assert world.account.auth.issued == 1


def test_a_token_the_account_no_longer_accepts_is_replaced_without_failing_the_call(world):
    world.account.expire_tokens()

    assert world.ledger.post(a_document()).document_id
    assert world.account.auth.issued == 2


def test_a_token_is_renewed_shortly_before_it_expires(world):
    token, auth = world.ledger.client.token, world.account.auth
    now = [1_000_000.0]
    token.ticks = lambda: now[0]
    token.refused(token.current())
    token.current()
    signed_in = auth.issued

    now[0] += 3600 - 61
    token.current()
    assert auth.issued == signed_in
    now[0] += 2
    token.current()
    assert auth.issued == signed_in + 1


def test_an_integration_signing_with_another_key_is_rejected():
    world = a_netsuite_world(private_key_pem=private_key_pem("stranger"))
    try:
        with pytest.raises(VendorRejected, match="no access token"):
            world.ledger.upsert_customer(a_ledger_customer())
    finally:
        world.close()


def test_a_credit_note_is_created_from_its_invoice(world):
    invoice = world.ledger.post(a_document())
    credit = a_document("US01-CN-2027-000001", kind=DocumentKind.CREDIT_NOTE, original=invoice_no())
    world.ledger.post(credit)

    (memo,) = world.account.records("creditMemo")
    assert memo["createdFrom"] == {"id": invoice.document_id}


def invoice_no() -> str:
    return "US01-2026-000001"


def test_a_credit_note_for_an_invoice_not_in_netsuite_is_rejected_and_nothing_is_posted(world):
    credit = a_document("US01-CN-2027-000001", kind=DocumentKind.CREDIT_NOTE, original="NOPE-1")

    with pytest.raises(VendorRejected, match="NOPE-1 is not in NetSuite"):
        world.ledger.post(credit)
    assert world.account.records("creditMemo") == []


def test_netsuites_refusal_reaches_o2c_with_its_code_field_and_detail(world):
    with pytest.raises(VendorRejected) as refused:
        world.ledger.post(a_document(entity="DE-SUB-9"))

    assert "400 USER_ERROR at entity: Invalid Field Value" in str(refused.value)


def test_a_currency_the_account_has_no_id_for_is_rejected_before_anything_is_sent(world):
    sent = len(world.account.requests)
    with pytest.raises(VendorRejected, match="JPY"):
        world.ledger.upsert_customer(attrs.evolve(a_ledger_customer(), currency="JPY"))
    assert len(world.account.requests) == sent


def test_open_items_and_payments_are_read_page_by_page():
    world = a_netsuite_world(page_size=2)
    world.ledger.upsert_customer(a_ledger_customer())
    try:
        for number in numbered(5):
            world.ledger.post(a_document(number))
            world.account.receive_payment(f"PAY-{number}", number, "10.00", dt.date(2027, 1, 5))
        items = world.ledger.open_items(ENTITY)
        paid = world.ledger.payments(ENTITY, dt.date(2027, 1, 1))
    finally:
        world.close()

    assert [i.number for i in items] == numbered(5)
    assert [p.document_number for p in paid] == numbered(5)


def test_a_posting_key_with_any_characters_is_found_by_its_external_id(world):
    posted = world.ledger.post(a_document(key="inv/US01 2026#1?x=1"))

    assert world.ledger.find("inv/US01 2026#1?x=1") == posted
    assert world.ledger.find("inv/US01 2026#1") is None


def test_amounts_reach_netsuite_exactly_and_longer_ones_are_refused_unsent(world):
    world.ledger.post(a_document(net="9876543210.12", tax="1975308642.03"))
    (invoice,) = world.account.records("invoice")
    assert invoice["total"] == Decimal("11851851852.15")

    with pytest.raises(VendorRejected, match="more digits"):
        world.ledger.post(a_document("US01-2026-000002", net="12345678901234.56"))
    assert len(world.account.records("invoice")) == 1
