"""A customer's credit in NetSuite on the wire: the customer record read by `eid:` with its
creditLimit (a number, absent when there is none) and its Hold (creditHoldOverride, a select of
AUTO, ON or OFF), and what is still open of its invoices and credit memos read by SuiteQL."""

from __future__ import annotations

import pytest
from contracts.ledgers import (
    ENTITY,
    OTHER_ENTITY,
    a_ledger_customer,
    an_intercompany_credit,
    an_intercompany_receivable,
)
from support.netsuite import a_netsuite_world

from adapters.vendors.netsuite.errors import NetSuiteRejected
from adapters.vendors.netsuite.ledger import RECORDS, SUITEQL
from application.errors import VendorUnavailable
from domain.money import Money

CUSTOMER = f"{ENTITY}.001-ACME"


@pytest.fixture
def world():
    built = a_netsuite_world()
    built.ledger.upsert_customer(a_ledger_customer())
    yield built
    built.close()


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def customer_record(world) -> dict:
    return world.ledger.client.call("GET", f"{RECORDS}customer/eid:{CUSTOMER}").body


def test_the_limit_is_a_number_and_the_hold_a_select_on_the_customer_record(world):
    world.account.set_credit(CUSTOMER, "25000.00", "ON")

    record = customer_record(world)
    assert record["creditLimit"] == 25000
    assert record["creditHoldOverride"] == {"id": "ON", "refName": "On"}
    credit = world.ledger.customer_credit(ENTITY, "001-ACME")
    assert (credit.credit_limit, credit.on_hold) == (usd("25000.00"), True)
    assert ("GET", f"{RECORDS}customer/eid:{CUSTOMER}") in world.account.requests
    assert ("POST", SUITEQL) in world.account.requests


def test_a_new_customer_has_no_limit_and_its_hold_left_to_netsuite(world):
    record = customer_record(world)

    assert record["creditLimit"] is None
    assert record["creditHoldOverride"]["id"] == "AUTO"


@pytest.mark.parametrize(("hold", "held"), [("AUTO", False), ("OFF", False), ("ON", True)])
def test_only_a_hold_set_on_holds_the_customer(world, hold, held):
    world.account.set_credit(CUSTOMER, None, hold)

    assert world.ledger.customer_credit(ENTITY, "001-ACME").on_hold is held


def test_an_upsert_keeps_the_limit_and_hold_the_account_set(world):
    world.account.set_credit(CUSTOMER, "900.00", "ON")
    world.ledger.upsert_customer(a_ledger_customer())

    record = customer_record(world)
    assert (record["creditLimit"], record["creditHoldOverride"]["id"]) == (900, "ON")


def test_a_hold_netsuite_does_not_offer_is_refused_naming_the_field(world):
    body = {
        "companyName": "Acme Corp",
        "subsidiary": {"id": ENTITY},
        "currency": {"id": "1"},
        "creditHoldOverride": {"id": "MAYBE"},
    }
    with pytest.raises(NetSuiteRejected) as refused:
        world.ledger.client.call("PUT", f"{RECORDS}customer/eid:{CUSTOMER}", json=body)

    assert (refused.value.status, refused.value.paths) == (400, {"creditHoldOverride"})


def test_an_intercompany_credit_applied_to_its_charge_leaves_the_rest_open(world):
    world.ledger.upsert_customer(a_ledger_customer("IC-US01", entity=OTHER_ENTITY))
    world.ledger.post(an_intercompany_receivable())
    world.ledger.post(an_intercompany_credit(payable=False))

    credit = world.ledger.customer_credit(OTHER_ENTITY, "IC-US01")
    assert credit.open_receivables == usd("680.00")


def test_a_customer_not_in_the_account_reads_as_none_after_a_404(world):
    assert world.ledger.customer_credit(ENTITY, "001-GLOBEX") is None
    assert ("GET", f"{RECORDS}customer/eid:{ENTITY}.001-GLOBEX") in world.account.requests


def test_an_account_over_its_limit_leaves_the_credit_unread(world):
    world.account.refuse_next(1)

    with pytest.raises(VendorUnavailable):
        world.ledger.customer_credit(ENTITY, "001-ACME")
