"""Hostile input from a black-box run: over-long strings, huge ids, absent fields.

Each answer must be the same on SQLite and on PostgreSQL, refuse before any handler runs,
store nothing, and quote at most a short prefix of what the caller sent.
"""

from __future__ import annotations

import uuid

import grpc
import pytest
from support.auth import call_metadata
from support.requests import closed_won, time_entry
from support.statuses import refusal_of

from o2c.v1 import billing_pb2_grpc, engagement_pb2, engagement_pb2_grpc

ECHOED_AT_MOST = 64
LONG = 10_000


@pytest.fixture
def engagements(channel_on_each_database):
    return engagement_pb2_grpc.EngagementServiceStub(channel_on_each_database)


@pytest.fixture
def billing(channel_on_each_database):
    return billing_pb2_grpc.BillingServiceStub(channel_on_each_database)


@pytest.fixture
def active_engagement(engagements, run_key):
    return engagements.CreateServiceEngagement(closed_won(run_key)).engagement


def assert_refused_by_name(refusal, field: str) -> None:
    assert (refusal.code, refusal.field) == (grpc.StatusCode.INVALID_ARGUMENT, field)


def test_a_10000_character_work_package_name_is_refused_by_name_and_stores_nothing(
    engagements, run_key
):
    request = closed_won(run_key)
    request.opportunity.work_packages[1].name = "N" * LONG
    refusal = refusal_of(lambda: engagements.CreateServiceEngagement(request))
    assert_refused_by_name(refusal, "opportunity.work_packages[1].name")
    assert refusal.reason == "FIELD_TOO_LONG"
    lookup = engagement_pb2.GetServiceEngagementRequest(
        opportunity_id=request.opportunity.opportunity_id
    )
    assert refusal_of(lambda: engagements.GetServiceEngagement(lookup)).code == (
        grpc.StatusCode.NOT_FOUND
    )


@pytest.mark.parametrize("name", ["resource", "source_id"])
def test_a_10000_character_time_entry_field_is_refused_by_name(
    billing, active_engagement, run_key, name
):
    request = time_entry(run_key, active_engagement.engagement_id, f"TC-LONG-{name}")
    setattr(request.time_entry, name, "R" * LONG)
    refusal = refusal_of(lambda: billing.ApproveBillableEvent(request))
    assert_refused_by_name(refusal, f"time_entry.{name}")
    retried = time_entry(run_key, active_engagement.engagement_id, f"TC-LONG-{name}")
    assert not billing.ApproveBillableEvent(retried).already_staged


HUGE_IDS = [3_000, 5_000, 100_000]


def assert_bounded(refusal, sent: str) -> None:
    assert refusal.size < 1024
    assert sent[: ECHOED_AT_MOST + 1] not in refusal.message
    assert all(sent[: ECHOED_AT_MOST + 1] not in str(detail) for detail in refusal.details)


@pytest.mark.parametrize("length", HUGE_IDS)
@pytest.mark.parametrize("key", ["engagement_id", "opportunity_id"])
def test_a_huge_lookup_key_gets_a_short_answer_naming_it(engagements, key, length):
    sent = "X" * length
    lookup = engagement_pb2.GetServiceEngagementRequest(**{key: sent})
    refusal = refusal_of(lambda: engagements.GetServiceEngagement(lookup))
    assert_refused_by_name(refusal, key)
    assert_bounded(refusal, sent)


def test_an_unknown_opportunity_at_its_longest_is_not_found_and_quoted_as_a_prefix(engagements):
    sent = "006" + "Y" * 125
    lookup = engagement_pb2.GetServiceEngagementRequest(opportunity_id=sent)
    refusal = refusal_of(lambda: engagements.GetServiceEngagement(lookup))
    assert refusal.code == grpc.StatusCode.NOT_FOUND
    assert sent[:ECHOED_AT_MOST] in refusal.message
    assert_bounded(refusal, sent)


@pytest.mark.parametrize("length", HUGE_IDS)
def test_time_for_a_huge_engagement_id_gets_a_short_answer_naming_it(billing, run_key, length):
    sent = "X" * length
    refusal = refusal_of(lambda: billing.ApproveBillableEvent(time_entry(run_key, sent)))
    assert_refused_by_name(refusal, "time_entry.engagement_id")
    assert_bounded(refusal, sent)


def test_a_request_without_an_opportunity_names_the_opportunity(engagements):
    request = engagement_pb2.CreateServiceEngagementRequest(request_id="no-opportunity")
    refusal = refusal_of(lambda: engagements.CreateServiceEngagement(request))
    assert_refused_by_name(refusal, "opportunity")
    assert refusal.message == "opportunity is required"


@pytest.mark.parametrize("absent", ["contract_value", "start_date", "end_date"])
def test_an_absent_opportunity_field_is_named_as_required(engagements, run_key, absent):
    request = closed_won(run_key, **{absent: None})
    refusal = refusal_of(lambda: engagements.CreateServiceEngagement(request))
    assert_refused_by_name(refusal, f"opportunity.{absent}")
    assert refusal.message == f"opportunity.{absent} is required"


