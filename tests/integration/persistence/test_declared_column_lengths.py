"""Every column holding a string a caller sends is as long as the API declares, no longer."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, update
from sqlalchemy.exc import DBAPIError

from adapters.declared_lengths import max_length
from adapters.persistence import tables
from domain.engagement import EngagementStatus
from o2c.v1 import billing_pb2, common_pb2, engagement_pb2, exceptions_pb2

from .builders import a_parked_exception, a_staged_time_entry, a_time_entry, an_engagement

OPPORTUNITY = engagement_pb2.ClosedWonOpportunity
ENGAGEMENT = engagement_pb2.ServiceEngagement
WORK_PACKAGE = engagement_pb2.WorkPackage
TIME_ENTRY = billing_pb2.TimeEntry
MONEY = common_pb2.Money
PARKED = exceptions_pb2.ParkedException
TOO_LONG = "value too long|CHECK constraint failed: ck_.*_length"  # PostgreSQL | SQLite
ROW_BUILT = ("engagements", "work_packages", "billable_events", "exceptions")

DECLARED = {
    "engagements.opportunity_id": [(OPPORTUNITY, "opportunity_id")],
    "engagements.account_id": [(OPPORTUNITY, "account_id")],
    "engagements.account_name": [(OPPORTUNITY, "account_name")],
    "engagements.legal_entity_code": [(OPPORTUNITY, "legal_entity_code")],
    "engagements.currency": [(OPPORTUNITY, "currency_code")],
    "engagements.contract_value_currency": [(MONEY, "currency_code")],
    "engagements.erp_legal_entity": [(ENGAGEMENT, "erp_legal_entity")],
    "engagements.tax_registration": [(ENGAGEMENT, "tax_registration")],
    "engagements.erp_customer_number": [(engagement_pb2.ErpCustomerAccount, "customer_number")],
    "work_packages.code": [(WORK_PACKAGE, "code")],
    "work_packages.name": [(WORK_PACKAGE, "name")],
    "work_packages.region": [(WORK_PACKAGE, "region")],
    "work_packages.psa_project_id": [(WORK_PACKAGE, "psa_project_id")],
    "billable_events.source_id": [(TIME_ENTRY, "source_id")],
    "billable_events.resource": [(TIME_ENTRY, "resource")],
    "billable_events.role": [(TIME_ENTRY, "role")],
    "billable_events.rate_currency": [(MONEY, "currency_code")],
    "billable_events.amount_currency": [(MONEY, "currency_code")],
    "exceptions.business_key": [(PARKED, "business_key")],
    "request_ledger.request_id": [
        (engagement_pb2.CreateServiceEngagementRequest, "request_id"),
        (billing_pb2.ApproveBillableEventRequest, "request_id"),
    ],
}


def column(qualified_name: str):
    table, name = qualified_name.split(".")
    return tables.metadata.tables[table].c[name]


@pytest.mark.parametrize("qualified_name", sorted(DECLARED))
def test_a_column_holding_a_callers_string_is_as_long_as_the_api_declares(qualified_name):
    longest = max(max_length(message, field) for message, field in DECLARED[qualified_name])

    assert column(qualified_name).type.length == longest


@pytest.fixture
def one_row_each(uow_factory) -> None:
    engagement = an_engagement(packages=("EMEA-1",), status=EngagementStatus.ACTIVE)
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.exceptions.add(a_parked_exception())
        uow.commit()
    with uow_factory() as uow:
        uow.billable_events.add(a_staged_time_entry(engagement, a_time_entry(engagement)))
        uow.commit()


def overwrite(engine, qualified_name: str, value: str) -> None:
    target = column(qualified_name)
    with engine.begin() as connection:
        connection.execute(update(target.table).values({target.name: value}))


WITH_A_ROW = sorted(name for name in DECLARED if name.split(".")[0] in ROW_BUILT)


@pytest.mark.parametrize("qualified_name", WITH_A_ROW)
def test_both_databases_refuse_a_value_one_character_longer_than_declared(
    engine, one_row_each, qualified_name
):
    too_long = "é" * (column(qualified_name).type.length + 1)

    with pytest.raises(DBAPIError, match=TOO_LONG):
        overwrite(engine, qualified_name, too_long)


@pytest.mark.parametrize("qualified_name", WITH_A_ROW)
def test_both_databases_count_the_declared_length_in_characters_not_bytes(
    engine, one_row_each, qualified_name
):
    overwrite(engine, qualified_name, "é" * column(qualified_name).type.length)


def test_every_declared_column_keeps_its_length_check_after_all_migrations(engine):
    inspector = inspect(engine)
    checks = {
        check["name"]
        for table in {name.split(".")[0] for name in DECLARED}
        for check in inspector.get_check_constraints(table)
    }

    expected = {f"ck_{name.replace('.', '_')}_length" for name in DECLARED}
    assert expected <= checks, sorted(expected - checks)


def test_the_audit_holds_a_refused_approval_under_the_longest_system_and_source_id():
    longest = max(len(f"{system}:") for system in ("crm", "psa", "erp", "billing"))
    longest += max_length(TIME_ENTRY, "source_id")
    assert column("audit_log.business_key").type.length >= longest
