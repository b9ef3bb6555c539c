"""o2c's Salesforce adapter against the simulated org: what it writes where, how it reads a deal
page by page, how it paces itself against the org's limits and signs in again."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from contracts.builders import a_link
from contracts.vendor_worlds import a_deal
from support.netsuite import private_key_pem
from support.salesforce import a_salesforce_world, settings_for

from adapters.vendors.salesforce.client import SalesforceClient
from adapters.vendors.salesforce.crm import SalesforceCrm
from application.commands import RateLine
from application.crm_ports import AccountPaymentStatus
from application.errors import VendorRejected, VendorUnavailable
from application.ports import EngagementLink
from domain.money import Money


@pytest.fixture
def world():
    built = a_salesforce_world()
    yield built
    built.close()


def a_status(invoice_number: str, state: str = "finalised") -> AccountPaymentStatus:
    return AccountPaymentStatus(
        account_id="001-ACME",
        invoice_number=invoice_number,
        status=state,
        total=Money.of("50.00", "USD"),
        paid=Money.of(0, "USD"),
        balance=Money.of("50.00", "USD"),
        as_of=dt.datetime(2027, 1, 5, 12, 0, tzinfo=dt.UTC),
    )


def test_the_engagement_and_its_status_are_written_in_the_opportunitys_mapped_fields(world):
    world.crm.record_engagement(EngagementLink("006-ACME-1", "eng-1", "pending_data", "exc-9"))
    world.crm.record_engagement(a_link("006-ACME-1", status="active"))

    opportunity = world.org.record("Opportunity", "006-ACME-1")
    assert opportunity["o2c_Engagement_Id__c"] == "eng-1"
    assert opportunity["o2c_Engagement_Status__c"] == "active"
    assert opportunity["o2c_Exception_Id__c"] is None


def test_an_engagement_for_an_opportunity_salesforce_does_not_have_is_refused(world):
    with pytest.raises(VendorRejected, match="NOT_FOUND"):
        world.crm.record_engagement(a_link("006-NEVER"))


def test_a_deal_reads_its_rate_card_across_pages():
    world = a_salesforce_world(batch_size=2)
    try:
        roles = tuple(RateLine(f"role-{n}", f"{100 + n}.50", "USD") for n in range(5))
        world.close_deal(a_deal(rate_card=roles))

        deal = world.crm.deal("006-ACME-1")
    finally:
        world.close()

    assert deal is not None and deal.rate_card == roles


def test_a_won_deal_is_won_because_its_stage_is_won_in_salesforce(world):
    world.org.define_stage("Signed", is_closed=True, is_won=True)
    world.close_deal(a_deal(stage="Signed"))

    deal = world.crm.deal("006-ACME-1")

    assert deal is not None and (deal.stage, deal.is_won) == ("Signed", True)


def test_a_quote_in_the_opportunity_id_stays_inside_the_soql_literal(world):
    assert world.crm.deal("006' OR Name != '") is None


def test_many_payment_statuses_go_25_to_a_composite_request_each_read_in_one_query(world):
    used_before = world.org.api_usage[0]
    statuses = [a_status(f"US01-2026-{n:06d}") for n in range(30)]

    written = world.crm.record_payment_statuses(statuses)

    assert len(set(written)) == 30
    assert world.org.api_usage[0] - used_before == 4
    assert world.payment_status("001-ACME", "US01-2026-000029") is not None


def test_a_composite_with_a_refused_status_writes_none_of_them(world):
    stranger = AccountPaymentStatus(
        "001-NOBODY", "X-1", "paid", Money.of(1, "USD"), Money.of(1, "USD"),
        Money.of(0, "USD"), dt.datetime(2027, 1, 5, tzinfo=dt.UTC),
    )  # fmt: skip

    with pytest.raises(VendorRejected, match="INVALID_CROSS_REFERENCE_KEY"):
        world.crm.record_payment_statuses([a_status("US01-2026-000001"), stranger])

    assert world.payment_status("001-ACME", "US01-2026-000001") is None


def test_before_v46_an_updated_status_is_read_back_for_its_id():
    world = a_salesforce_world(settings={"api_version": "45.0"})
    try:
        first = world.crm.record_payment_status(a_status("US01-2026-000001"))
        again = world.crm.record_payment_status(a_status("US01-2026-000001", "paid"))
    finally:
        world.close()

    assert again == first


def test_near_the_orgs_allocation_each_call_waits_longer():
    pauses: list[float] = []
    world = a_salesforce_world(request_limit=100)
    world.crm.client = SalesforceClient(
        settings_for(world.org, slow_down_at=0.5, longest_pause_seconds=2.0), sleep=pauses.append
    )
    try:
        world.org.use_requests(74)
        world.crm.deal("006-NEVER")
        world.crm.deal("006-NEVER")
        world.org.use_requests(94)
        world.crm.deal("006-NEVER")
        world.crm.deal("006-NEVER")
    finally:
        world.close()

    assert pauses == pytest.approx([1.0, 1.04, 1.8])


def test_once_the_allocation_is_spent_no_call_is_sent_until_the_backoff_has_passed():
    world = a_salesforce_world(request_limit=10, settings={"allocation_backoff_seconds": 600})
    world.org.use_requests(10)
    try:
        with pytest.raises(VendorUnavailable) as refused:
            world.crm.record_engagement(a_link())
        sent = len(world.org.requests)
        with pytest.raises(VendorUnavailable) as held:
            world.crm.record_engagement(a_link())
    finally:
        world.close()

    assert refused.value.retry_after == 600
    assert "REQUEST_LIMIT_EXCEEDED" in str(refused.value)
    assert len(world.org.requests) == sent and held.value.retry_after is not None


def test_an_expired_session_is_renewed_once_and_the_call_goes_through(world):
    world.crm.record_engagement(a_link())
    world.org.expire_sessions()

    assert world.crm.record_engagement(a_link()) == "006-ACME-1"
    assert world.org.sessions.issued == 2


def test_the_adapter_keeps_its_calls_within_the_orgs_concurrent_limit():
    world = a_salesforce_world(
        concurrent_limit=3,
        long_request_seconds=0.0,
        latency=0.05,
        settings={"concurrency_limit": 3},
    )
    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: world.crm.record_engagement(a_link()), range(16)))
    finally:
        world.close()

    assert world.org.most_concurrent <= 3


def test_an_app_signing_with_another_key_gets_no_session(world):
    impostor = SalesforceCrm(settings_for(world.org, private_key_pem=private_key_pem("forger")))
    try:
        with pytest.raises(VendorRejected, match="no access token: invalid_grant"):
            impostor.record_engagement(a_link())
    finally:
        impostor.close()


def test_a_private_key_that_cannot_sign_is_refused_without_calling_salesforce(world):
    broken = SalesforceCrm(settings_for(world.org, private_key_pem=b"not a key"))
    try:
        with pytest.raises(VendorRejected, match="cannot sign"):
            broken.record_engagement(a_link())
    finally:
        broken.close()
