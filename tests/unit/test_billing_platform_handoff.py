"""A legal entity billed by an external platform: the billing cycle hands its engagements' time
to the platform instead of invoicing it, once, through a saga that retries and parks for finance
what it cannot finish, while o2c keeps invoicing every other entity."""

from __future__ import annotations

from decimal import Decimal

import pytest
from support.billing_api import ReferenceData, cycle, expense, in_currency, time
from support.billing_platforms import FakeBillingPlatform

from application.approve_work import approve_work
from application.billing_cycle import run_cycle
from application.billing_ports import BillingPorts
from application.create_engagement import create_service_engagement, saga_runner
from application.errors import VendorRejected, VendorUnavailable
from application.platform_handoff import PlatformHandoffs, with_platform
from application.ports import LegalEntity
from domain.billable_event import BillableEventStatus
from domain.errors import InvalidField
from domain.exception_case import OwnerRole, ReasonCode
from domain.ownership import OwnershipMatrix
from domain.saga import SagaStatus, Verdict
from unit.fakes import FakeErp, FakeUnitOfWork, SequentialIds

GB_ACCOUNT = "001-ACME:GB01"


@pytest.fixture
def erp() -> FakeErp:
    entities = [("US01", "USMF"), ("GB01", "GBSI")]
    return FakeErp({code: LegalEntity(code, erp, f"{code}-TAX") for code, erp in entities})


@pytest.fixture
def platform() -> FakeBillingPlatform:
    return FakeBillingPlatform()


@pytest.fixture
def ports(store, clock, provisioning, platform) -> BillingPorts:
    sagas = with_platform(saga_runner(provisioning), platform)
    return BillingPorts(
        uow_factory=lambda: FakeUnitOfWork(store),
        clock=clock,
        ids=SequentialIds("b"),
        ownership=OwnershipMatrix.default(),
        reference=ReferenceData({"GB01": "zuora"}),
        sagas=sagas,
        platform_handoffs=PlatformHandoffs(sagas),
        billing_platform=platform,
    )


@pytest.fixture
def engagements(provisioning) -> dict[str, str]:
    """A US01 engagement o2c bills and a GB01 engagement Zuora bills."""
    us = in_currency("USD", "US01", "150.00", opportunity_id="006-US", request_id="r-us")
    gb = in_currency("GBP", "GB01", "120.00", opportunity_id="006-GB", request_id="r-gb")
    return {
        "US01": create_service_engagement(us, provisioning),
        "GB01": create_service_engagement(gb, provisioning),
    }


def approve_time(ports, engagements) -> None:
    approve_work(time(engagements["US01"], "TE-US-1", "2026-12-02", "5"), ports)
    approve_work(time(engagements["GB01"], "TE-GB-1", "2026-12-02", "7.5"), ports)
    approve_work(time(engagements["GB01"], "TE-GB-2", "2026-12-03", "2"), ports)


def drive_sagas(ports) -> None:
    assert ports.sagas is not None
    ports.sagas.resume_abandoned()


def platform_sagas(store) -> list:
    return [s for s in store.sagas.values() if s.kind == "usage_to_billing_platform"]


def test_a_finalising_cycle_invoices_o2c_entities_and_hands_zuora_entities_time_over(
    ports, engagements, platform, store
):
    approve_time(ports, engagements)

    outcome = run_cycle(cycle("2026-12-31"), ports)
    drive_sagas(ports)

    assert [i.engagement_id for i in outcome.invoices] == [engagements["US01"]]
    [handoff] = outcome.handed_to_platform
    assert (handoff.engagement_id, handoff.legal_entity_code, handoff.platform) == (
        engagements["GB01"],
        "GB01",
        "zuora",
    )
    assert (handoff.events, handoff.held) == (2, 0)
    assert platform.hours_held(GB_ACCOUNT) == Decimal("9.5")
    subscription = platform.subscriptions[engagements["GB01"]]
    assert [(c.charge_key, c.model, str(c.price)) for c in subscription.charges] == [
        ("time:consultant", "per_unit", "120.00 GBP")
    ]
    assert platform.accounts[GB_ACCOUNT].currency == "GBP"
    gb_events = [
        e for e in store.billable_events.values() if e.engagement_id == engagements["GB01"]
    ]
    assert {e.status for e in gb_events} == {BillableEventStatus.INVOICED}


