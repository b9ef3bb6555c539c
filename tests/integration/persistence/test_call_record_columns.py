"""The call records' columns are as long as `audit.proto` declares, and both databases refuse a
value one character longer (the audit cuts values before writing; the schema is the backstop)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, update
from sqlalchemy.exc import DBAPIError

from adapters.declared_lengths import max_length
from adapters.persistence.call_records import SqlCallRecords
from adapters.persistence.tables import call_records
from domain.call_record import Caller, CallRecord
from o2c.v1 import audit_pb2

from .builders import NOW

RECORD, PRINCIPAL = audit_pb2.CallRecord, audit_pb2.CallPrincipal
DECLARED = {
    "subject": (PRINCIPAL, "subject"),
    "calling_system": (PRINCIPAL, "calling_system"),
    "method": (RECORD, "method"),
    "request_id": (RECORD, "request_id"),
    "business_key": (RECORD, "business_key"),
    "code": (RECORD, "code"),
    "reason": (RECORD, "reason"),
}
TOO_LONG = "value too long|CHECK constraint failed: ck_.*_length"  # PostgreSQL | SQLite


@pytest.fixture
def one_call(sessions) -> None:
    with sessions() as session:
        SqlCallRecords(session).add(
            CallRecord("call-1", NOW, Caller("psa-certinia", "psa"), "/m", "r-1", "TC-1", "OK", "")
        )
        session.commit()


@pytest.mark.parametrize("column", sorted(DECLARED))
def test_a_call_record_column_is_as_long_as_the_api_declares(column):
    assert call_records.c[column].type.length == max_length(*DECLARED[column])


@pytest.mark.parametrize("column", sorted(DECLARED))
def test_both_databases_refuse_a_value_one_character_longer_than_declared(engine, one_call, column):
    too_long = "é" * (max_length(*DECLARED[column]) + 1)
    with pytest.raises(DBAPIError, match=TOO_LONG), engine.begin() as connection:
        connection.execute(update(call_records).values({column: too_long}))


def test_every_length_check_is_there_after_all_migrations(engine):
    checks = {check["name"] for check in inspect(engine).get_check_constraints("call_records")}
    assert {f"ck_call_records_{column}_length" for column in DECLARED} <= checks
