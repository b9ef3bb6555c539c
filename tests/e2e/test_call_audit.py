"""The audit of calls, end to end: every call that could change something, allowed or refused,
is kept with its principal and outcome, and operations read it through
`AuditService.ListCallRecords`, a page at a time."""

from __future__ import annotations

import grpc
import pytest
from support.auth import call_metadata
from support.requests import closed_won, time_entry
from support.statuses import refusal_of

from o2c.v1 import (
    audit_pb2,
    engagement_pb2,
    engagement_pb2_grpc,
)

CREATE = "/o2c.v1.EngagementService/CreateServiceEngagement"
APPROVE = "/o2c.v1.BillingService/ApproveBillableEvent"


@pytest.fixture
def operations(run_key):
    return call_metadata("operations", subject=f"ops-{run_key}")


def records(audit, operations, **filters) -> list[audit_pb2.CallRecord]:
    request = audit_pb2.ListCallRecordsRequest(page_size=100, **filters)
    return list(audit.ListCallRecords(request, metadata=operations).call_records)


def outcomes(found: list[audit_pb2.CallRecord]) -> list[tuple[str, str, str]]:
    return [(record.method, record.code, record.reason) for record in found]


def test_an_allowed_call_and_a_refused_one_both_appear_with_their_outcome(
    engagements, billing, audit, operations, run_key
):
    crm = call_metadata("crm", subject=f"crm-{run_key}")
    created = engagements.CreateServiceEngagement(closed_won(run_key), metadata=crm)
    approval = time_entry(run_key, created.engagement.engagement_id)
    refused = refusal_of(lambda: billing.ApproveBillableEvent(approval, metadata=crm))

    found = records(audit, operations, subject=f"crm-{run_key}")
    assert refused.code == grpc.StatusCode.PERMISSION_DENIED
    assert outcomes(found) == [
        (APPROVE, "PERMISSION_DENIED", refused.reason),
        (CREATE, "OK", ""),
    ]
    assert [record.business_key for record in found] == [
        approval.time_entry.source_id,
        f"006-{run_key}-US01",
    ]
    assert found[1].request_id == closed_won(run_key).request_id
    assert found[1].principal.calling_system == "crm"
    assert found[0].record_time.ToDatetime() >= found[1].record_time.ToDatetime()


def test_a_call_without_a_token_is_recorded_without_a_principal(
    service, audit, operations, run_key
):
    request = closed_won(run_key)
    with grpc.insecure_channel(f"127.0.0.1:{service.port}") as tokenless:
        anonymous = engagement_pb2_grpc.EngagementServiceStub(tokenless)
        refused = refusal_of(lambda: anonymous.CreateServiceEngagement(request))

    [record] = records(audit, operations, business_key=request.opportunity.opportunity_id)
    assert refused.code == grpc.StatusCode.UNAUTHENTICATED
    assert (record.code, record.reason) == ("UNAUTHENTICATED", refused.reason)
    assert not record.HasField("principal")


def test_a_call_refused_by_its_handler_is_recorded_with_the_handlers_reason(
    billing, audit, operations, run_key
):
    psa = call_metadata("psa", subject=f"psa-{run_key}")
    approval = time_entry(run_key, "eng-that-does-not-exist")
    refused = refusal_of(lambda: billing.ApproveBillableEvent(approval, metadata=psa))

    found = records(audit, operations, subject=f"psa-{run_key}")
    assert outcomes(found) == [(APPROVE, refused.code.name, refused.reason)]
    assert refused.reason  # the handler's ErrorInfo, read back from the call's status


def test_a_read_is_not_recorded(engagements, audit, operations, run_key):
    erp = call_metadata("erp", subject=f"erp-{run_key}")
    lookup = engagement_pb2.GetServiceEngagementRequest(opportunity_id=f"006-{run_key}-NONE")
    refusal_of(lambda: engagements.GetServiceEngagement(lookup, metadata=erp))
    assert records(audit, operations, subject=f"erp-{run_key}") == []


def test_the_list_comes_a_page_at_a_time_newest_first_to_the_last_page(
    billing, audit, operations, run_key
):
    crm = call_metadata("crm", subject=f"crm-pages-{run_key}")
    for number in range(5):
        approval = time_entry(run_key, "eng-1", source_id=f"TC-{number}")
        refusal_of(lambda approval=approval: billing.ApproveBillableEvent(approval, metadata=crm))

    pages, token = [], ""
    while True:
        request = audit_pb2.ListCallRecordsRequest(
            page_size=2, page_token=token, subject=f"crm-pages-{run_key}"
        )
        page = audit.ListCallRecords(request, metadata=operations)
        pages.append([record.business_key for record in page.call_records])
        token = page.next_page_token
        if not token:
            break
    assert pages == [
        [f"TC-4-{run_key}", f"TC-3-{run_key}"],
        [f"TC-2-{run_key}", f"TC-1-{run_key}"],
        [f"TC-0-{run_key}"],
    ]


def test_a_page_token_sent_with_other_filters_is_refused_by_name(
    billing, audit, operations, run_key
):
    crm = call_metadata("crm", subject=f"crm-token-{run_key}")
    for number in range(2):
        approval = time_entry(run_key, "eng-1", source_id=f"TC-{number}")
        refusal_of(lambda approval=approval: billing.ApproveBillableEvent(approval, metadata=crm))
    first = audit.ListCallRecords(
        audit_pb2.ListCallRecordsRequest(page_size=1, subject=f"crm-token-{run_key}"),
        metadata=operations,
    )
    other = audit_pb2.ListCallRecordsRequest(page_size=1, page_token=first.next_page_token)
    refused = refusal_of(lambda: audit.ListCallRecords(other, metadata=operations))
    assert (refused.code, refused.field) == (grpc.StatusCode.INVALID_ARGUMENT, "page_token")


@pytest.mark.parametrize("system", ["admin", "operations"])
def test_operations_and_admin_may_read_the_audit(audit, system):
    request = audit_pb2.ListCallRecordsRequest(page_size=1)
    audit.ListCallRecords(request, metadata=call_metadata(system))


@pytest.mark.parametrize("system", ["psa", "crm", "erp", "billing"])
def test_a_vendor_system_may_not_read_the_audit(audit, system):
    request = audit_pb2.ListCallRecordsRequest(page_size=1)
    refused = refusal_of(lambda: audit.ListCallRecords(request, metadata=call_metadata(system)))
    assert refused.code == grpc.StatusCode.PERMISSION_DENIED


def test_an_operator_limited_to_some_legal_entities_may_not_read_the_audit_of_all(audit):
    request = audit_pb2.ListCallRecordsRequest(page_size=1)
    limited = call_metadata("operations", legal_entities=("GB01",))
    refused = refusal_of(lambda: audit.ListCallRecords(request, metadata=limited))
    assert (refused.code, refused.reason) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "LEGAL_ENTITY_NOT_ALLOWED",
    )
