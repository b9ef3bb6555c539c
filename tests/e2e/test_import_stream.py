"""The import stream end to end: batches of approvals streamed by the PSA, answered once the
stream ends with counts and each refused item by its batch, index and field; every interceptor
(authentication, correlation, audit, declared limits) sees the stream as it sees a unary call."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import code_pb2
from support.auth import call_metadata
from support.billing_requests import (
    batch_of,
    closed_won_with_terms,
    expense,
    time_and_materials,
)
from support.requests import date, time_entry
from support.statuses import refusal_of

from o2c.v1 import audit_pb2, billing_pb2

PSA = call_metadata("psa")
IMPORT = "/o2c.v1.BillingService/ImportBillableEvents"


@pytest.fixture
def engagement_id(engagements, run_key) -> str:
    request = closed_won_with_terms(run_key, [time_and_materials("NA")])
    return engagements.CreateServiceEngagement(request).engagement.engagement_id


def batch(name: str, *approvals: billing_pb2.ApproveBillableEventRequest):
    return billing_pb2.ImportBillableEventsRequest(
        request_id=name, items=batch_of(name, *approvals).items
    )


def test_an_import_stages_each_batch_and_names_the_refused_item(billing, engagement_id, run_key):
    first = batch(
        f"first-{run_key}",
        time_entry(run_key, engagement_id, "TC-1"),
        time_entry(run_key, engagement_id, "TC-2"),
    )
    second = batch(
        f"second-{run_key}",
        expense(run_key, engagement_id),
        time_entry(run_key, engagement_id, "TC-3", work_date=date(2026, 2, 30)),
    )
    answer, call = billing.ImportBillableEvents.with_call(
        iter([first, second]), metadata=(*PSA, ("x-correlation-id", f"import-{run_key}"))
    )

    assert (answer.batches, answer.staged, answer.already_staged, answer.refused) == (2, 3, 0, 1)
    [refusal] = answer.refusals
    assert (refusal.batch, refusal.batch_request_id, refusal.index) == (1, second.request_id, 1)
    assert refusal.request_id == second.items[1].request_id
    assert (refusal.field, refusal.error.code) == (
        "items[1].time_entry.work_date",
        code_pb2.INVALID_ARGUMENT,
    )
    assert ("x-correlation-id", f"import-{run_key}") in call.initial_metadata()

    again = billing.ImportBillableEvents(iter([first, second]), metadata=PSA)
    assert (again.staged, again.refused) == (3, 1), "a batch sent again gets its first answers"
    fresh = time_entry(run_key, engagement_id, "TC-1")
    fresh.request_id = f"fresh-{run_key}"
    assert billing.ApproveBillableEvent(fresh, metadata=PSA).already_staged, "staged only once"


def test_an_import_with_a_bad_token_is_refused_and_stages_nothing(billing, engagement_id, run_key):
    approval = time_entry(run_key, engagement_id)
    stream = iter([batch(f"bad-{run_key}", approval)])
    forged = (("authorization", "Bearer not-a-token"),)

    refused = refusal_of(lambda: billing.ImportBillableEvents(stream, metadata=forged))

    assert refused.code == grpc.StatusCode.UNAUTHENTICATED
    assert not billing.ApproveBillableEvent(approval, metadata=PSA).already_staged


def test_a_batch_over_its_limits_ends_the_import_naming_its_field_and_the_batches_before_stay(
    billing, engagement_id, run_key
):
    kept = time_entry(run_key, engagement_id, "TC-1")
    too_long = time_entry(run_key, engagement_id, "TC-2")
    too_long.time_entry.resource = "x" * 10_000
    stream = iter([batch(f"ok-{run_key}", kept), batch(f"long-{run_key}", too_long)])

    refused = refusal_of(lambda: billing.ImportBillableEvents(stream, metadata=PSA))

    assert (refused.code, refused.field) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "items[0].time_entry.resource",
    )
    kept.request_id = f"again-{run_key}"
    assert billing.ApproveBillableEvent(kept, metadata=PSA).already_staged


def test_an_import_is_audited_once_by_its_first_batch(billing, audit, engagement_id, run_key):
    psa = call_metadata("psa", subject=f"psa-{run_key}")
    first = batch(f"audited-{run_key}", time_entry(run_key, engagement_id, "TC-1"))
    second = batch(f"later-{run_key}", time_entry(run_key, engagement_id, "TC-2"))
    billing.ImportBillableEvents(iter([first, second]), metadata=psa)

    listing = audit_pb2.ListCallRecordsRequest(page_size=10, subject=f"psa-{run_key}")
    operations = call_metadata("operations", subject=f"ops-{run_key}")
    [record] = audit.ListCallRecords(listing, metadata=operations).call_records
    assert (record.method, record.code) == (IMPORT, "OK")
    assert (record.request_id, record.business_key) == (first.request_id, first.request_id)