def test_an_absent_hourly_rate_is_named_as_required(engagements, run_key):
    request = closed_won(run_key)
    request.opportunity.rate_card[0].ClearField("hourly_rate")
    refusal = refusal_of(lambda: engagements.CreateServiceEngagement(request))
    assert_refused_by_name(refusal, "opportunity.rate_card[0].hourly_rate")


def test_an_approval_without_an_event_names_the_event(billing, run_key):
    request = time_entry(run_key, "eng-1")
    request.ClearField("time_entry")
    assert_refused_by_name(refusal_of(lambda: billing.ApproveBillableEvent(request)), "event")


def test_a_nul_byte_in_a_name_is_refused_by_name_and_stores_nothing(engagements, run_key):
    request = closed_won(run_key)
    request.opportunity.account_name = "Acme\x00Corp"
    refusal = refusal_of(lambda: engagements.CreateServiceEngagement(request))
    assert_refused_by_name(refusal, "opportunity.account_name")
    assert refusal.reason == "CONTROL_CHARACTERS"
    lookup = engagement_pb2.GetServiceEngagementRequest(
        opportunity_id=request.opportunity.opportunity_id
    )
    assert refusal_of(lambda: engagements.GetServiceEngagement(lookup)).code == (
        grpc.StatusCode.NOT_FOUND
    )


def test_a_lookup_key_with_a_nul_byte_is_refused_by_name(engagements):
    lookup = engagement_pb2.GetServiceEngagementRequest(engagement_id="a\x00b")
    refusal = refusal_of(lambda: engagements.GetServiceEngagement(lookup))
    assert_refused_by_name(refusal, "engagement_id")


def test_more_work_packages_than_declared_are_refused_before_any_work(engagements, run_key):
    request = closed_won(run_key)
    request.opportunity.work_packages.extend(
        engagement_pb2.WorkPackage(code=f"W{n}", name="Rollout", region="NA") for n in range(49)
    )
    refusal = refusal_of(lambda: engagements.CreateServiceEngagement(request))
    assert_refused_by_name(refusal, "opportunity.work_packages")
    assert refusal.reason == "TOO_MANY_ITEMS"


@pytest.mark.parametrize(
    "payload", [b"\x0a\x03\xff\xfe\xfd", b"\xff\xff\xff\xff\xff", b"\x0a\x10ab"], ids=repr
)
def test_bytes_that_are_no_request_are_invalid_argument_not_internal(
    channel_on_each_database, payload
):
    get = channel_on_each_database.unary_unary("/o2c.v1.EngagementService/GetServiceEngagement")
    refusal = refusal_of(lambda: get(payload))
    assert refusal.code == grpc.StatusCode.INVALID_ARGUMENT
    assert refusal.reason == "MALFORMED_REQUEST"


@pytest.mark.parametrize("key", ["engagement_id", "opportunity_id"])
def test_an_empty_lookup_key_is_named_as_required(engagements, key):
    lookup = engagement_pb2.GetServiceEngagementRequest(**{key: ""})
    refusal = refusal_of(lambda: engagements.GetServiceEngagement(lookup))
    assert_refused_by_name(refusal, key)
    assert refusal.message == f"{key} is required"


def test_a_lookup_without_a_key_says_which_keys_it_takes(engagements):
    refusal = refusal_of(
        lambda: engagements.GetServiceEngagement(engagement_pb2.GetServiceEngagementRequest())
    )
    assert_refused_by_name(refusal, "key")
    assert refusal.message == "engagement_id or opportunity_id is required"


def test_a_look_alike_of_an_opportunity_id_is_refused_not_a_second_engagement(
    engagements, active_engagement
):
    look_alike = closed_won("again")
    look_alike.opportunity.opportunity_id = active_engagement.opportunity_id + "\u200b"
    refusal = refusal_of(lambda: engagements.CreateServiceEngagement(look_alike))
    assert_refused_by_name(refusal, "opportunity.opportunity_id")
    assert refusal.reason == "IDENTIFIER_NOT_CANONICAL"


def test_a_look_alike_of_a_time_entry_is_refused_not_billed_twice(
    billing, active_engagement, run_key
):
    first = time_entry(run_key, active_engagement.engagement_id, "TC-LOOK")
    billing.ApproveBillableEvent(first)
    again = time_entry(run_key, active_engagement.engagement_id, "TC-LOOK")
    again.request_id += "-again"
    again.time_entry.source_id += "\u200b"
    refusal = refusal_of(lambda: billing.ApproveBillableEvent(again))
    assert_refused_by_name(refusal, "time_entry.source_id")


@pytest.mark.parametrize(
    "subject", [str(uuid.UUID(int=7)), "spiffe://o2c/crm/" + "s" * 230], ids=["uuid", "255-chars"]
)
def test_a_caller_with_a_long_subject_creates_and_approves_alike_on_both_databases(
    engagements, billing, run_key, subject
):
    crm = call_metadata("crm", subject=subject)
    engagement = engagements.CreateServiceEngagement(closed_won(run_key), metadata=crm).engagement
    psa = call_metadata("psa", subject=subject.replace("crm", "psa"))
    approval = time_entry(run_key, engagement.engagement_id)
    assert not billing.ApproveBillableEvent(approval, metadata=psa).already_staged
