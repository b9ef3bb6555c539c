"""NetSuite's answers in o2c's words: what is worth retrying (429, 5xx, timeouts, dropped
connections, with Retry-After read) and what is a refusal carrying NetSuite's own detail.
NetSuite is played here by a hand-written transport, to give answers the simulator never does."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from contracts.ledgers import a_document, a_ledger_customer
from support.netsuite import CERTIFICATE_ID, CLIENT_ID, private_key_pem

from adapters.vendors.netsuite.auth import TOKEN_PATH
from adapters.vendors.netsuite.client import NetSuiteClient
from adapters.vendors.netsuite.ledger import NetSuiteLedger
from adapters.vendors.netsuite.settings import NetSuiteSettings
from application.errors import VendorRejected, VendorUnavailable

URL = "https://1234567.suitetalk.api.netsuite.com"
TOKEN = {"access_token": "t", "token_type": "Bearer", "expires_in": 3600}
Answer = Callable[[httpx.Request], httpx.Response]


def netsuite_answering(answer: Answer) -> NetSuiteLedger:
    def transport(request: httpx.Request) -> httpx.Response:
        if request.url.path == TOKEN_PATH:
            return httpx.Response(200, json=TOKEN)
        return answer(request)

    settings = NetSuiteSettings(URL, CLIENT_ID, CERTIFICATE_ID, private_key_pem())
    http = httpx.Client(base_url=URL, transport=httpx.MockTransport(transport))
    return NetSuiteLedger(settings, NetSuiteClient(settings, http))


def error_body(status: int, code: str, detail: str, path: str = "") -> dict[str, Any]:
    found = {"detail": detail, "o:errorCode": code} | ({"o:errorPath": path} if path else {})
    return {"type": "t", "title": "Error", "status": status, "o:errorDetails": [found]}


def raising(error: Exception) -> Answer:
    def answer(_request: httpx.Request) -> httpx.Response:
        raise error

    return answer


@pytest.mark.parametrize(
    ("answer", "retry_after"),
    [
        (lambda _: httpx.Response(429, headers={"Retry-After": "7"}), 7.0),
        (lambda _: httpx.Response(429, json=error_body(429, "LIMIT", "Over")), None),
        (lambda _: httpx.Response(503, headers={"Retry-After": "2"}, text="<html>"), 2.0),
        (lambda _: httpx.Response(500, json=error_body(500, "UNEXPECTED_ERROR", "Oops")), None),
        (raising(httpx.ReadTimeout("read timed out")), None),
        (raising(httpx.ConnectError("connection refused")), None),
        (raising(httpx.RemoteProtocolError("server disconnected")), None),
    ],
    ids=["429", "429-no-retry-after", "503-html", "500", "timeout", "refused", "dropped"],
)
def test_transient_failures_are_unavailable_with_netsuites_retry_after(answer, retry_after):
    ledger = netsuite_answering(answer)

    with pytest.raises(VendorUnavailable) as failed:
        ledger.upsert_customer(a_ledger_customer())
    assert failed.value.system == "netsuite"
    assert failed.value.retry_after == retry_after


def test_a_retry_after_given_as_a_date_is_read_as_seconds_from_now():
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    ledger = netsuite_answering(lambda _: httpx.Response(429, headers={"Retry-After": later}))

    with pytest.raises(VendorUnavailable) as failed:
        ledger.upsert_customer(a_ledger_customer())
    assert 25 <= (failed.value.retry_after or 0) <= 31


def test_a_refusal_carries_netsuites_code_path_and_detail():
    body = error_body(400, "USER_ERROR", "Invalid Field Value 9 for subsidiary", "subsidiary")
    ledger = netsuite_answering(lambda _: httpx.Response(400, json=body))

    with pytest.raises(VendorRejected) as refused:
        ledger.upsert_customer(a_ledger_customer())
    assert refused.value.message == (
        "400 USER_ERROR at subsidiary: Invalid Field Value 9 for subsidiary"
    )


def test_a_refusal_without_netsuites_body_still_says_what_was_refused():
    ledger = netsuite_answering(lambda _: httpx.Response(403, text="Forbidden"))

    with pytest.raises(VendorRejected, match=r"403 .*PUT /services/rest/record/v1/customer"):
        ledger.upsert_customer(a_ledger_customer())


def test_a_duplicate_external_id_refused_by_any_code_is_read_back_as_the_first_posting():
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            body = error_body(400, "DUP_RCRD", "This record already exists.")
            return httpx.Response(400, json=body)
        return httpx.Response(200, json={"id": "501", "externalId": "inv-US01-2026-000001"})

    posted = netsuite_answering(answer).post(a_document())
    assert posted.document_id == "501"


def test_an_idempotency_refusal_whose_first_posting_is_not_yet_readable_is_retried_later():
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(400, json=error_body(400, "IDEMPOTENCY_ERROR", "Used."))
        return httpx.Response(404, json=error_body(404, "NONEXISTENT_ID", "Not found."))

    with pytest.raises(VendorUnavailable, match="not yet readable"):
        netsuite_answering(answer).post(a_document())


def test_an_unreadable_answer_is_a_refusal_not_a_crash():
    ledger = netsuite_answering(lambda _: httpx.Response(200, json={"items": [{"tranid": 1}]}))

    with pytest.raises(VendorRejected, match="cannot map"):
        ledger.open_items("US-SUB-1")


def test_the_token_endpoint_down_is_unavailable_and_its_refusal_is_rejected():
    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    def refusing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": "invalid_client", "error_description": "Bad"})

    for transport, error in ((down, VendorUnavailable), (refusing, VendorRejected)):
        settings = NetSuiteSettings(URL, CLIENT_ID, CERTIFICATE_ID, private_key_pem())
        http = httpx.Client(base_url=URL, transport=httpx.MockTransport(transport))
        with pytest.raises(error):
            NetSuiteLedger(settings, NetSuiteClient(settings, http)).find("inv-1")


def test_every_call_carries_the_bearer_token_and_a_post_its_idempotency_key():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204, headers={"Location": f"{URL}/services/rest/record/v1/x/9"})

    ledger = netsuite_answering(answer)
    ledger.post(a_document())
    ledger.post(a_document())

    keys = {r.headers["X-NetSuite-Idempotency-Key"] for r in seen}
    assert len(keys) == 1 and all(r.headers["Authorization"] == "Bearer t" for r in seen)
    assert json.loads(seen[0].content)["externalId"] == "inv-US01-2026-000001"
