from __future__ import annotations

import asyncio
import time

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from support.auth import call_metadata
from support.requests import closed_won, date, time_entry, usd
from support.statuses import refusal_of

from adapters.messaging.subscriber import read_events
from o2c.v1 import (
    common_pb2,
    engagement_pb2,
    exceptions_pb2,
)


def error_of(call) -> tuple[grpc.StatusCode, str, str]:
    refusal = refusal_of(call)
    return refusal.code, refusal.reason, refusal.field


@pytest.fixture
def active_engagement(engagements, run_key):
    return engagements.CreateServiceEngagement(closed_won(run_key)).engagement


def test_the_server_reports_serving_on_health_checks(channel):
    reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_a_closed_won_opportunity_becomes_an_active_engagement_with_projects(
    engagements, active_engagement
):
    assert active_engagement.status == engagement_pb2.ENGAGEMENT_STATUS_ACTIVE
    assert active_engagement.erp_legal_entity == "USMF"
    [account] = active_engagement.erp_customer_accounts
    assert (account.erp_legal_entity, account.customer_number[:5]) == ("USMF", "CUST-")
    [arrangement] = active_engagement.billing_arrangements
    assert arrangement.billing_method == engagement_pb2.BILLING_METHOD_TIME_AND_MATERIALS
    assert active_engagement.start_date == date(2026, 12, 1)
    assert all(wp.psa_project_id.startswith("PRJ-") for wp in active_engagement.work_packages)
    fetched = engagements.GetServiceEngagement(
        engagement_pb2.GetServiceEngagementRequest(engagement_id=active_engagement.engagement_id)
    ).engagement
    assert fetched == active_engagement


def test_an_unmapped_legal_entity_is_parked_with_an_exception(engagements, run_key):
    engagement = engagements.CreateServiceEngagement(closed_won(run_key, "BR01")).engagement
    assert engagement.status == engagement_pb2.ENGAGEMENT_STATUS_PENDING_DATA
    assert engagement.exception.exception_id
    assert (engagement.exception.reason_code, engagement.exception.owner_role) == (
        exceptions_pb2.REASON_CODE_LEGAL_ENTITY_NOT_MAPPED,
        exceptions_pb2.OWNER_ROLE_FINANCE,
    )
    assert engagement.exception.workflow == exceptions_pb2.WORKFLOW_CLOSED_WON_TO_ENGAGEMENT
    assert engagement.exception.business_key == engagement.opportunity_id
    assert not any(wp.psa_project_id for wp in engagement.work_packages)


def test_approved_time_is_staged_once_and_a_duplicate_stages_nothing(
    billing, active_engagement, run_key
):
    first = billing.ApproveBillableEvent(time_entry(run_key, active_engagement.engagement_id))
    assert first.staged_line.amount == usd("1050.00") and not first.already_staged
    again = time_entry(run_key, active_engagement.engagement_id)
    again.request_id += "-redelivered"
    second = billing.ApproveBillableEvent(again)
    assert second.already_staged
    assert second.staged_line.billable_event_id == first.staged_line.billable_event_id


def test_a_retry_with_the_same_request_id_returns_the_first_answer(
    billing, active_engagement, run_key
):
    request = time_entry(run_key, active_engagement.engagement_id, "TC-R")
    assert billing.ApproveBillableEvent(request) == billing.ApproveBillableEvent(request)


def test_the_same_request_id_with_another_payload_is_refused(billing, active_engagement, run_key):
    request = time_entry(run_key, active_engagement.engagement_id, "TC-K")
    billing.ApproveBillableEvent(request)
    request.time_entry.hours = "3"
    refusal = refusal_of(lambda: billing.ApproveBillableEvent(request))
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")
    assert refusal.detail(error_details_pb2.ErrorInfo).metadata["field"] == "request_id"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hours": "-2"}, "time_entry.hours"),
        ({"hours": "25"}, "time_entry.hours"),
        ({"resource": ""}, "time_entry.resource"),
        ({"work_date": date(2026, 13, 1)}, "time_entry.work_date"),
        ({"work_date": date(2026, 12, 0)}, "time_entry.work_date"),
        ({"work_date": None}, "time_entry.work_date"),
    ],
)
def test_bad_time_entries_get_invalid_argument_naming_the_field(
    billing, active_engagement, run_key, overrides, field
):
    request = time_entry(run_key, active_engagement.engagement_id, "TC-BAD", **overrides)
    code, _, named = error_of(lambda: billing.ApproveBillableEvent(request))
    assert (code, named) == (grpc.StatusCode.INVALID_ARGUMENT, field)
    retried = time_entry(run_key, active_engagement.engagement_id, "TC-BAD")
    assert not billing.ApproveBillableEvent(retried).already_staged


