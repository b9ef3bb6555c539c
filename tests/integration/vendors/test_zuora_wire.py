"""o2c's Zuora adapter against the simulated tenant: OAuth client credentials, accounts and
subscriptions kept by Zuora's own numbers, usage as a CSV file with a UNIQUE_KEY column followed
to the end of its import, invoices read in pages, and Zuora's error envelope and rate limit in
o2c's words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import attrs
import pytest
from contracts.test_billing_platform_contract import (
    DAY,
    a_subscription,
    an_account,
    subscribed,
    usage,
)
from support.zuora import CLIENT_ID, CLIENT_SECRET, ZuoraWorld, a_zuora_world, settings_for

from adapters.vendors.zuora.client import ZuoraRejected
from adapters.vendors.zuora.platform import ZuoraBillingPlatform
from application.errors import VendorRejected, VendorUnavailable
from application.retry import RetryPolicy, call_with_retry
from entrypoints.system import SystemClock
from simulators.zuora import ZuoraSimulator


@pytest.fixture
def zuora() -> Iterator[ZuoraWorld]:
    world = a_zuora_world()
    yield world
    world.close()


def test_an_account_is_numbered_by_o2cs_key_and_carries_its_legal_entity(zuora):
    account_id = zuora.platform.upsert_account(an_account())

    account = zuora.tenant.account_of("001-ACME:US01")
    assert account is not None and account["id"] == account_id
    assert (account["currency"], account["paymentTerm"], account["o2c_LegalEntity__c"]) == (
        "USD",
        "Net 30",
        "US01",
    )
    assert account["billToContact"]["country"] == "US"


def test_an_account_sent_again_is_updated_in_place(zuora):
    zuora.platform.upsert_account(an_account())
    zuora.platform.upsert_account(an_account(name="Acme Corporation", payment_terms_days=45))

    account = zuora.tenant.account_of("001-ACME:US01")
    assert account is not None
    assert (account["name"], account["paymentTerm"]) == ("Acme Corporation", "Net 45")
    assert [m for m, p in zuora.tenant.requests if p == "/v1/accounts"] == ["POST"]


def test_one_token_serves_every_call_until_zuora_refuses_it(zuora):
    zuora.platform.upsert_account(an_account())
    zuora.tenant.expire_tokens()
    zuora.platform.upsert_account(an_account())

    assert zuora.tenant.requests.count(("POST", "/oauth/token")) == 2


def test_a_wrong_client_secret_is_refused_for_good():
    world = a_zuora_world(client_secret="not-the-secret")
    try:
        with pytest.raises(VendorRejected, match="no access token"):
            world.platform.upsert_account(an_account())
    finally:
        world.close()


def test_a_subscription_is_numbered_by_o2cs_key_with_its_charges_as_overrides(zuora):
    subscribed(zuora.platform)

    subscription = zuora.tenant.subscription_of("eng-1:NA")
    assert subscription is not None
    charges = [c for plan in subscription["ratePlans"] for c in plan["ratePlanCharges"]]
    assert [
        (c["number"], c["type"], c["price"], c["billingPeriod"], c["uom"]) for c in charges
    ] == [
        ("eng-1:NA:NA:retainer", "Recurring", Decimal("5000.00"), "Month", None),
        ("eng-1:NA:NA:time", "Usage", Decimal("150.00"), None, "Hour"),
    ]
    assert subscription["o2c_SubscriptionKey__c"] == "eng-1:NA"
    assert subscription["termEndDate"] == "2027-11-30"


def test_usage_goes_up_as_a_csv_file_keyed_by_o2cs_event_ids(zuora):
    subscribed(zuora.platform)

    upload = zuora.platform.upload_usage([usage("TC-1", "7.5"), usage("TC-2", "2")])

    held = zuora.tenant.usage_held("001-ACME:US01")
    assert sorted((u["uniqueKey"], u["quantity"], u["unitOfMeasure"]) for u in held) == [
        ("TC-1", Decimal("7.5"), "Hour"),
        ("TC-2", Decimal("2"), "Hour"),
    ]
    assert {u["startDateTime"] for u in held} == {"2026-12-03"}
    assert {u["chargeNumber"] for u in held} == {"eng-1:NA:NA:time"}
    assert upload.upload_id and ("GET", f"/v1/usage/{upload.upload_id}/status") in (
        zuora.tenant.requests
    )


def test_a_usage_row_zuora_cannot_take_fails_the_whole_file(zuora):
    subscribed(zuora.platform)
    stranger = attrs.evolve(usage("TC-2"), subscription_key="eng-9:XX")

    with pytest.raises(VendorRejected, match="Failed: Line 3: no subscription eng-9:XX"):
        zuora.platform.upload_usage([usage("TC-1"), stranger])

    assert zuora.tenant.usage_held("001-ACME:US01") == []


def test_an_import_still_running_after_the_last_poll_is_worth_retrying():
    world = a_zuora_world(import_polls=1)
    try:
        subscribed(world.platform)
        with pytest.raises(VendorUnavailable, match="has not finished"):
            world.platform.upload_usage([usage("TC-1")])
        assert [u["uniqueKey"] for u in world.tenant.usage_held("001-ACME:US01")] == ["TC-1"]
    finally:
        world.close()


def test_zuoras_refusal_on_http_200_is_a_rejection_naming_its_code(zuora):
    with pytest.raises(ZuoraRejected, match="50000020 Invalid currency") as refused:
        zuora.platform.upsert_account(an_account(currency="SEK"))

    assert refused.value.status == 200


def test_zuoras_refusal_on_http_400_is_a_rejection_too():
    world = a_zuora_world(errors_as_http_200=False)
    try:
        with pytest.raises(ZuoraRejected, match="Invalid currency") as refused:
            world.platform.upsert_account(an_account(currency="SEK"))
        assert refused.value.status == 400
        assert world.platform.invoices("001-NOBODY:US01", DAY) == []
    finally:
        world.close()


def test_a_subscription_for_an_account_zuora_does_not_hold_is_refused(zuora):
    with pytest.raises(ZuoraRejected, match="Cannot find entity"):
        zuora.platform.subscribe(a_subscription(account_key="001-NOBODY:US01"))


def test_once_the_window_is_spent_o2c_waits_for_its_reset_and_a_429_says_how_long():
    tenant = ZuoraSimulator(CLIENT_ID, CLIENT_SECRET, rate_limit=2, rate_window_seconds=30).start()
    slept: list[float] = []
    platform = ZuoraBillingPlatform(settings_for(tenant), sleep=slept.append)
    try:
        platform.invoices("001-ACME:US01", DAY)  # the token and the account: the window's two
        with pytest.raises(VendorUnavailable, match="429") as refused:
            platform.invoices("001-ACME:US01", DAY)
        assert len(slept) == 1 and 0 < slept[0] <= 30
        assert refused.value.retry_after is not None and 0 < refused.value.retry_after <= 30
    finally:
        platform.close()
        tenant.stop()


def test_a_429_or_an_outage_is_retried_until_zuora_answers():
    world = a_zuora_world(rate_window_seconds=1)
    world.tenant.refuse_next(1)
    world.tenant.fail_next(1)
    try:
        attempted = call_with_retry(
            lambda: world.platform.upsert_account(an_account()),
            RetryPolicy(attempts=4, first_delay=0.01),
            SystemClock(),
        )
        assert attempted.attempts == 3
    finally:
        world.close()


def test_invoices_are_read_across_zuoras_pages():
    world = a_zuora_world(invoices_per_page=2)
    try:
        world.platform.upsert_account(an_account())
        for day in range(5):
            world.issue_invoice("001-ACME:US01", DAY + dt.timedelta(days=day), Decimal("10"))

        invoices = world.platform.invoices("001-ACME:US01", DAY)

        assert [i.invoice_date.day for i in invoices] == [1, 2, 3, 4, 5]
        pages = [r for r in world.tenant.requests if "/transactions/invoices/" in r[1]]
        assert len(pages) == 3
    finally:
        world.close()
