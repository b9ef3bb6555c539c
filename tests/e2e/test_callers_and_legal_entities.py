"""Through the whole service: who calls comes from the token, and a caller limited to some
legal entities neither sees nor changes another entity's engagements."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.descriptor import Descriptor
from google.rpc import code_pb2, error_details_pb2
from support.auth import call_metadata
from support.billing_requests import amendment, batch_of, billing_cycle, raised_cap
from support.requests import closed_won, time_entry
from support.rpcs import every_rpc
from support.statuses import refusal_of

from o2c.v1 import billing_pb2, engagement_pb2, engagement_pb2_grpc

UK_CRM = call_metadata("crm", ("GB01",), subject="crm-uk")
UK_PSA = call_metadata("psa", ("GB01",), subject="psa-uk")
ID_FIELDS = {"engagement_id", "opportunity_id"}


@pytest.fixture
def us_engagement(engagements, run_key):
    return engagements.CreateServiceEngagement(closed_won(run_key)).engagement


def by_id(engagement_id: str) -> engagement_pb2.GetServiceEngagementRequest:
    return engagement_pb2.GetServiceEngagementRequest(engagement_id=engagement_id)


def by_opportunity(opportunity_id: str) -> engagement_pb2.GetServiceEngagementRequest:
    return engagement_pb2.GetServiceEngagementRequest(opportunity_id=opportunity_id)


def test_another_entitys_engagement_reads_as_missing_by_id(engagements, us_engagement):
    hidden = refusal_of(
        lambda: engagements.GetServiceEngagement(
            by_id(us_engagement.engagement_id), metadata=UK_PSA
        )
    )
    missing = refusal_of(
        lambda: engagements.GetServiceEngagement(by_id("eng-does-not-exist"), metadata=UK_PSA)
    )

    assert (hidden.code, hidden.reason) == (missing.code, missing.reason)
    assert hidden.code is grpc.StatusCode.NOT_FOUND


def test_another_entitys_engagement_reads_as_missing_by_opportunity(engagements, us_engagement):
    request = by_opportunity(us_engagement.opportunity_id)

    refusal = refusal_of(lambda: engagements.GetServiceEngagement(request, metadata=UK_CRM))

    assert refusal.code is grpc.StatusCode.NOT_FOUND


def test_a_caller_sees_the_engagements_of_its_own_entities(engagements, us_engagement):
    us_psa = call_metadata("psa", ("US01",), subject="psa-us")
    request = by_id(us_engagement.engagement_id)

    found = engagements.GetServiceEngagement(request, metadata=us_psa).engagement

    assert found.engagement_id == us_engagement.engagement_id


def test_time_on_another_entitys_engagement_is_not_found_and_not_staged(
    billing, us_engagement, run_key
):
    request = time_entry(run_key, us_engagement.engagement_id, "TC-UK")

    refusal = refusal_of(lambda: billing.ApproveBillableEvent(request, metadata=UK_PSA))

    assert refusal.code is grpc.StatusCode.NOT_FOUND
    assert not billing.ApproveBillableEvent(request).already_staged


def test_a_batch_item_on_another_entitys_engagement_is_not_found_and_not_staged(
    billing, us_engagement, run_key
):
    request = batch_of(run_key, time_entry(run_key, us_engagement.engagement_id, "TC-UKB"))

    [result] = billing.ApproveBillableEvents(request, metadata=UK_PSA).results

    assert result.error.code == code_pb2.NOT_FOUND
    us_psa = call_metadata("psa", ("US01",), subject="psa-us")
    [again] = billing.ApproveBillableEvents(request, metadata=us_psa).results
    assert again.WhichOneof("outcome") == "staged_line" and not again.already_staged


def test_an_imported_item_on_another_entitys_engagement_is_not_found_and_not_staged(
    billing, us_engagement, run_key
):
    items = batch_of(run_key, time_entry(run_key, us_engagement.engagement_id, "TC-UKI")).items
    stream = [billing_pb2.ImportBillableEventsRequest(request_id=f"imp-{run_key}", items=items)]

    answer = billing.ImportBillableEvents(iter(stream), metadata=UK_PSA)

    assert (answer.staged, answer.refused) == (0, 1)
    assert answer.refusals[0].error.code == code_pb2.NOT_FOUND
    us_psa = call_metadata("psa", ("US01",), subject="psa-us")
    assert billing.ImportBillableEvents(iter(stream), metadata=us_psa).staged == 1


def test_another_entitys_engagement_cannot_be_amended(engagements, us_engagement, run_key):
    request = amendment(us_engagement.engagement_id, 1, raised_cap("NA", "1.00"), key=run_key)

    refusal = refusal_of(lambda: engagements.AmendServiceEngagement(request, metadata=UK_CRM))

    assert refusal.code is grpc.StatusCode.NOT_FOUND


def test_another_entitys_invoices_are_not_listed(billing, us_engagement, run_key):
    billing.ApproveBillableEvent(time_entry(run_key, us_engagement.engagement_id, "TC-INV"))
    billing.RunBillingCycle(billing_cycle(run_key, us_engagement.engagement_id))
    request = billing_pb2.ListInvoicesRequest(engagement_id=us_engagement.engagement_id)
    uk_billing = call_metadata("billing", ("GB01",), subject="billing-uk")

    assert len(billing.ListInvoices(request).invoices) == 1
    assert list(billing.ListInvoices(request, metadata=uk_billing).invoices) == []


def test_a_crm_caller_may_not_create_an_engagement_for_another_entity(engagements, run_key):
    request = closed_won(run_key, "US01")

    refusal = refusal_of(lambda: engagements.CreateServiceEngagement(request, metadata=UK_CRM))

    assert (refusal.code, refusal.reason) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "LEGAL_ENTITY_NOT_ALLOWED",
    )
    info = refusal.detail(error_details_pb2.ErrorInfo)
    assert info.metadata["field"] == "opportunity.legal_entity_code"
    lookup = by_opportunity(request.opportunity.opportunity_id)
    assert refusal_of(lambda: engagements.GetServiceEngagement(lookup)).code is (
        grpc.StatusCode.NOT_FOUND
    )


def test_a_call_without_a_token_creates_nothing(service, engagements, run_key):
    request = closed_won(run_key, "GB01")

    with grpc.insecure_channel(f"127.0.0.1:{service.port}") as anonymous:
        stub = engagement_pb2_grpc.EngagementServiceStub(anonymous)
        refusal = refusal_of(lambda: stub.CreateServiceEngagement(request))

    assert refusal.code is grpc.StatusCode.UNAUTHENTICATED
    lookup = by_opportunity(request.opportunity.opportunity_id)
    assert refusal_of(lambda: engagements.GetServiceEngagement(lookup)).code is (
        grpc.StatusCode.NOT_FOUND
    )


def test_one_caller_cannot_replay_another_callers_answer(engagements, us_engagement, run_key):
    same_request = closed_won(run_key)
    emea_crm = call_metadata("crm", subject="crm-emea")

    refusal = refusal_of(
        lambda: engagements.CreateServiceEngagement(same_request, metadata=emea_crm)
    )

    assert refusal.reason == "ENGAGEMENT_EXISTS"
    replayed = engagements.CreateServiceEngagement(same_request).engagement
    assert replayed.engagement_id == us_engagement.engagement_id


def mentions_an_id(message: Descriptor, depth: int = 3) -> bool:
    if depth == 0:
        return False
    return any(
        field.name in ID_FIELDS
        or (field.message_type is not None and mentions_an_id(field.message_type, depth - 1))
        for field in message.fields
    )


def test_every_rpc_that_takes_an_engagement_or_opportunity_id_is_checked_here():
    checked = {
        "CreateServiceEngagement",
        "GetServiceEngagement",
        "ApproveBillableEvent",
        "ApproveBillableEvents",
        "ImportBillableEvents",
        "AmendServiceEngagement",
        "ListInvoices",
        "ListPlatformInvoices",  # test_zuora_billed_entity.py
    }
    taking_an_id = {m.name for m in every_rpc() if mentions_an_id(m.input_type)}

    assert taking_an_id <= checked, f"add object-level tests for {taking_an_id - checked}"
