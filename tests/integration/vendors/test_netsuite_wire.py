"""The simulated NetSuite account holds o2c to SuiteTalk REST's wire format: its token
exchange, paths, field names, idempotency, error body and concurrency limit."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import jwt
import pytest
from support.netsuite import (
    CERTIFICATE_ID,
    CLIENT_ID,
    SUBSIDIARIES,
    an_integration,
    private_key_pem,
)

from adapters.vendors.netsuite.auth import ASSERTION_TYPE, TOKEN_PATH, token_form
from adapters.vendors.netsuite.settings import NetSuiteSettings
from simulators.netsuite import NetSuiteSimulator

RECORDS = "/services/rest/record/v1/"
SUITEQL = "/services/rest/query/v1/suiteql"


@pytest.fixture
def account():
    simulator = NetSuiteSimulator(an_integration(), subsidiaries=SUBSIDIARIES).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def http(account):
    with httpx.Client(base_url=account.url, timeout=10) as client:
        yield client


def assertion(account: NetSuiteSimulator, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": CLIENT_ID,
        "scope": ["restlets", "rest_webservices"],
        "aud": account.url + TOKEN_PATH,
        "iat": now,
        "exp": now + 300,
    }
    key = overrides.pop("key", private_key_pem())
    kid = overrides.pop("kid", CERTIFICATE_ID)
    return jwt.encode({**claims, **overrides}, key, "PS256", headers={"kid": kid})


def ask_token(http: httpx.Client, signed: str) -> httpx.Response:
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": signed,
    }
    return http.post(TOKEN_PATH, data=form)


@pytest.fixture
def signed_in(account, http) -> httpx.Client:
    token = ask_token(http, assertion(account)).json()["access_token"]
    http.headers["Authorization"] = f"Bearer {token}"
    return http


def a_customer(http: httpx.Client, eid: str = "US-SUB-1.001-ACME") -> httpx.Response:
    body = {"companyName": "Acme", "subsidiary": {"id": "US-SUB-1"}, "currency": {"id": "1"}}
    return http.put(f"{RECORDS}customer/eid:{eid}", json=body)


def an_invoice(**changes: Any) -> dict[str, Any]:
    body = {
        "externalId": "inv-1",
        "tranId": "US01-2026-000001",
        "entity": {"externalId": "US-SUB-1.001-ACME"},
        "subsidiary": {"id": "US-SUB-1"},
        "tranDate": "2026-12-31",
        "dueDate": "2027-01-30",
        "currency": {"id": "1"},
        "item": {"items": [{"description": "Time", "amount": 1000.0, "tax1Amt": 200.0}]},
    }
    return {key: value for key, value in {**body, **changes}.items() if value is not None}


def key_header() -> dict[str, str]:
    return {"X-NetSuite-Idempotency-Key": str(uuid.uuid4())}


def error_detail(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"type", "title", "status", "o:errorDetails"}
    assert body["status"] == response.status_code
    assert response.headers["Content-Type"].startswith("application/vnd.oracle.resource+json")
    detail: dict[str, Any] = body["o:errorDetails"][0]
    return detail


def test_a_token_is_granted_for_an_assertion_signed_with_the_registered_key(account, http):
    answer = ask_token(http, assertion(account))

    assert answer.status_code == 200
    assert answer.json()["token_type"] == "Bearer" and answer.json()["expires_in"] == 3600


@pytest.mark.parametrize("algorithm", ["PS256", "RS256"])
def test_the_adapters_own_assertion_is_accepted(account, http, algorithm):
    settings = NetSuiteSettings(
        account.url, CLIENT_ID, CERTIFICATE_ID, private_key_pem(), algorithm=algorithm
    )
    assert http.post(TOKEN_PATH, data=token_form(settings, time.time())).status_code == 200


@pytest.mark.parametrize(
    "wrong",
    [
        {"key": private_key_pem("someone else")},
        {"kid": "another-certificate"},
        {"iss": "another-client"},
        {"aud": "https://elsewhere/token"},
        {"exp": int(time.time()) + 7200},
        {"exp": int(time.time()) - 10, "iat": int(time.time()) - 100},
        {"scope": ["restlets"]},
    ],
    ids=["key", "kid", "iss", "aud", "over-an-hour", "expired", "scope"],
)
def test_an_assertion_that_is_not_the_integrations_gets_no_token(account, http, wrong):
    answer = ask_token(http, assertion(account, **wrong))

    assert answer.status_code == 400
    assert answer.json()["error"] in {"invalid_client", "invalid_scope"}


def test_a_token_request_of_another_grant_type_is_refused(account, http):
    form = {"grant_type": "password", "client_assertion_type": ASSERTION_TYPE}
    assert http.post(TOKEN_PATH, data=form).json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize("authorization", [None, "Bearer forged", "Basic dXNlcjpwYXNz"])
def test_the_record_api_refuses_a_call_without_a_live_bearer_token(http, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    answer = http.get(f"{RECORDS}invoice/eid:inv-1", headers=headers)

    assert answer.status_code == 401
    assert error_detail(answer)["o:errorCode"] == "INVALID_LOGIN"


def test_an_expired_token_is_refused(account, signed_in):
    account.expire_tokens()
    assert signed_in.get(f"{RECORDS}invoice/eid:inv-1").status_code == 401


def test_a_customer_upsert_answers_204_with_its_location_and_keeps_its_id(signed_in):
    first = a_customer(signed_in)
    again = a_customer(signed_in)

    assert first.status_code == 204 and not first.content
    assert first.headers["Location"] == again.headers["Location"]
    assert "/services/rest/record/v1/customer/" in first.headers["Location"]


def test_customers_are_upserted_only_by_external_id(signed_in):
    answer = signed_in.post(f"{RECORDS}customer", json={"companyName": "Acme"})
    assert answer.status_code == 405


def test_a_customer_without_a_name_is_refused_naming_the_field(signed_in):
    body = {"subsidiary": {"id": "US-SUB-1"}, "currency": {"id": "1"}}
    answer = signed_in.put(f"{RECORDS}customer/eid:X", json=body)

    assert answer.status_code == 400
    assert error_detail(answer)["o:errorPath"] == "companyName"


def test_an_invoice_is_created_with_204_and_read_back_by_external_id(signed_in):
    a_customer(signed_in)
    created = signed_in.post(f"{RECORDS}invoice", json=an_invoice(), headers=key_header())
    read = signed_in.get(f"{RECORDS}invoice/eid:inv-1")

    assert created.status_code == 204
    assert created.headers["Location"].endswith(f"/invoice/{read.json()['id']}")
    assert read.json()["tranId"] == "US01-2026-000001"
    assert read.json()["subsidiary"] == {"id": "US-SUB-1"}


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"subsidiary": None}, "subsidiary"),
        ({"subsidiary": {"id": "DE-SUB-9"}}, "subsidiary"),
        ({"subsidiary": {"id": "GB-SUB-2"}}, "subsidiary"),
        ({"entity": {"externalId": "nobody"}}, "entity"),
        ({"currency": "USD"}, "currency"),
        ({"tranDate": "31/12/2026"}, "tranDate"),
        ({"item": {"items": []}}, "item"),
        ({"item": {"items": [{"description": "Time", "amount": "1000"}]}}, "item.items[0].amount"),
    ],
    ids=["no-subsidiary", "unknown-subsidiary", "customer-elsewhere", "unknown-customer",
         "currency-not-a-reference", "date-format", "no-lines", "amount-as-text"],
)  # fmt: skip
def test_a_malformed_invoice_is_refused_naming_the_field(signed_in, changes, path):
    a_customer(signed_in)
    answer = signed_in.post(f"{RECORDS}invoice", json=an_invoice(**changes), headers=key_header())

    assert answer.status_code == 400
    assert error_detail(answer)["o:errorPath"] == path
    assert signed_in.get(f"{RECORDS}invoice/eid:inv-1").status_code == 404


def test_a_repeated_idempotency_key_is_refused_with_idempotency_error(signed_in):
    a_customer(signed_in)
    key = key_header()
    signed_in.post(f"{RECORDS}invoice", json=an_invoice(), headers=key)
    again = signed_in.post(f"{RECORDS}invoice", json=an_invoice(externalId="inv-2"), headers=key)

    assert again.status_code == 400
    assert error_detail(again)["o:errorCode"] == "IDEMPOTENCY_ERROR"
    assert signed_in.get(f"{RECORDS}invoice/eid:inv-2").status_code == 404


def test_an_idempotency_key_must_be_a_uuid(signed_in):
    a_customer(signed_in)
    headers = {"X-NetSuite-Idempotency-Key": "inv-1"}
    answer = signed_in.post(f"{RECORDS}invoice", json=an_invoice(), headers=headers)
    assert error_detail(answer)["o:errorPath"] == "X-NetSuite-Idempotency-Key"


def test_a_second_invoice_with_the_same_external_id_is_refused(signed_in):
    a_customer(signed_in)
    signed_in.post(f"{RECORDS}invoice", json=an_invoice(), headers=key_header())
    again = signed_in.post(f"{RECORDS}invoice", json=an_invoice(), headers=key_header())

    assert again.status_code == 400
    assert error_detail(again)["o:errorPath"] == "externalId"


def test_a_credit_memo_must_be_created_from_an_existing_invoice(signed_in):
    a_customer(signed_in)
    memo = an_invoice(externalId="cn-1", tranId="US01-CN-1", createdFrom={"id": "999"})
    answer = signed_in.post(f"{RECORDS}creditMemo", json=memo, headers=key_header())

    assert answer.status_code == 400
    assert error_detail(answer)["o:errorPath"] == "createdFrom"


def test_suiteql_needs_prefer_transient(signed_in):
    query = {"q": "SELECT id FROM transaction WHERE type = 'CustInvc' AND tranid = 'X'"
                  " AND subsidiary = 'US-SUB-1'"}  # fmt: skip
    refused = signed_in.post(SUITEQL, json=query)
    answered = signed_in.post(SUITEQL, json=query, headers={"Prefer": "transient"})

    assert refused.status_code == 400 and error_detail(refused)["o:errorPath"] == "Prefer"
    assert answered.status_code == 200
    assert answered.json() | {"items": []} == {
        "links": [], "count": 0, "hasMore": False, "items": [], "offset": 0, "totalResults": 0
    }  # fmt: skip


def test_a_query_the_simulator_does_not_answer_is_refused(signed_in):
    answer = signed_in.post(
        SUITEQL, json={"q": "SELECT * FROM customer"}, headers={"Prefer": "transient"}
    )
    assert answer.status_code == 400


def test_over_the_concurrency_limit_the_account_answers_429():
    account = NetSuiteSimulator(an_integration(), concurrency_limit=2, latency=0.2).start()
    try:
        with (
            httpx.Client(base_url=account.url, timeout=10) as http,
            ThreadPoolExecutor(max_workers=6) as pool,
        ):
            answers = list(pool.map(lambda _: http.get(f"{RECORDS}invoice/eid:x"), range(6)))
    finally:
        account.stop()

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(429) >= 1 and 401 in statuses
    assert error_detail(next(a for a in answers if a.status_code == 429))["o:errorCode"]
