from decimal import Decimal

import pytest
from support.builders import approved_time, closed_won, integration

from application.approve_billable_event import approve_time_entry
from application.commands import RateLine
from application.create_engagement import create_service_engagement
from domain.billable_event import BillableEventStatus
from domain.billing.outcomes import BillableEventRated
from domain.errors import (
    BillableEventConflict,
    EngagementNotActive,
    InvalidField,
    NotFound,
    OutsideEngagementDates,
    OwnershipViolation,
    RequestIdReused,
    RoleNotOnRateCard,
)
from domain.events import BillableEventStaged
from domain.money import Money
from domain.requests import RequestKey


@pytest.fixture
def engagement_id(provisioning, store):
    engagement_id = create_service_engagement(closed_won(), provisioning)
    store.published.clear()
    return engagement_id


def test_approved_time_is_rated_by_the_rate_card_and_staged(billing, store, engagement_id):
    staged = approve_time_entry(approved_time(engagement_id=engagement_id), billing)

    event = store.billable_events[staged.billable_event_id]
    assert event.status is BillableEventStatus.STAGED
    assert event.rate == Money.of("150.00", "USD")
    assert event.amount == Money.of("1125.00", "USD")
    assert event.hours == Decimal("7.5")
    assert not staged.already_staged
    rated, published = store.published
    assert isinstance(rated, BillableEventRated) and rated.billed == Money.of("1125.00", "USD")
    assert isinstance(published, BillableEventStaged) and published.source_id == "TC-0001"


def test_the_same_time_entry_sent_again_is_never_staged_twice(billing, store, engagement_id):
    first = approve_time_entry(approved_time(engagement_id=engagement_id), billing)
    again = approve_time_entry(
        approved_time(engagement_id=engagement_id, request_id="time-req-2"), billing
    )

    assert again.billable_event_id == first.billable_event_id and again.already_staged
    assert len(store.billable_events) == 1 and len(store.published) == 2


def test_the_same_time_entry_with_other_hours_is_a_conflict(billing, store, engagement_id):
    approve_time_entry(approved_time(engagement_id=engagement_id), billing)
    with pytest.raises(BillableEventConflict):
        approve_time_entry(
            approved_time(engagement_id=engagement_id, request_id="r-2", hours="8"), billing
        )


def test_a_retried_request_returns_the_first_answer(billing, store, engagement_id):
    first = approve_time_entry(approved_time(engagement_id=engagement_id), billing)
    assert approve_time_entry(approved_time(engagement_id=engagement_id), billing) == first


def test_the_request_is_remembered_under_the_callers_subject(billing, store, engagement_id):
    approve_time_entry(approved_time(engagement_id=engagement_id), billing)

    assert RequestKey("psa", "ApproveBillableEvent", "time-req-1") in store.requests


def test_one_request_id_from_two_callers_is_two_requests(billing, store, engagement_id):
    first = approve_time_entry(approved_time(engagement_id=engagement_id), billing)
    other = approve_time_entry(
        approved_time(
            engagement_id=engagement_id, source_id="TC-9", caller=integration("psa", subject="eu")
        ),
        billing,
    )

    assert other.billable_event_id != first.billable_event_id


def test_a_request_id_reused_for_another_entry_is_refused(billing, engagement_id):
    approve_time_entry(approved_time(engagement_id=engagement_id), billing)
    with pytest.raises(RequestIdReused):
        approve_time_entry(approved_time(engagement_id=engagement_id, source_id="TC-9"), billing)


def test_the_crm_may_not_approve_time(billing, store, engagement_id):
    crm_time = approved_time(
        engagement_id=engagement_id, source_system="crm", caller=integration("crm")
    )
    with pytest.raises(OwnershipViolation) as refused:
        approve_time_entry(crm_time, billing)
    assert refused.value.reason == "OWNERSHIP_VIOLATION"
    assert store.billable_events == {}
    assert [key.operation for key in store.requests] == ["CreateServiceEngagement"]
    [refusal] = store.refusals
    assert (refusal.writer, refusal.business_key, refusal.reason_code) == (
        "crm",
        "crm:TC-0001",
        "OWNERSHIP_VIOLATION",
    )


def test_an_unknown_engagement_is_not_found(billing, store):
    with pytest.raises(NotFound) as error:
        approve_time_entry(approved_time(engagement_id="nope"), billing)
    assert error.value.field == "time_entry.engagement_id"
    assert store.requests == {}


def test_time_on_an_engagement_that_is_not_active_is_refused(provisioning, billing, store):
    parked = create_service_engagement(closed_won(legal_entity_code="BR01"), provisioning)
    with pytest.raises(EngagementNotActive):
        approve_time_entry(approved_time(engagement_id=parked), billing)


def test_a_role_missing_from_the_rate_card_is_refused(billing, engagement_id):
    with pytest.raises(RoleNotOnRateCard) as error:
        approve_time_entry(approved_time(engagement_id=engagement_id, role="intern"), billing)
    assert error.value.field == "time_entry.role"


def test_time_outside_the_engagement_dates_is_refused(billing, engagement_id):
    with pytest.raises(OutsideEngagementDates) as error:
        approve_time_entry(
            approved_time(engagement_id=engagement_id, work_date="2027-06-01"), billing
        )
    assert error.value.field == "time_entry.work_date"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hours": "0"}, "time_entry.hours"),
        ({"hours": "-1"}, "time_entry.hours"),
        ({"hours": "24.5"}, "time_entry.hours"),
        ({"hours": "1.00001"}, "time_entry.hours"),
        ({"hours": "seven"}, "time_entry.hours"),
        ({"hours": "1e1"}, "time_entry.hours"),
        ({"hours": "\t7.5"}, "time_entry.hours"),
        ({"hours": "7.5\u2003"}, "time_entry.hours"),
        ({"hours": "\u0667"}, "time_entry.hours"),  # ARABIC-INDIC DIGIT SEVEN
        ({"hours": ""}, "time_entry.hours"),
        ({"source_id": ""}, "time_entry.source_id"),
        ({"resource": ""}, "time_entry.resource"),
        ({"work_date": "yesterday"}, "time_entry.work_date"),
        ({"source_system": ""}, "source_system"),
    ],
)
def test_bad_time_entries_name_the_field_and_store_nothing(
    billing, store, engagement_id, overrides, field
):
    with pytest.raises(InvalidField) as error:
        approve_time_entry(approved_time(engagement_id=engagement_id, **overrides), billing)
    assert error.value.field == field
    assert store.billable_events == {} and store.published == []


def test_a_rate_too_large_to_rate_a_days_work_is_refused_with_the_engagement(provisioning):
    rate = (RateLine("consultant", "9999999999999999.99", "USD"),)
    with pytest.raises(InvalidField) as error:
        create_service_engagement(closed_won(rate_card=rate), provisioning)
    assert error.value.field == "opportunity.rate_card[0].hourly_rate.amount"
