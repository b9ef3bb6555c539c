"""The simulated Salesforce org holds o2c to REST's wire format: the JWT bearer exchange, the
bearer token, the API allocation and its header, field schemas, upsert by external id, SOQL
with its pages, composite, and Salesforce's error array."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx
import jwt
import pytest
from support.netsuite import private_key_pem
from support.salesforce import AUDIENCE, CONSUMER_KEY, USERNAME, an_org

from simulators.salesforce_auth import GRANT_TYPE, TOKEN_PATH
from simulators.salesforce_schema import Field, SObject, lookup

DATA = "/services/data/v62.0"


@pytest.fixture
def org():
    simulator = an_org()
    yield simulator
    simulator.stop()


@pytest.fixture
def http(org):
    with httpx.Client(base_url=org.url, timeout=10) as client:
        yield client


def ask_token(http: httpx.Client, **claims: Any) -> httpx.Response:
    key = claims.pop("key", private_key_pem("salesforce"))
    signed = jwt.encode(
        {"iss": CONSUMER_KEY, "sub": USERNAME, "aud": AUDIENCE, "exp": int(time.time()) + 120}
        | claims,
        key,
        "RS256",
    )
    return http.post(TOKEN_PATH, data={"grant_type": GRANT_TYPE, "assertion": signed})


@pytest.fixture
def signed_in(http) -> httpx.Client:
    session = ask_token(http).json()
    http.headers["Authorization"] = f"Bearer {session['access_token']}"
    return http


def an_account(http: httpx.Client, name: str = "Acme Corp", **fields: Any) -> str:
    response = http.post(f"{DATA}/sobjects/Account", json={"Name": name, **fields})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_the_jwt_bearer_flow_answers_a_token_and_the_instance_to_call(org, http):
    session = ask_token(http).json()

    assert session["instance_url"] == org.url and session["token_type"] == "Bearer"
    assert "refresh_token" not in session


def test_a_jwt_for_another_user_or_signed_with_another_key_is_refused(http):
    stranger = ask_token(http, sub="someone@else.example")
    forged = ask_token(http, key=private_key_pem("forger"))

    assert (stranger.status_code, stranger.json()["error"]) == (400, "invalid_grant")
    assert (forged.status_code, forged.json()["error"]) == (400, "invalid_grant")


def test_a_call_without_a_valid_session_is_refused_with_salesforces_error_array(http):
    response = http.get(f"{DATA}/sobjects/Account/001000000000001AAA")

    assert response.status_code == 401
    assert response.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID", "fields": []}
    ]


def test_every_answer_reports_the_api_usage_and_past_the_allocation_calls_are_refused(http):
    org = an_org(request_limit=2)
    try:
        http = httpx.Client(base_url=org.url, timeout=10)
        http.headers["Authorization"] = f"Bearer {ask_token(http).json()['access_token']}"
        first = http.get(f"{DATA}/query", params={"q": "SELECT Id FROM Account"})
        http.get(f"{DATA}/query", params={"q": "SELECT Id FROM Account"})
        refused = http.get(f"{DATA}/query", params={"q": "SELECT Id FROM Account"})
    finally:
        org.stop()

    assert first.headers["Sforce-Limit-Info"] == "api-usage=1/2"
    assert refused.status_code == 403
    assert refused.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    assert refused.headers["Sforce-Limit-Info"] == "api-usage=2/2"


def test_long_running_requests_past_the_orgs_limit_are_refused():
    org = an_org(concurrent_limit=2, long_request_seconds=0.0, latency=0.3)
    try:
        with httpx.Client(base_url=org.url, timeout=10) as http:
            token = ask_token(http).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            with ThreadPoolExecutor(4) as pool:
                codes = list(
                    pool.map(
                        lambda _: http.get(f"{DATA}/sobjects/Account/x", headers=headers),
                        range(4),
                    )
                )
    finally:
        org.stop()

    refused = [r for r in codes if r.status_code == 403]
    assert refused and all(r.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED" for r in refused)


def test_fields_the_object_does_not_have_or_must_have_are_refused_by_name(signed_in):
    unknown = signed_in.post(f"{DATA}/sobjects/Account", json={"Name": "A", "Colour__c": "red"})
    missing = signed_in.post(f"{DATA}/sobjects/Opportunity", json={"Name": "Deal"})

    assert (unknown.status_code, unknown.json()[0]["errorCode"]) == (400, "INVALID_FIELD")
    assert missing.json()[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert set(missing.json()[0]["fields"]) == {"StageName", "CloseDate"}


def test_a_read_only_field_is_not_written(signed_in):
    refused = signed_in.post(f"{DATA}/sobjects/Account", json={"Name": "A", "CreatedDate": "x"})

    assert refused.json()[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def status_url(key: str, version: str = DATA) -> str:
    return f"{version}/sobjects/o2c_Invoice_Status__c/o2c_Key__c/{key}"


def test_an_upsert_creates_then_updates_the_record_its_external_id_names(signed_in):
    account = an_account(signed_in)
    body = {"o2c_Account__c": account, "o2c_Invoice_Number__c": "INV-1", "o2c_Status__c": "paid"}

    created = signed_in.patch(status_url("K-1"), json=body)
    updated = signed_in.patch(status_url("K-1"), json=body)
    before_v46 = signed_in.patch(status_url("K-1", "/services/data/v45.0"), json=body)

    assert created.status_code == 201 and created.json()["created"] is True
    assert updated.status_code == 200 and updated.json()["id"] == created.json()["id"]
    assert updated.json()["created"] is False
    assert before_v46.status_code == 204


def test_an_upsert_carrying_its_external_id_or_id_in_the_body_is_refused(signed_in):
    account = an_account(signed_in)
    body = {"o2c_Account__c": account, "o2c_Invoice_Number__c": "INV-1", "o2c_Key__c": "K-1"}

    refused = signed_in.patch(status_url("K-1"), json=body)

    assert (refused.status_code, refused.json()[0]["errorCode"]) == (400, "INVALID_FIELD")


def test_an_upsert_matching_several_records_answers_300_with_their_urls(org, signed_in):
    org.schemas.add_fields("Account", Field("Legacy_Number__c", external_id=True))
    twins = [an_account(signed_in, name, Legacy_Number__c="L-7") for name in ("A", "B")]

    several = signed_in.patch(f"{DATA}/sobjects/Account/Legacy_Number__c/L-7", json={"Name": "C"})

    assert several.status_code == 300
    assert sorted(several.json()) == sorted(f"{DATA}/sobjects/Account/{i}" for i in twins)


def test_a_lookup_to_no_record_is_refused(signed_in):
    body = {"o2c_Account__c": "001NOSUCHACCOUNT", "o2c_Invoice_Number__c": "INV-1"}

    refused = signed_in.patch(status_url("K-2"), json=body)

    assert refused.json()[0]["errorCode"] == "INVALID_CROSS_REFERENCE_KEY"


def test_a_query_is_answered_page_by_page_through_next_records_url(http):
    org = an_org(batch_size=2)
    try:
        http = httpx.Client(base_url=org.url, timeout=10)
        http.headers["Authorization"] = f"Bearer {ask_token(http).json()['access_token']}"
        for name in ("A", "B", "C"):
            an_account(http, name)
        first = http.get(f"{DATA}/query", params={"q": "SELECT Name FROM Account ORDER BY Name"})
        second = http.get(first.json()["nextRecordsUrl"])
    finally:
        org.stop()

    assert (first.json()["done"], first.json()["totalSize"]) == (False, 3)
    assert [r["Name"] for r in first.json()["records"] + second.json()["records"]] == list("ABC")
    assert second.json()["done"] is True and "nextRecordsUrl" not in second.json()


def test_a_query_reads_parent_fields_through_the_lookups_relationship(org, signed_in):
    account = an_account(signed_in, "Acme Corp", Industry="Manufacturing")
    org.seed(
        "Opportunity",
        {"Name": "D", "AccountId": account, "StageName": "Closed Won", "CloseDate": "2026-12-01"},
    )
    soql = "SELECT Name, Account.Name, Account.Industry FROM Opportunity WHERE Name = 'd'"

    [row] = signed_in.get(f"{DATA}/query", params={"q": soql}).json()["records"]

    assert row["Account"]["Name"] == "Acme Corp" and row["Account"]["Industry"] == "Manufacturing"
    assert row["attributes"]["type"] == "Opportunity"


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Id FROM Account WHERE Name = 'A' OR Name = 'B'", "MALFORMED_QUERY"),
        ("SELECT COUNT() FROM Account", "MALFORMED_QUERY"),
        ("SELECT Colour__c FROM Account", "INVALID_FIELD"),
        ("SELECT Owner.Name FROM Account", "INVALID_FIELD"),
        ("SELECT Id FROM Invoice__c", "INVALID_TYPE"),
    ],
)
def test_soql_the_org_does_not_answer_is_refused_with_salesforces_code(signed_in, soql, code):
    refused = signed_in.get(f"{DATA}/query", params={"q": soql})

    assert (refused.status_code, refused.json()[0]["errorCode"]) == (400, code)


def composite(http: httpx.Client, all_or_none: bool, *subrequests: dict[str, Any]) -> Any:
    body = {"allOrNone": all_or_none, "compositeRequest": list(subrequests)}
    response = http.post(f"{DATA}/composite", json=body)
    assert response.status_code == 200, response.text
    return response.json()["compositeResponse"]


def test_composite_subrequests_reference_earlier_results_and_count_as_one_call(org, signed_in):
    used_before = org.api_usage[0]
    answers = composite(
        signed_in,
        True,
        {"method": "POST", "url": f"{DATA}/sobjects/Account", "referenceId": "acme",
         "body": {"Name": "Acme Corp"}},
        {"method": "POST", "url": f"{DATA}/sobjects/Opportunity", "referenceId": "deal",
         "body": {"Name": "D", "AccountId": "@{acme.id}", "StageName": "Prospecting",
                  "CloseDate": "2026-12-01"}},
    )  # fmt: skip

    assert [a["httpStatusCode"] for a in answers] == [201, 201]
    assert (
        org.record("Opportunity", answers[1]["body"]["id"])["AccountId"] == answers[0]["body"]["id"]
    )
    assert org.api_usage[0] == used_before + 1


def test_a_failed_subrequest_rolls_all_back_when_all_or_none(org, signed_in):
    answers = composite(
        signed_in,
        True,
        {"method": "POST", "url": f"{DATA}/sobjects/Account", "referenceId": "acme",
         "body": {"Name": "Acme Corp"}},
        {"method": "POST", "url": f"{DATA}/sobjects/Opportunity", "referenceId": "deal",
         "body": {"Name": "D"}},
    )  # fmt: skip

    assert answers[0]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert answers[1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert org.find("Account", "Name", "Acme Corp") is None


def test_more_than_25_subrequests_are_refused(signed_in):
    many = [
        {"method": "GET", "url": f"{DATA}/query?q=SELECT+Id+FROM+Account", "referenceId": f"q{n}"}
        for n in range(26)
    ]

    refused = signed_in.post(f"{DATA}/composite", json={"compositeRequest": many})

    assert refused.status_code == 400


def test_another_products_objects_are_registered_as_schemas(org, signed_in):
    org.schemas.register(
        SObject.of(
            "pse__Proj__c",
            "a0X",
            Field("Name", required=True),
            lookup("pse__Account__c", "Account"),
            Field("pse__Is_Active__c", "boolean"),
        )
    )
    account = an_account(signed_in)

    created = signed_in.post(
        f"{DATA}/sobjects/pse__Proj__c",
        json={"Name": "Acme - NA", "pse__Account__c": account, "pse__Is_Active__c": True},
    )
    soql = "SELECT Name, pse__Account__r.Name FROM pse__Proj__c WHERE pse__Is_Active__c = true"
    [row] = signed_in.get(f"{DATA}/query", params={"q": soql}).json()["records"]

    assert created.status_code == 201 and row["pse__Account__r"]["Name"] == "Acme Corp"


def test_amounts_are_kept_to_the_fields_scale_and_answered_as_numbers(org, signed_in):
    account = an_account(signed_in)
    signed_in.patch(
        status_url("K-3"),
        json={"o2c_Account__c": account, "o2c_Invoice_Number__c": "I", "o2c_Total__c": 10.005},
    )

    shown = signed_in.get(status_url("K-3")).json()

    assert shown["o2c_Total__c"] == 10.01
    assert org.find("o2c_Invoice_Status__c", "o2c_Key__c", "K-3")["o2c_Total__c"] == Decimal(
        "10.01"
    )
