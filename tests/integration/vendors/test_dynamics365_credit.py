"""A customer's credit in Dynamics 365 on the wire: CustomersV3's CreditLimit, where 0 is no limit
unless CreditLimitIsMandatory is Yes, its OnHoldStatus (CustVendorBlocked), and what is open of
its transactions, read per company and account across the server's pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from contracts.ledgers import ENTITY, a_document, a_ledger_customer
from support.dynamics365 import ledger_for

from adapters.vendors.dynamics365.ledger import Dynamics365Ledger
from adapters.vendors.dynamics365.payloads import keyed
from application.errors import VendorRejected, VendorUnavailable
from domain.money import Money
from simulators.dynamics365 import Dynamics365Simulator

ACME = "CustomersV3(dataAreaId='USMF',CustomerAccount='001-ACME')"


@pytest.fixture
def simulator() -> Iterator[Dynamics365Simulator]:
    simulator = Dynamics365Simulator(page_size=2).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def ledger(simulator: Dynamics365Simulator) -> Iterator[Dynamics365Ledger]:
    ledger = ledger_for(simulator)
    ledger.upsert_customer(a_ledger_customer())
    yield ledger
    ledger.close()


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def set_credit(simulator, limit: str, *, mandatory: bool = False, on_hold: str = "No") -> None:
    simulator.set_credit(
        company="USMF",
        customer_account="001-ACME",
        credit_limit=Decimal(limit),
        mandatory=mandatory,
        on_hold=on_hold,
    )


def test_a_new_customer_has_a_limit_of_zero_not_mandatory_and_no_hold(simulator, ledger):
    customer = ledger.client.entity(ACME)

    assert customer["CreditLimit"] == 0
    assert (customer["CreditLimitIsMandatory"], customer["OnHoldStatus"]) == ("No", "No")
    assert ledger.customer_credit(ENTITY, "001-ACME").credit_limit is None


@pytest.mark.parametrize(
    ("limit", "mandatory", "read"),
    [("0", True, usd("0.00")), ("7500", False, usd("7500.00")), ("7500", True, usd("7500.00"))],
    ids=["mandatory-zero", "limit", "mandatory-limit"],
)
def test_a_limit_is_read_unless_it_is_a_zero_that_is_not_mandatory(
    simulator, ledger, limit, mandatory, read
):
    set_credit(simulator, limit, mandatory=mandatory)

    assert ledger.customer_credit(ENTITY, "001-ACME").credit_limit == read


@pytest.mark.parametrize(
    ("status", "held"),
    [("No", False), ("Invoice", True), ("All", True), ("Payment", False), ("Never", False)],
)
def test_invoicing_and_delivery_on_hold_holds_the_customer(simulator, ledger, status, held):
    set_credit(simulator, "1000", on_hold=status)

    assert ledger.customer_credit(ENTITY, "001-ACME").on_hold is held


def test_an_on_hold_status_d365_does_not_have_is_refused(ledger):
    with pytest.raises(VendorRejected, match="OnHoldStatus"):
        ledger.client.send("PATCH", ACME, {"OnHoldStatus": "Maybe"})


def test_the_open_transactions_are_read_only(ledger):
    row = {"dataAreaId": "USMF", "CustomerAccount": "001-ACME", "InvoiceIdentifier": "X"}
    with pytest.raises(VendorRejected, match="405"):
        ledger.client.send("POST", "CustomerOpenTransactions", row)


def test_open_receivables_follow_every_page_of_the_customers_open_transactions(simulator, ledger):
    for number in ("US01-2026-000001", "US01-2026-000002", "US01-2026-000003"):
        ledger.post(a_document(number, net="100.00"))
    simulator.receive_payment(
        company="USMF",
        payment_reference="PAY-1",
        document_number="US01-2026-000002",
        amount=Decimal("100.00"),
        currency="USD",
        received_on=dt.date(2027, 1, 10),
    )

    open_rows = ledger.client.rows("CustomerOpenTransactions", {"$filter": "dataAreaId eq 'USMF'"})
    assert len(open_rows) == 2
    assert ledger.customer_credit(ENTITY, "001-ACME").open_receivables == usd("200.00")


def test_a_customer_of_another_company_is_not_read(simulator, ledger):
    assert ledger.customer_credit("GB-SUB-2", "001-ACME") is None
    assert (
        ledger.client.entity(keyed("CustomersV3", dataAreaId="GBSI", CustomerAccount="X")) is None
    )


def test_a_throttled_read_leaves_the_credit_unread(simulator, ledger):
    simulator.throttle(1)

    with pytest.raises(VendorUnavailable):
        ledger.customer_credit(ENTITY, "001-ACME")
