"""What every store of call records promises: a record comes back as kept, listed newest first
in pages that neither lose nor repeat a record, and filtered by principal, method, business key,
outcome and time."""

from __future__ import annotations

import datetime as dt

import pytest
from integration.persistence.builders import NOW
from support.builders import integration

from application.call_records import CallRecordFilter
from application.list_call_records import list_call_records
from application.record_call import record_call
from contracts.units_of_work import read
from domain.call_record import Caller, CallRecord

APPROVE = "/o2c.v1.BillingService/ApproveBillableEvent"
CREATE = "/o2c.v1.EngagementService/CreateServiceEngagement"
PSA = Caller("psa-certinia", "psa")
CRM = Caller("crm-salesforce", "crm")
EVERY_CALL = CallRecordFilter()

OPERATIONS = integration("operations")


def a_call_record(number: int, **changes: object) -> CallRecord:
    fields: dict[str, object] = {
        "id": f"call-{number:04d}",
        "recorded_at": NOW + dt.timedelta(seconds=number),
        "caller": PSA,
        "method": APPROVE,
        "request_id": f"psa-tc-{number}",
        "business_key": f"TC-{number}",
        "code": "OK",
        "reason": "",
        **changes,
    }
    return CallRecord(**fields)  # type: ignore[arg-type]


def keep(uow_factory, *records: CallRecord) -> None:
    for record in records:
        record_call(record, uow_factory)


def newest(uow_factory, matching: CallRecordFilter = EVERY_CALL) -> list[CallRecord]:
    return read(uow_factory, lambda uow: uow.call_records.newest_first(matching, None, 100))


def listed(uow_factory, matching: CallRecordFilter = EVERY_CALL) -> list[str]:
    return [record.id for record in newest(uow_factory, matching)]


def every_page(uow_factory, size: int, matching: CallRecordFilter = EVERY_CALL):
    pages, after = [], None
    while True:
        page = list_call_records(OPERATIONS, matching, after, size, uow_factory)
        pages.append([record.id for record in page.records])
        if page.next is None:
            return pages
        after = page.next


def test_a_call_record_comes_back_as_it_was_kept(uow_factory):
    record = a_call_record(1, code="PERMISSION_DENIED", reason="OWNERSHIP_VIOLATION")
    keep(uow_factory, record)
    assert newest(uow_factory) == [record]


def test_a_call_whose_caller_was_not_authenticated_comes_back_without_a_caller(uow_factory):
    keep(uow_factory, a_call_record(1, caller=None, code="UNAUTHENTICATED"))
    [record] = newest(uow_factory)
    assert record.caller is None


def test_values_at_their_declared_lengths_are_kept_whole(uow_factory):
    record = a_call_record(
        1,
        caller=Caller("é" * 255, "é" * 32),
        method="é" * 255,
        request_id="é" * 128,
        business_key="é" * 128,
        code="é" * 32,
        reason="é" * 64,
    )
    keep(uow_factory, record)
    assert newest(uow_factory) == [record]


def test_records_are_listed_newest_first_in_pages_until_the_last(uow_factory):
    keep(uow_factory, *(a_call_record(n) for n in (3, 1, 5, 2, 4)))
    assert every_page(uow_factory, 2) == [
        ["call-0005", "call-0004"],
        ["call-0003", "call-0002"],
        ["call-0001"],
    ]


def test_a_page_exactly_as_long_as_the_rest_is_the_last(uow_factory):
    keep(uow_factory, *(a_call_record(n) for n in range(1, 5)))
    assert every_page(uow_factory, 2) == [["call-0004", "call-0003"], ["call-0002", "call-0001"]]


def test_records_of_the_same_instant_are_paged_without_loss_or_repeat(uow_factory):
    keep(uow_factory, *(a_call_record(n, recorded_at=NOW) for n in range(1, 8)))
    pages = every_page(uow_factory, 3)
    assert [record for page in pages for record in page] == [
        f"call-{n:04d}" for n in range(7, 0, -1)
    ]


def test_a_record_kept_after_a_page_was_read_does_not_disturb_the_next_page(uow_factory):
    keep(uow_factory, *(a_call_record(n) for n in range(1, 5)))
    first = list_call_records(OPERATIONS, CallRecordFilter(), None, 2, uow_factory)
    keep(uow_factory, a_call_record(9))
    second = list_call_records(OPERATIONS, CallRecordFilter(), first.next, 2, uow_factory)
    assert [r.id for r in second.records] == ["call-0002", "call-0001"]


def test_no_records_is_one_empty_page(uow_factory):
    assert every_page(uow_factory, 10) == [[]]


@pytest.mark.parametrize(
    ("matching", "expected"),
    [
        (CallRecordFilter(subject="crm-salesforce"), ["call-0002"]),
        (CallRecordFilter(method=CREATE), ["call-0002"]),
        (CallRecordFilter(business_key="TC-3"), ["call-0003"]),
        (CallRecordFilter(code="PERMISSION_DENIED"), ["call-0004", "call-0003"]),
        (CallRecordFilter(reason="SCOPE_MISSING"), ["call-0004"]),
        (CallRecordFilter(code="PERMISSION_DENIED", reason="CALLER_NOT_ALLOWED"), ["call-0003"]),
        (CallRecordFilter(code="UNAUTHENTICATED"), ["call-0005"]),
    ],
    ids=["subject", "method", "business-key", "code", "reason", "code-and-reason", "no-principal"],
)
def test_records_are_filtered_by_principal_method_business_key_and_outcome(
    uow_factory, matching, expected
):
    keep(
        uow_factory,
        a_call_record(1),
        a_call_record(2, caller=CRM, method=CREATE, business_key="006-ACME-1"),
        a_call_record(3, code="PERMISSION_DENIED", reason="CALLER_NOT_ALLOWED"),
        a_call_record(4, code="PERMISSION_DENIED", reason="SCOPE_MISSING"),
        a_call_record(5, caller=None, code="UNAUTHENTICATED", reason="TOKEN_MISSING"),
    )
    assert listed(uow_factory, matching) == expected


def test_a_time_range_includes_its_start_and_excludes_its_end(uow_factory):
    keep(uow_factory, *(a_call_record(n) for n in range(1, 6)))
    second = dt.timedelta(seconds=1)
    matching = CallRecordFilter(since=NOW + 2 * second, until=NOW + 4 * second)
    assert listed(uow_factory, matching) == ["call-0003", "call-0002"]


def test_filters_hold_on_every_page(uow_factory):
    keep(uow_factory, *(a_call_record(n, caller=CRM if n % 2 else PSA) for n in range(1, 10)))
    pages = every_page(uow_factory, 2, CallRecordFilter(subject="crm-salesforce"))
    assert pages == [["call-0009", "call-0007"], ["call-0005", "call-0003"], ["call-0001"]]


def test_a_record_not_committed_is_not_kept(uow_factory):
    with uow_factory() as uow:
        uow.call_records.add(a_call_record(1))
    assert listed(uow_factory) == []
