"""What every CRM promises of the payment status o2c writes on the account: it never goes back
in time. A status older than the one shown, delivered late (a retry, a resumed saga), leaves the
newer one in place."""

from __future__ import annotations

import datetime as dt

from application.crm_ports import AccountPaymentStatus
from domain.money import Money

NOON = dt.datetime(2027, 1, 5, 12, 0, tzinfo=dt.UTC)


def standing(paid: str, as_of: dt.datetime, invoice_number: str = "US01-2026-000001"):
    balance = Money.of("1000.00", "USD") - Money.of(paid, "USD")
    return AccountPaymentStatus(
        account_id="001-ACME",
        invoice_number=invoice_number,
        status="paid" if balance.amount == 0 else "partially_paid",
        total=Money.of("1000.00", "USD"),
        paid=Money.of(paid, "USD"),
        balance=balance,
        as_of=as_of,
    )


def test_an_older_status_delivered_after_a_newer_one_leaves_the_newer(crm_world):
    crm = crm_world.crm
    newer = crm.record_payment_status(standing("1000.00", NOON + dt.timedelta(minutes=5)))

    assert crm.record_payment_status(standing("400.00", NOON)) == newer

    shown = crm_world.payment_status("001-ACME", "US01-2026-000001")
    assert shown == standing("1000.00", NOON + dt.timedelta(minutes=5))


def test_a_newer_status_still_replaces_an_older_one(crm_world):
    crm = crm_world.crm
    crm.record_payment_status(standing("400.00", NOON))
    crm.record_payment_status(standing("1000.00", NOON + dt.timedelta(seconds=1)))

    shown = crm_world.payment_status("001-ACME", "US01-2026-000001")
    assert shown is not None and shown.status == "paid"


def test_each_invoice_is_judged_by_its_own_status(crm_world):
    crm = crm_world.crm
    crm.record_payment_status(standing("1000.00", NOON + dt.timedelta(hours=1)))
    crm.record_payment_status(standing("400.00", NOON, invoice_number="US01-2026-000002"))

    shown = crm_world.payment_status("001-ACME", "US01-2026-000002")
    assert shown is not None and shown.paid == Money.of("400.00", "USD")


def test_the_status_written_is_read_back_as_the_account_shows_it(crm_world):
    crm = crm_world.crm
    crm.record_payment_status(standing("400.00", NOON))

    assert crm.payment_status("001-ACME", "US01-2026-000001") == standing("400.00", NOON)
    assert crm.payment_status("001-ACME", "US01-2026-000099") is None