def test_a_repeated_cycle_hands_nothing_over_twice(ports, engagements, platform):
    approve_time(ports, engagements)
    run_cycle(cycle("2026-12-31", request_id="first"), ports)
    drive_sagas(ports)

    again = run_cycle(cycle("2026-12-31", request_id="second"), ports)
    drive_sagas(ports)

    assert again.handed_to_platform == () and again.invoices == ()
    assert len(platform.usage) == 2 and platform.hours_held(GB_ACCOUNT) == Decimal("9.5")


def test_work_approved_after_a_cycle_is_handed_over_by_the_next(ports, engagements, platform):
    approve_time(ports, engagements)
    run_cycle(cycle("2026-12-31", request_id="first"), ports)
    approve_work(time(engagements["GB01"], "TE-GB-3", "2026-12-04", "1.25"), ports)

    later = run_cycle(cycle("2026-12-31", request_id="second"), ports)
    drive_sagas(ports)

    assert [h.events for h in later.handed_to_platform] == [1]
    assert platform.hours_held(GB_ACCOUNT) == Decimal("10.75")


def test_a_draft_cycle_shows_nothing_for_a_zuora_entity_and_hands_nothing_over(
    ports, engagements, platform, store
):
    approve_time(ports, engagements)

    draft = run_cycle(cycle("2026-12-31", finalise=False), ports)

    assert [i.engagement_id for i in draft.invoices] == [engagements["US01"]]
    assert draft.handed_to_platform == () and platform_sagas(store) == []
    assert {e.status for e in store.billable_events.values()} == {BillableEventStatus.STAGED}


def test_work_the_platform_cannot_bill_stays_staged_and_is_parked_once_for_finance(
    ports, engagements, platform, store
):
    approve_time(ports, engagements)
    approve_work(
        expense(engagements["GB01"], "EX-GB-1", "2026-12-02", "80.00", "GBP", "travel"), ports
    )

    first = run_cycle(cycle("2026-12-31", request_id="first"), ports)
    second = run_cycle(cycle("2026-12-31", request_id="second"), ports)

    assert [(h.events, h.held) for h in first.handed_to_platform] == [(2, 1)]
    assert [(h.events, h.held) for h in second.handed_to_platform] == [(0, 1)]
    [case] = store.exceptions.values()
    assert (case.reason_code, case.owner_role) == (
        ReasonCode.BILLING_PLATFORM_UNSUPPORTED,
        OwnerRole.FINANCE,
    )
    assert "expense" in case.detail
    [held] = [e for e in store.billable_events.values() if e.source_id == "EX-GB-1"]
    assert held.status is BillableEventStatus.STAGED


def test_a_platform_outage_is_retried_and_the_usage_still_arrives_once(
    ports, engagements, platform, store
):
    approve_time(ports, engagements)
    run_cycle(cycle("2026-12-31"), ports)
    platform.fail_next(VendorUnavailable("zuora", "503 Service Unavailable"))

    drive_sagas(ports)

    [saga] = platform_sagas(store)
    assert (saga.status, saga.verdict) == (SagaStatus.COMPLETED, Verdict.DONE)
    assert len(platform.usage) == 2


def test_a_lasting_platform_failure_is_parked_for_finance_with_its_reason(
    ports, engagements, platform, store
):
    approve_time(ports, engagements)
    run_cycle(cycle("2026-12-31"), ports)
    platform.fail_next(VendorRejected("zuora", "53100020: Invalid productRatePlanChargeId"))

    drive_sagas(ports)

    [saga] = platform_sagas(store)
    assert saga.verdict is Verdict.FAILED
    [case] = store.exceptions.values()
    assert (case.reason_code, case.owner_role) == (
        ReasonCode.BILLING_PLATFORM_FAILED,
        OwnerRole.FINANCE,
    )
    assert "Invalid productRatePlanChargeId" in case.detail
    assert case.payload["engagement_id"] == engagements["GB01"]
    assert platform.usage == {}


def test_a_zuora_entity_without_a_configured_platform_is_refused_not_invoiced(
    store, clock, engagements, ports
):
    approve_time(ports, engagements)
    unwired = BillingPorts(
        uow_factory=lambda: FakeUnitOfWork(store),
        clock=clock,
        ids=SequentialIds("c"),
        ownership=OwnershipMatrix.default(),
        reference=ReferenceData({"GB01": "zuora"}),
    )

    with pytest.raises(InvalidField, match="no billing platform configured"):
        run_cycle(cycle("2026-12-31"), unwired)

    assert store.invoices == {}
    assert {e.status for e in store.billable_events.values()} == {BillableEventStatus.STAGED}
