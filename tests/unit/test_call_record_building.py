"""What the audit keeps of a call: who, which method, the request id and business key its
proto marks, the outcome — bounded to the declared lengths, never the token or the payload."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2
from support.requests import closed_won, time_entry

from domain.call_record import Caller
from domain.principal import CallingSystem, Principal
from entrypoints.grpc.call_audit import CallAudit, CallAuditor
from entrypoints.grpc.call_facts import business_key_of, business_key_path, is_mutating, reason_in
from entrypoints.grpc.errors import pack
from entrypoints.grpc.interceptors import Undecodable
from entrypoints.grpc.policies import method_path, o2c_methods
from o2c.v1 import engagement_pb2
from unit.fakes import FakeClock, FakeUnitOfWork, SequentialIds, Store

CREATE = "/o2c.v1.EngagementService/CreateServiceEngagement"
APPROVE = "/o2c.v1.BillingService/ApproveBillableEvent"
GET = "/o2c.v1.EngagementService/GetServiceEngagement"
LIST = "/o2c.v1.AuditService/ListCallRecords"
PSA = Principal("psa-certinia", CallingSystem.PSA, frozenset({"US01"}))


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def auditor(store) -> CallAuditor:
    return CallAuditor(lambda: FakeUnitOfWork(store), FakeClock(), SequentialIds("call"))


def test_an_allowed_call_is_kept_with_its_principal_method_ids_outcome_and_time(auditor, store):
    request = time_entry("K1", "eng-1")
    auditor.record(APPROVE, request, PSA, "OK", "")
    [record] = store.call_records
    assert record.caller == Caller("psa-certinia", "psa")
    assert (record.method, record.request_id) == (APPROVE, request.request_id)
    assert (record.business_key, record.code, record.reason) == ("TC-1-K1", "OK", "")
    assert (record.id, record.recorded_at) == ("call-1", FakeClock().now())


def test_the_business_key_of_an_engagement_is_the_opportunity_deep_in_the_request():
    assert business_key_of(closed_won("K1")) == "006-K1-US01"


def test_a_request_without_its_business_key_field_set_has_an_empty_one():
    request = closed_won("K1")
    request.ClearField("opportunity")
    assert business_key_of(request) == ""


def test_a_call_refused_before_authentication_is_kept_without_a_principal(auditor, store):
    auditor.on_denied(CREATE, closed_won("K1"), None, grpc.StatusCode.UNAUTHENTICATED, "NO_TOKEN")
    [record] = store.call_records
    assert (record.caller, record.code, record.reason) == (None, "UNAUTHENTICATED", "NO_TOKEN")
    assert record.business_key == "006-K1-US01"


def test_a_denied_read_is_not_kept(auditor, store):
    request = engagement_pb2.GetServiceEngagementRequest(engagement_id="eng-1")
    auditor.on_denied(GET, request, PSA, grpc.StatusCode.PERMISSION_DENIED, "CALLER_NOT_ALLOWED")
    assert store.call_records == []


def test_an_undecodable_request_is_kept_with_no_ids(auditor, store):
    auditor.record(CREATE, Undecodable("DecodeError"), PSA, "INVALID_ARGUMENT", "MALFORMED")
    [record] = store.call_records
    assert (record.request_id, record.business_key) == ("", "")


def test_over_long_and_hostile_values_are_cut_to_their_declared_lengths(auditor, store):
    request = closed_won("K1")
    request.request_id = "r" * 10_000
    request.opportunity.opportunity_id = "\x1b[31m" + "o" * 10_000
    principal = Principal("s" * 10_000, CallingSystem.CRM, frozenset({"*"}))
    auditor.record(CREATE, request, principal, "INVALID_ARGUMENT", "F" * 1_000)
    [record] = store.call_records
    assert (len(record.request_id), len(record.business_key)) == (128, 128)
    assert (len(record.caller.subject), len(record.reason)) == (255, 64)
    assert "\x1b" not in record.business_key


def test_neither_the_payload_nor_the_token_is_kept(auditor, store):
    request = closed_won("K1", account_name="Initech Secret Holdings")
    auditor.record(CREATE, request, PSA, "OK", "")
    kept = repr(store.call_records[0])
    assert "Initech Secret" not in kept and "90000" not in kept


def test_a_record_that_cannot_be_written_is_logged_and_never_fails_the_call(store):
    def broken_database():
        raise ConnectionError("database down")

    auditor = CallAuditor(broken_database, FakeClock(), SequentialIds())
    auditor.record(CREATE, closed_won("K1"), PSA, "OK", "")


@pytest.mark.parametrize(("method", "mutating"), [(CREATE, True), (APPROVE, True), (GET, False)])
def test_an_rpc_is_audited_unless_it_declares_no_side_effects(method, mutating):
    assert is_mutating(method) is mutating


def test_the_audit_list_itself_is_not_audited():
    assert not is_mutating(LIST)


@pytest.mark.parametrize("method", ["/grpc.health.v1.Health/Check", "/o2c.v1.Nope/Nothing"])
def test_methods_outside_o2cs_rpcs_are_not_audited(method):
    assert not is_mutating(method)


def test_the_reason_is_read_from_the_error_info_of_the_status_details():
    info = error_details_pb2.ErrorInfo(reason="OWNERSHIP_VIOLATION", domain="o2c.v1")
    status = status_pb2.Status(code=7, details=[pack(error_details_pb2.RetryInfo()), pack(info)])
    trailing = (("other", "x"), ("grpc-status-details-bin", status.SerializeToString()))
    assert reason_in(trailing) == "OWNERSHIP_VIOLATION"


class Context:
    """What the audit reads of a servicer context once the handler is done."""

    def __init__(self, code=None, trailing=()) -> None:
        self._code, self._trailing = code, trailing

    def code(self):
        return self._code

    def trailing_metadata(self):
        return self._trailing


def handler_raising(error: Exception):
    def handle(request, context):
        raise error

    return handle


def test_a_call_its_handler_refused_is_kept_with_the_code_and_reason_it_ended_with(auditor, store):
    info = error_details_pb2.ErrorInfo(reason="ROLE_NOT_ON_RATE_CARD", domain="o2c.v1")
    details = status_pb2.Status(code=9, details=[pack(info)]).SerializeToString()
    aborted = Context(grpc.StatusCode.FAILED_PRECONDITION, (("grpc-status-details-bin", details),))
    audited = CallAudit(auditor).audited(handler_raising(Exception("aborted")), APPROVE)
    with pytest.raises(Exception, match="aborted"):
        audited(time_entry("K1", "eng-1"), aborted)
    [record] = store.call_records
    assert (record.code, record.reason) == ("FAILED_PRECONDITION", "ROLE_NOT_ON_RATE_CARD")


def test_a_call_that_failed_unexpectedly_is_kept_as_internal(auditor, store):
    audited = CallAudit(auditor).audited(handler_raising(KeyError("bug")), APPROVE)
    with pytest.raises(KeyError):
        audited(time_entry("K1", "eng-1"), Context())
    assert [(r.code, r.reason) for r in store.call_records] == [("INTERNAL", "")]


MUTATING = [m for m in o2c_methods() if is_mutating(method_path(m))]


@pytest.mark.parametrize("method", MUTATING, ids=lambda method: method.name)
def test_every_rpc_that_changes_something_marks_the_business_key_of_its_request(method):
    assert business_key_path(method.input_type) != ()
