"""NetSuite's master data on the wire: SuiteQL paged by limit and offset as the account allows,
queries the account does not answer refused rather than guessed, and a read cut short by the
account's limit retried after its Retry-After."""

from __future__ import annotations

from decimal import Decimal

import pytest
from contracts.ledgers import ENTITY, ReferenceSeed, a_ledger_customer
from support.netsuite import a_netsuite_world
from unit.fakes import FakeClock

from adapters.vendors.netsuite import reference
from adapters.vendors.netsuite.errors import NetSuiteRejected
from adapters.vendors.netsuite.ledger import SUITEQL
from application.reference_ports import ErpCustomerRecord, ErpLegalEntityRecord, ErpTaxCode
from application.retry import RetryPolicy, call_with_retry

US = ErpLegalEntityRecord(ENTITY, "Example Consulting Inc.", "US", "USD")


@pytest.fixture
def world():
    world = a_netsuite_world(page_limit=100)
    yield world
    world.close()


def customers(count: int) -> tuple[ErpCustomerRecord, ...]:
    return tuple(
        ErpCustomerRecord(ENTITY, "", "", f"Customer {n:04d}", "", "US", "USD")
        for n in range(count)
    )


def suiteql(world, query: str, **page: int):
    return world.ledger.client.call(
        "POST", SUITEQL, json={"q": query}, headers={"Prefer": "transient"}, params=page
    )


def suiteql_calls(world) -> int:
    return sum(1 for call in world.account.requests if call == ("POST", SUITEQL))


def test_customers_are_read_in_pages_of_the_accounts_limit_to_the_last(world):
    world.seed_reference(ReferenceSeed(US, customers=customers(230)))
    before = suiteql_calls(world)

    read = world.ledger.customers(ENTITY)

    assert len(read) == 230
    assert suiteql_calls(world) - before == 3
    assert [c.erp_id for c in read] == sorted((c.erp_id for c in read), key=int)


@pytest.mark.parametrize(
    ("page", "path"),
    [({"limit": 101, "offset": 0}, "limit"), ({"limit": 100, "offset": 50}, "offset")],
)
def test_a_page_larger_than_the_account_allows_or_off_its_multiples_is_refused(world, page, path):
    with pytest.raises(NetSuiteRejected) as refused:
        suiteql(world, reference.subsidiaries_query(), **page)

    assert refused.value.status == 400
    assert refused.value.paths == {path}


def test_a_query_the_account_does_not_answer_is_refused_not_guessed(world):
    unordered = reference.customers_query(ENTITY).removesuffix(" ORDER BY customer.id")

    with pytest.raises(NetSuiteRejected, match="does not answer the query"):
        suiteql(world, unordered, limit=100, offset=0)


def test_a_customer_o2c_made_is_read_back_under_its_own_key_and_one_typed_by_hand_is_not(world):
    made = world.ledger.upsert_customer(a_ledger_customer())

    read = {c.erp_id: c.external_id for c in world.ledger.customers(ENTITY)}

    assert read == {made: "001-ACME"}
    assert reference.o2c_key("GB-SUB-2.001-ACME", ENTITY) == ""
    assert reference.o2c_key("SFDC-001-ACME", ENTITY) == ""


def test_a_rate_is_read_exactly_from_suiteql_text(world):
    tax = ErpTaxCode(ENTITY, "US-CA-7250", "California sales tax", Decimal("7.25"), "US")
    world.seed_reference(ReferenceSeed(US, tax_codes=(tax,)))

    assert world.ledger.tax_codes(ENTITY) == [tax]


def test_a_read_refused_over_the_accounts_limit_is_retried_after_its_retry_after(world):
    world.seed_reference(ReferenceSeed(US, customers=customers(3)))
    world.ledger.legal_entities()  # signed in: the refusal falls on the read itself
    world.account.refuse_next(1, retry_after=3)
    clock = FakeClock()

    attempted = call_with_retry(lambda: world.ledger.customers(ENTITY), RetryPolicy(), clock)

    assert attempted.attempts == 2
    assert clock.slept == [3.0]
    assert len(attempted.value) == 3
