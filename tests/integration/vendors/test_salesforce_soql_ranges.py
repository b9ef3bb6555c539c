"""The simulated org's SOQL compares numbers, dates and datetimes by range as Salesforce does:
unquoted date and datetime literals, each field compared only with a value of its own type, and
anything else refused with MALFORMED_QUERY."""

from __future__ import annotations

from decimal import Decimal

import pytest
from support.salesforce import a_client, an_org

from adapters.vendors.salesforce.errors import SalesforceRejected
from simulators.salesforce_records import Records, Refusal
from simulators.salesforce_schema import default_schemas
from simulators.salesforce_soql import run

DATA = "/services/data/v62.0"


@pytest.fixture
def records() -> Records:
    org = Records(default_schemas())
    org.create("Account", {"Name": "Acme Corp"}, record_id="001-ACME")
    for name, amount, close_date in [
        ("small", "900", "2026-11-30"),
        ("medium", "1000", "2026-12-01"),
        ("large", "4999.99", "2026-12-15"),
        ("huge", "5000", "2027-01-31"),
        ("unpriced", None, "2026-12-01"),
    ]:
        fields = {"Name": name, "StageName": "Prospecting", "CloseDate": close_date}
        org.create("Opportunity", {**fields, "Amount": amount and Decimal(amount)}, admin=True)
    for number, as_of in [
        ("1", "2027-01-05T11:59:59.999Z"),
        ("2", "2027-01-05T12:00:00.000Z"),
        ("3", "2027-01-05T12:00:00.001Z"),
    ]:
        fields = {"o2c_Account__c": "001-ACME", "o2c_Invoice_Number__c": number}
        org.create("o2c_Invoice_Status__c", {**fields, "o2c_As_Of__c": as_of})
    return org


def names(records: Records, soql: str) -> list[str]:
    return [row.get("Name") or row["o2c_Invoice_Number__c"] for row in run(soql, records, DATA)]


@pytest.mark.parametrize(
    ("where", "found"),
    [
        ("Amount >= 1000 AND Amount < 5000", ["medium", "large"]),
        ("Amount > 999.5", ["medium", "large", "huge"]),
        ("Amount <= 900", ["small"]),
        ("Amount != 1000", ["small", "large", "huge", "unpriced"]),
        ("CloseDate > 2026-12-01", ["large", "huge"]),
        ("CloseDate <= 2026-12-01 AND CloseDate >= 2026-12-01", ["medium", "unpriced"]),
        ("CloseDate = 2026-11-30", ["small"]),
        ("CloseDate != 2026-12-01", ["small", "large", "huge"]),
    ],
)
def test_numbers_and_dates_compare_by_range(records, where, found):
    soql = f"SELECT Name FROM Opportunity WHERE {where} ORDER BY Amount"

    assert sorted(names(records, soql)) == sorted(found)


@pytest.mark.parametrize(
    ("where", "found"),
    [
        ("o2c_As_Of__c >= 2027-01-05T12:00:00Z", ["2", "3"]),
        ("o2c_As_Of__c > 2027-01-05T12:00:00Z", ["3"]),
        ("o2c_As_Of__c < 2027-01-05T13:00:00+01:00", ["1"]),
        ("o2c_As_Of__c <= 2027-01-05T12:00:00.001Z", ["1", "2", "3"]),
        ("o2c_As_Of__c = 2027-01-05T07:00:00-05:00", ["2"]),
    ],
)
def test_datetimes_compare_as_moments_whatever_their_offset(records, where, found):
    soql = f"SELECT o2c_Invoice_Number__c FROM o2c_Invoice_Status__c WHERE {where}"

    assert sorted(names(records, soql)) == found


@pytest.mark.parametrize(
    "where",
    [
        "Amount > '1000'",  # a number in quotes
        "CloseDate > '2026-12-01'",  # a date in quotes
        "CloseDate > 2026-12-01T00:00:00Z",  # a datetime for a date
        "Amount > 2026-12-01",  # a date for a number
        "Name > 'M'",  # ranges over text: not answered by this org
        "Amount > null",
        "CloseDate > 2026-13-45",
        "Amount >> 5",
        "Amount <> 5",
        "Amount => 5",
        "CloseDate > 2026-12-01T25:00:00Z",
    ],
)
def test_a_comparison_salesforce_would_not_run_is_malformed(records, where):
    with pytest.raises(Refusal) as refused:
        run(f"SELECT Name FROM Opportunity WHERE {where}", records, DATA)

    assert (refused.value.status, refused.value.code) == (400, "MALFORMED_QUERY")


def test_a_statement_longer_than_100000_characters_is_malformed(records):
    ids = ", ".join(f"'006{n:015d}'" for n in range(6000))

    with pytest.raises(Refusal, match="cannot be longer") as refused:
        run(f"SELECT Name FROM Opportunity WHERE Id IN ({ids})", records, DATA)

    assert refused.value.code == "MALFORMED_QUERY"


def test_a_datetime_with_its_offset_travels_in_the_query_string():
    org = an_org()
    client = a_client(org)
    try:
        org.seed("Account", {"Name": "Acme Corp"}, "001-ACME")
        fields = {"o2c_Account__c": "001-ACME", "o2c_Invoice_Number__c": "1"}
        org.seed("o2c_Invoice_Status__c", {**fields, "o2c_As_Of__c": "2027-01-05T12:00:00Z"})
        statuses = "SELECT Id FROM o2c_Invoice_Status__c WHERE o2c_As_Of__c"
        found = client.query(f"{statuses} > 2027-01-05T12:30:00+01:00")
        with pytest.raises(SalesforceRejected, match="MALFORMED_QUERY"):
            client.query(f"{statuses} > 2027-01-05")
    finally:
        client.close()
        org.stop()

    assert len(found) == 1
