"""What `ListCallRecords` makes of its request: page sizes, page tokens and filters."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from google.protobuf import timestamp_pb2

from application.call_records import CallRecordFilter, Cursor
from domain.errors import InvalidField
from entrypoints.grpc.audit_servicer import call_filter, page_size
from entrypoints.grpc.page_tokens import cursor_of, page_token
from o2c.v1 import audit_pb2

WHERE_A_PAGE_ENDED = Cursor(dt.datetime(2026, 12, 1, 9, 0, 0, 123456, tzinfo=dt.UTC), "call-7")
BY_PSA = CallRecordFilter(subject="psa-certinia")


@pytest.mark.parametrize(("asked", "given"), [(0, 50), (1, 1), (500, 500), (10_000, 500)])
def test_an_unset_page_size_is_50_and_none_is_larger_than_500(asked, given):
    assert page_size(audit_pb2.ListCallRecordsRequest(page_size=asked)) == given


def test_a_negative_page_size_is_refused_by_name():
    with pytest.raises(InvalidField) as refused:
        page_size(audit_pb2.ListCallRecordsRequest(page_size=-1))
    assert refused.value.field == "page_size"


def test_a_page_token_leads_back_to_where_the_page_ended():
    assert cursor_of(page_token(WHERE_A_PAGE_ENDED, BY_PSA), BY_PSA) == WHERE_A_PAGE_ENDED


def test_the_last_page_has_no_token_and_no_token_starts_at_the_newest():
    assert page_token(None, BY_PSA) == ""
    assert cursor_of("", BY_PSA) is None


@pytest.mark.parametrize(
    "token",
    [page_token(WHERE_A_PAGE_ENDED, CallRecordFilter(subject="crm")), "bm90IGpzb24", "%%%", "e30="],
    ids=["other-filters", "not-json", "not-base64", "empty-object"],
)
def test_a_page_token_not_handed_out_for_these_filters_is_refused_by_name(token):
    with pytest.raises(InvalidField) as refused:
        cursor_of(token, BY_PSA)
    assert refused.value.field == "page_token"


def test_a_code_that_no_grpc_status_has_is_refused_by_name():
    with pytest.raises(InvalidField) as refused:
        call_filter(audit_pb2.ListCallRecordsRequest(code="DENIED"))
    assert refused.value.field == "code"


def test_the_time_range_is_read_as_utc_instants():
    start = timestamp_pb2.Timestamp(seconds=1_796_000_000)
    matching = call_filter(audit_pb2.ListCallRecordsRequest(start_time=start))
    assert matching.since == dt.datetime.fromtimestamp(1_796_000_000, dt.UTC)
    assert matching.until is None


def test_a_time_out_of_range_is_refused_by_name():
    far = timestamp_pb2.Timestamp(seconds=10**15)
    with pytest.raises(InvalidField) as refused:
        call_filter(audit_pb2.ListCallRecordsRequest(end_time=far))
    assert refused.value.field == "end_time"


def rewritten(moment: str, record: object) -> str:
    """A page token of this list whose position was edited by hand."""
    fields = json.loads(base64.urlsafe_b64decode(page_token(WHERE_A_PAGE_ENDED, BY_PSA)))
    fields.update(t=moment, i=record)
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode()


@pytest.mark.parametrize(
    ("moment", "record"),
    [
        ("2099-01-01T00:00:00", "call-7"),
        ("0001-01-01T00:00:00", "call-7"),
        ("2026-12-01T09:00:00+00:00", ""),
        ("2026-12-01T09:00:00+00:00", 7),
        ("2026-12-01T09:00:00+00:00", "x" * 65),
    ],
    ids=["no-offset", "year-one-no-offset", "empty-id", "number-id", "over-long-id"],
)
def test_a_page_token_edited_by_hand_is_refused_by_name_not_an_internal_error(moment, record):
    with pytest.raises(InvalidField) as refused:
        cursor_of(rewritten(moment, record), BY_PSA)
    assert refused.value.field == "page_token"