def test_time_for_an_unknown_engagement_is_not_found(billing, run_key):
    refusal = refusal_of(
        lambda: billing.ApproveBillableEvent(time_entry(run_key, "no-such-engagement"))
    )
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    assert refusal.detail(error_details_pb2.ErrorInfo).metadata["field"] == (
        "time_entry.engagement_id"
    )
    assert not refusal.field, "BadRequest goes only with INVALID_ARGUMENT"


def test_the_crm_may_not_approve_time(billing, active_engagement, run_key):
    request = time_entry(run_key, active_engagement.engagement_id, "TC-CRM")
    request.source_system = common_pb2.SOURCE_SYSTEM_CRM
    code, reason, _ = error_of(
        lambda: billing.ApproveBillableEvent(request, metadata=call_metadata("crm"))
    )
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "CALLER_NOT_ALLOWED")


def test_a_source_system_other_than_the_proven_caller_is_refused(
    billing, active_engagement, run_key
):
    request = time_entry(run_key, active_engagement.engagement_id, "TC-CRM")
    request.source_system = common_pb2.SOURCE_SYSTEM_CRM
    refusal = refusal_of(lambda: billing.ApproveBillableEvent(request))
    assert (refusal.code, refusal.reason) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "SOURCE_SYSTEM_MISMATCH",
    )
    assert refusal.detail(error_details_pb2.ErrorInfo).metadata["field"] == "source_system"


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"opportunity_id": ""}, "opportunity.opportunity_id", "INVALID_FIELD"),
        ({"currency_code": "ZZZ"}, "opportunity.currency_code", "UNKNOWN_CURRENCY"),
        ({"start_date": date(2026, 2, 30)}, "opportunity.start_date", "INVALID_FIELD"),
        ({"end_date": None}, "opportunity.end_date", "INVALID_FIELD"),
        ({"contract_value": None}, "opportunity.contract_value", "INVALID_FIELD"),
    ],
)
def test_a_bad_opportunity_gets_invalid_argument_and_stores_nothing(
    engagements, run_key, overrides, field, reason
):
    request = closed_won(run_key, **overrides)
    code, got_reason, named = error_of(lambda: engagements.CreateServiceEngagement(request))
    assert (code, got_reason, named) == (grpc.StatusCode.INVALID_ARGUMENT, reason, field)
    fixed = closed_won(run_key)
    assert engagements.CreateServiceEngagement(fixed).engagement.status == (
        engagement_pb2.ENGAGEMENT_STATUS_ACTIVE
    )


def test_an_engagement_can_be_found_by_its_opportunity(engagements, active_engagement):
    found = engagements.GetServiceEngagement(
        engagement_pb2.GetServiceEngagementRequest(opportunity_id=active_engagement.opportunity_id)
    ).engagement
    assert found.engagement_id == active_engagement.engagement_id


def test_an_unknown_engagement_id_is_not_found(engagements):
    refusal = refusal_of(
        lambda: engagements.GetServiceEngagement(
            engagement_pb2.GetServiceEngagementRequest(engagement_id="missing")
        )
    )
    assert refusal.code == grpc.StatusCode.NOT_FOUND
    assert refusal.detail(error_details_pb2.ErrorInfo).metadata["field"] == "engagement_id"


def test_outcomes_are_published_on_jetstream(service, billing, active_engagement, run_key):
    billing.ApproveBillableEvent(time_entry(run_key, active_engagement.engagement_id, "TC-EV"))
    prefix = service.values["O2C_SUBJECT_PREFIX"]
    wanted = {
        f"{prefix}.engagement.activated",
        f"{prefix}.billing.billable_event_rated",
        f"{prefix}.billing.billable_event_staged",
    }
    seen: set[str] = set()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and seen != wanted:
        events = asyncio.run(
            read_events(service.values["O2C_NATS_URL"], service.values["O2C_STREAM"], prefix=prefix)
        )
        seen = {
            subject
            for subject, _id, message in events
            if getattr(message, "engagement_id", "") == active_engagement.engagement_id
        }
        time.sleep(0.2)
    assert seen == wanted
