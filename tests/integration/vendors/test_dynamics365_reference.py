"""Dynamics 365's master data on the wire: read-only entity sets, a $filter on a property an
entity does not have refused, the customer master followed through the server's next links,
o2c's key read back from the customers' extension field, the tax value in effect, and a
throttled read retried after its Retry-After."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from contracts.ledgers import ENTITY, ReferenceSeed, a_ledger_customer
from support.dynamics365 import EVER, ledger_for, master_data
from unit.fakes import FakeClock

from adapters.vendors.dynamics365.ledger import Dynamics365Ledger
from adapters.vendors.dynamics365.payloads import customer_account
from application.erp_ports import LedgerCustomer
from application.errors import VendorRejected
from application.reference_ports import ErpCustomerRecord, ErpLegalEntityRecord
from application.retry import RetryPolicy, call_with_retry
from simulators.dynamics365 import Dynamics365Simulator

US = ErpLegalEntityRecord(ENTITY, "Example Consulting Inc.", "US", "USD")
SALESFORCE_ACCOUNT = "001xx000003DGb2AAG"  # a CRM account id no CustomerAccount can hold as is


@pytest.fixture
def simulator() -> Iterator[Dynamics365Simulator]:
    simulator = Dynamics365Simulator(page_size=100).start()
    master_data(simulator)(ReferenceSeed(US))
    yield simulator
    simulator.stop()


@pytest.fixture
def ledger(simulator: Dynamics365Simulator) -> Iterator[Dynamics365Ledger]:
    ledger = ledger_for(simulator)
    yield ledger
    ledger.close()


def customers(count: int) -> tuple[ErpCustomerRecord, ...]:
    return tuple(
        ErpCustomerRecord(ENTITY, "", "", f"Customer {n:04d}", "", "US", "USD")
        for n in range(count)
    )


def test_a_filter_on_a_property_the_entity_does_not_have_is_refused(ledger):
    shared = {"$filter": "dataAreaId eq 'USMF'"}  # legal entities belong to no company

    with pytest.raises(VendorRejected, match="Could not find a property named 'dataAreaId'"):
        ledger.client.rows("LegalEntities", shared)


def test_master_data_is_the_erps_own_and_cannot_be_written_over_odata(ledger):
    code = {"dataAreaId": "USMF", "TaxCode": "US-NY", "TaxName": "New York sales tax"}

    with pytest.raises(VendorRejected, match="read-only"):
        ledger.client.send("POST", "TaxCodes", code)


def test_the_customer_master_is_followed_through_every_next_link(simulator, ledger):
    master_data(simulator)(ReferenceSeed(US, customers=customers(230)))
    before = simulator.requests_seen

    read = ledger.customers(ENTITY)

    assert len(read) == 230
    assert simulator.requests_seen - before == 3  # pages of 100, 100 and 30


def test_o2cs_key_is_read_back_even_when_the_customer_account_is_a_digest_of_it(ledger):
    ledger.upsert_customer(LedgerCustomer(SALESFORCE_ACCOUNT, "Acme Corp", ENTITY, "USD", ""))

    [read] = ledger.customers(ENTITY)

    assert read.erp_id == customer_account(SALESFORCE_ACCOUNT) != SALESFORCE_ACCOUNT
    assert read.external_id == SALESFORCE_ACCOUNT


def test_a_tax_code_is_read_at_the_value_in_effect_today(simulator, ledger):
    code = {"dataAreaId": "USMF", "TaxCode": "US-CA"}
    simulator.keep("TaxCodes", {**code, "TaxName": "California sales tax"})
    ended = {**code, "FromDate": EVER, "ToDate": "2020-12-31T00:00:00Z", "Value": Decimal(6)}
    since = {**code, "FromDate": "2021-01-01T00:00:00Z", "Value": Decimal("7.25")}
    later = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)
    coming = {**code, "FromDate": f"{later.isoformat()}T00:00:00Z", "Value": Decimal(8)}
    for value in (ended, since, coming):
        simulator.keep("TaxCodeValues", value)

    [tax] = ledger.tax_codes(ENTITY)

    assert (tax.code, tax.percent, tax.country) == ("US-CA", Decimal("7.25"), "US")


def test_a_throttled_read_is_retried_after_its_retry_after(simulator, ledger):
    ledger.upsert_customer(a_ledger_customer())
    simulator.throttle(1, retry_after=2)
    clock = FakeClock()

    attempted = call_with_retry(lambda: ledger.customers(ENTITY), RetryPolicy(), clock)

    assert attempted.attempts == 2
    assert clock.slept == [2.0]
    assert [c.external_id for c in attempted.value] == ["001-ACME"]
