"""What every CRM promises o2c beyond the engagement link: a closed-won deal read back whole,
in o2c's words, and each invoice's payment status written once and replaced by a later one."""

from __future__ import annotations

import datetime as dt

from application.crm_ports import AccountPaymentStatus
from contracts.vendor_worlds import a_deal
from domain.money import Money

NOON = dt.datetime(2027, 1, 5, 12, 0, tzinfo=dt.UTC)


def test_a_closed_won_deal_reads_back_with_its_account_rate_card_and_work_packages(crm_world):
    crm_world.close_deal(a_deal())

    assert crm_world.crm.deal("006-ACME-1") == a_deal()


def test_an_opportunity_the_crm_does_not_have_is_none(crm_world):
    assert crm_world.crm.deal("006-NEVER") is None


def test_a_deal_not_won_says_so_with_its_stage(crm_world):
    crm_world.close_deal(a_deal("006-ACME-2", stage="Negotiation/Review", is_won=False))

    deal = crm_world.crm.deal("006-ACME-2")
    assert deal is not None and (deal.stage, deal.is_won) == ("Negotiation/Review", False)


def status(state: str, paid: str, balance: str) -> AccountPaymentStatus:
    return AccountPaymentStatus(
        account_id="001-ACME",
        invoice_number="US01-2026-000001",
        status=state,
        total=Money.of("1000.00", "USD"),
        paid=Money.of(paid, "USD"),
        balance=Money.of(balance, "USD"),
        as_of=NOON,
    )


def test_a_payment_status_sent_twice_is_one_record_and_a_later_one_replaces_it(crm_world):
    crm = crm_world.crm
    first = crm.record_payment_status(status("partially_paid", "400.00", "600.00"))

    assert crm.record_payment_status(status("partially_paid", "400.00", "600.00")) == first
    assert crm.record_payment_status(status("paid", "1000.00", "0.00")) == first
    shown = crm_world.payment_status("001-ACME", "US01-2026-000001")
    assert shown is not None and (shown.status, shown.balance) == ("paid", Money.of(0, "USD"))


def test_each_invoice_has_a_payment_status_of_its_own(crm_world):
    crm = crm_world.crm
    first = crm.record_payment_status(status("paid", "1000.00", "0.00"))
    other = crm.record_payment_status(
        AccountPaymentStatus(
            "001-ACME",
            "US01-2026-000002",
            "finalised",
            Money.of("50.00", "USD"),
            Money.of(0, "USD"),
            Money.of("50.00", "USD"),
            NOON,
        )
    )

    assert other != first
