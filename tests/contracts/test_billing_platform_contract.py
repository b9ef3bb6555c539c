"""What every billing platform promises o2c: an account and a subscription made once by o2c's
key however often they are sent, usage held once per unique key, and the account's invoices
read back from a day on, oldest first."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import attrs

from application.billing_platform_ports import (
    PlatformAccount,
    PlatformCharge,
    PlatformSubscription,
    UsageRecord,
)
from domain.money import Money

DAY = dt.date(2026, 12, 1)


def an_account(key: str = "001-ACME:US01", **changes: object) -> PlatformAccount:
    account = PlatformAccount(
        account_key=key,
        name="Acme Corp",
        currency="USD",
        legal_entity_code="US01",
        country="US",
        payment_terms_days=30,
    )
    return attrs.evolve(account, **changes)


def a_subscription(
    key: str = "eng-1:NA", account_key: str = "001-ACME:US01"
) -> PlatformSubscription:
    return PlatformSubscription(
        subscription_key=key,
        account_key=account_key,
        start_date=DAY,
        end_date=dt.date(2027, 11, 30),
        charges=(
            PlatformCharge("NA:retainer", "Monthly retainer", "flat_fee", Money.of("5000", "USD")),
            PlatformCharge(
                "NA:time", "Consulting hours", "per_unit", Money.of("150", "USD"), "hours"
            ),
        ),
    )


def usage(unique_key: str, quantity: str = "7.5", day: int = 2) -> UsageRecord:
    return UsageRecord(
        unique_key=unique_key,
        account_key="001-ACME:US01",
        subscription_key="eng-1:NA",
        charge_key="NA:time",
        unit="hours",
        quantity=Decimal(quantity),
        day=DAY + dt.timedelta(days=day),
    )


def subscribed(platform) -> None:
    platform.upsert_account(an_account())
    platform.subscribe(a_subscription())


def test_an_account_sent_twice_with_one_key_is_one_account(billing_platform):
    platform = billing_platform.platform
    assert platform.upsert_account(an_account()) == platform.upsert_account(an_account())


def test_an_account_sent_again_with_new_details_is_the_same_account(billing_platform):
    platform = billing_platform.platform
    first = platform.upsert_account(an_account())
    renamed = an_account(name="Acme Corporation", payment_terms_days=45)
    assert platform.upsert_account(renamed) == first


def test_accounts_with_different_keys_are_different_accounts(billing_platform):
    platform = billing_platform.platform
    ids = {
        platform.upsert_account(an_account("001-ACME:US01")),
        platform.upsert_account(an_account("001-ACME:GB01", legal_entity_code="GB01")),
    }
    assert len(ids) == 2


def test_a_subscription_sent_twice_with_one_key_is_one_subscription(billing_platform):
    platform = billing_platform.platform
    platform.upsert_account(an_account())
    assert platform.subscribe(a_subscription()) == platform.subscribe(a_subscription())


def test_a_subscription_sent_again_with_other_charges_returns_the_first(billing_platform):
    platform = billing_platform.platform
    platform.upsert_account(an_account())
    first = platform.subscribe(a_subscription())
    fewer = attrs.evolve(a_subscription(), charges=a_subscription().charges[:1])
    assert platform.subscribe(fewer) == first


def test_subscriptions_with_different_keys_are_different_subscriptions(billing_platform):
    platform = billing_platform.platform
    platform.upsert_account(an_account())
    ids = {
        platform.subscribe(a_subscription("eng-1:NA")),
        platform.subscribe(a_subscription("eng-1:EU")),
    }
    assert len(ids) == 2


def test_a_subscription_created_by_many_callers_at_once_is_one_subscription(billing_platform):
    platform = billing_platform.platform
    platform.upsert_account(an_account())
    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = set(pool.map(lambda _: platform.subscribe(a_subscription()), range(4)))
    assert len(ids) == 1


def test_new_usage_is_all_accepted(billing_platform):
    subscribed(billing_platform.platform)

    upload = billing_platform.platform.upload_usage([usage("TC-1"), usage("TC-2", "3")])

    assert (upload.accepted, upload.already_held) == (2, 0) and upload.upload_id


def test_usage_uploaded_again_is_held_already_and_not_counted_twice(billing_platform):
    subscribed(billing_platform.platform)
    billing_platform.platform.upload_usage([usage("TC-1"), usage("TC-2")])

    again = billing_platform.platform.upload_usage([usage("TC-1"), usage("TC-2")])

    assert (again.accepted, again.already_held) == (0, 2)


def test_an_upload_of_new_and_held_usage_accepts_only_the_new(billing_platform):
    subscribed(billing_platform.platform)
    billing_platform.platform.upload_usage([usage("TC-1")])

    mixed = billing_platform.platform.upload_usage([usage("TC-1"), usage("TC-2"), usage("TC-3")])

    assert (mixed.accepted, mixed.already_held) == (2, 1)


def test_a_key_repeated_in_one_upload_is_accepted_once(billing_platform):
    subscribed(billing_platform.platform)

    upload = billing_platform.platform.upload_usage([usage("TC-1"), usage("TC-1")])

    assert (upload.accepted, upload.already_held) == (1, 1)


def test_invoices_read_back_oldest_first_from_the_day_on(billing_platform):
    subscribed(billing_platform.platform)
    for day, amount in ((45, "900"), (-1, "100"), (14, "300"), (0, "200")):
        billing_platform.issue_invoice(
            "001-ACME:US01", DAY + dt.timedelta(days=day), Decimal(amount)
        )

    invoices = billing_platform.platform.invoices("001-ACME:US01", DAY)

    assert [i.amount for i in invoices] == [Money.of(a, "USD") for a in ("200", "300", "900")]
    assert [i.invoice_date for i in invoices] == sorted(i.invoice_date for i in invoices)


def test_an_invoice_reads_back_with_its_number_dates_amounts_and_status(billing_platform):
    subscribed(billing_platform.platform)
    number = billing_platform.issue_invoice(
        "001-ACME:US01",
        DAY,
        Decimal("6125.00"),
        due_date=dt.date(2026, 12, 31),
        balance=Decimal("1125.00"),
        status="Posted",
    )

    (invoice,) = billing_platform.platform.invoices("001-ACME:US01", DAY)

    assert invoice == attrs.evolve(
        invoice,
        number=number,
        account_key="001-ACME:US01",
        invoice_date=DAY,
        due_date=dt.date(2026, 12, 31),
        amount=Money.of("6125.00", "USD"),
        balance=Money.of("1125.00", "USD"),
        status="Posted",
    )


def test_another_accounts_invoices_are_not_read(billing_platform):
    platform = billing_platform.platform
    platform.upsert_account(an_account("001-ACME:US01"))
    platform.upsert_account(an_account("001-GLOBEX:US01", name="Globex"))
    billing_platform.issue_invoice("001-GLOBEX:US01", DAY, Decimal("100"))

    assert platform.invoices("001-ACME:US01", DAY) == []


def test_an_account_the_platform_does_not_hold_has_no_invoices(billing_platform):
    assert billing_platform.platform.invoices("001-NOBODY:US01", DAY) == []
