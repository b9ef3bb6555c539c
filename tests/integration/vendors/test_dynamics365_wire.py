"""The Dynamics 365 simulator holds o2c to D365's wire format: Entra ID tokens, OData paths and
keys, entity fields, companies, atomic `$batch` changesets, paging and its error body."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from support.dynamics365 import bearer

from adapters.vendors.dynamics365.batch import Write, changeset_request, outcomes
from simulators.dynamics365 import Dynamics365Simulator


@pytest.fixture
def simulator() -> Iterator[Dynamics365Simulator]:
    simulator = Dynamics365Simulator(page_size=2).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def d365(simulator: Dynamics365Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{simulator.url}/data/", headers=bearer(simulator)) as client:
        yield client


def a_customer(account: str = "001-ACME", company: str = "USMF") -> dict[str, object]:
    return {
        "dataAreaId": company,
        "CustomerAccount": account,
        "OrganizationName": "Acme Corp",
        "CustomerGroupId": "10",
        "SalesCurrencyCode": "USD",
    }


def a_header(identifier: str = "O2C-1", company: str = "USMF") -> dict[str, object]:
    return {
        "dataAreaId": company,
        "InvoiceIdentifier": identifier,
        "CustomerAccount": "001-ACME",
        "InvoiceDate": "2026-12-31T12:00:00Z",
        "CurrencyCode": "USD",
        "DocumentNumber": f"US01-{identifier}",
    }


def a_line(identifier: str = "O2C-1", number: int = 1, **changes: object) -> dict[str, object]:
    line = {
        "dataAreaId": "USMF",
        "InvoiceIdentifier": identifier,
        "LineNumber": number,
        "Description": "Time: 8 h consultant",
        "LineAmount": 1000.0,
        "SalesTaxAmount": 200.0,
    }
    return {**line, **changes}


def post_batch(client: httpx.Client, writes: list[Write]) -> list[tuple[int, object]]:
    content_type, content = changeset_request(writes)
    answer = client.post("$batch", content=content, headers={"Content-Type": content_type})
    assert answer.status_code == 200
    return [(o.status, o.body) for o in outcomes(answer.headers["Content-Type"], answer.content)]


def inner_message(answer: httpx.Response) -> str:
    error = answer.json()["error"]
    assert set(error) == {"code", "message", "innererror"}
    return f"{error['message']} {error['innererror']['message']}"


def test_a_token_is_refused_for_a_wrong_secret_with_entra_ids_error_body(simulator):
    form = {
        "client_id": simulator.client_id,
        "client_secret": "not-the-secret",
        "grant_type": "client_credentials",
        "scope": f"{simulator.url}/.default",
    }
    answer = httpx.post(f"{simulator.url}/{simulator.tenant}/oauth2/v2.0/token", data=form)

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert answer.json()["error_description"].startswith("AADSTS7000215")


def test_a_token_is_refused_for_another_scope_or_grant(simulator):
    url = f"{simulator.url}/{simulator.tenant}/oauth2/v2.0/token"
    form = {"client_id": simulator.client_id, "client_secret": simulator.client_secret}
    wrong_scope = {**form, "grant_type": "client_credentials", "scope": "https://other/.default"}
    wrong_grant = {**form, "grant_type": "password", "scope": f"{simulator.url}/.default"}

    assert httpx.post(url, data=wrong_scope).json()["error"] == "invalid_scope"
    assert httpx.post(url, data=wrong_grant).json()["error"] == "unsupported_grant_type"


def test_data_calls_without_a_valid_bearer_are_refused(simulator):
    no_token = httpx.get(f"{simulator.url}/data/CustomersV3")
    forged = httpx.get(f"{simulator.url}/data/CustomersV3", headers={"Authorization": "Bearer x"})

    assert no_token.status_code == forged.status_code == 401
    assert no_token.headers["WWW-Authenticate"] == "Bearer"


def test_an_expired_token_is_refused(simulator, d365):
    simulator.expire_tokens()
    assert d365.get("CustomersV3").status_code == 401


def test_a_customer_is_created_read_by_its_full_key_and_patched(d365):
    assert d365.post("CustomersV3", json=a_customer()).status_code == 201
    address = "CustomersV3(dataAreaId='USMF',CustomerAccount='001-ACME')"
    assert d365.patch(address, json={"OrganizationName": "Acme Corporation"}).status_code == 204

    assert d365.get(address).json()["OrganizationName"] == "Acme Corporation"
    assert d365.get("CustomersV3(CustomerAccount='001-ACME')").status_code == 400


def test_an_unknown_property_is_refused_with_d365s_error_body(d365):
    answer = d365.post("CustomersV3", json={**a_customer(), "Name": "Acme"})

    assert answer.status_code == 400
    assert "The property 'Name' does not exist" in inner_message(answer)


def test_a_customer_without_its_group_is_refused(d365):
    customer = {k: v for k, v in a_customer().items() if k != "CustomerGroupId"}
    answer = d365.post("CustomersV3", json=customer)

    assert answer.status_code == 400
    assert "CustomerGroupId must be filled in" in inner_message(answer)


def test_a_customer_of_an_unknown_company_is_refused(d365):
    answer = d365.post("CustomersV3", json=a_customer(company="US-SUB-1"))

    assert answer.status_code == 400
    assert "Company 'US-SUB-1' does not exist" in inner_message(answer)


def test_a_duplicate_key_is_refused_with_d365s_error_body(d365):
    d365.post("CustomersV3", json=a_customer())
    answer = d365.post("CustomersV3", json=a_customer())

    assert answer.status_code == 400
    assert "The record already exists" in inner_message(answer)


def test_a_changeset_posts_a_header_and_its_lines_and_the_erp_totals_them(d365):
    d365.post("CustomersV3", json=a_customer())
    answers = post_batch(
        d365,
        [
            Write("POST", "FreeTextInvoiceHeaders", a_header()),
            Write("POST", "FreeTextInvoiceLines", a_line(number=1)),
            Write("POST", "FreeTextInvoiceLines", a_line(number=2, SalesTaxAmount=0.0)),
        ],
    )

    assert [status for status, _ in answers] == [201, 201, 201]
    header = d365.get(
        "FreeTextInvoiceHeaders",
        params={"$filter": "InvoiceIdentifier eq 'O2C-1'", "$select": "TotalAmount"},
    )
    assert header.json()["value"] == [{"TotalAmount": 2200.0}]


def test_a_changeset_with_one_bad_line_applies_nothing(simulator, d365):
    d365.post("CustomersV3", json=a_customer())
    answers = post_batch(
        d365,
        [
            Write("POST", "FreeTextInvoiceHeaders", a_header()),
            Write("POST", "FreeTextInvoiceLines", a_line(LineAmount="a thousand")),
        ],
    )

    assert [status for status, _ in answers] == [400]
    assert "Cannot convert the literal" in str(answers[0][1])
    assert simulator.rows("FreeTextInvoiceHeaders") == []


def test_a_duplicate_invoice_identifier_in_a_changeset_is_refused_and_changes_nothing(
    simulator, d365
):
    d365.post("CustomersV3", json=a_customer())
    post_batch(d365, [Write("POST", "FreeTextInvoiceHeaders", a_header())])
    again = post_batch(
        d365,
        [
            Write("POST", "FreeTextInvoiceHeaders", a_header()),
            Write("POST", "FreeTextInvoiceLines", a_line()),
        ],
    )

    assert again[0][0] == 400 and "The record already exists" in str(again[0][1])
    assert simulator.rows("FreeTextInvoiceLines") == []


def test_lines_of_an_invoice_that_does_not_exist_are_refused(d365):
    answers = post_batch(d365, [Write("POST", "FreeTextInvoiceLines", a_line())])

    assert answers[0][0] == 400
    assert "Free text invoice O2C-1 does not exist" in str(answers[0][1])


def test_a_batch_of_more_than_5000_operations_is_refused(simulator, d365):
    d365.post("CustomersV3", json=a_customer())
    lines = [Write("POST", "FreeTextInvoiceLines", a_line(number=n)) for n in range(1, 5002)]
    content_type, content = changeset_request(
        [Write("POST", "FreeTextInvoiceHeaders", a_header()), *lines]
    )
    headers = {"Content-Type": content_type}
    answer = d365.post("$batch", content=content, headers=headers, timeout=120)  # 5,001 parts

    assert answer.status_code == 400
    assert "at most 5000" in inner_message(answer)
    assert simulator.rows("FreeTextInvoiceHeaders") == []


def test_a_batch_that_is_not_multipart_is_refused(d365):
    answer = d365.post("$batch", json={"requests": []})

    assert answer.status_code == 400
    assert "multipart/mixed" in inner_message(answer)


def test_only_the_default_company_is_seen_without_cross_company(d365):
    d365.post("CustomersV3", json=a_customer(company="USMF"))
    d365.post("CustomersV3", json=a_customer(company="GBSI"))

    default = d365.get("CustomersV3").json()["value"]
    every = d365.get("CustomersV3", params={"cross-company": "true"}).json()["value"]

    assert [c["dataAreaId"] for c in default] == ["USMF"]
    assert sorted(c["dataAreaId"] for c in every) == ["GBSI", "USMF"]


def test_a_long_answer_comes_in_pages_linked_by_next_link(d365):
    for n in range(5):
        d365.post("CustomersV3", json=a_customer(f"C-{n}"))

    first = d365.get("CustomersV3", params={"$select": "CustomerAccount"}).json()
    second = d365.get(first["@odata.nextLink"]).json()
    third = d365.get(second["@odata.nextLink"]).json()

    accounts = [c["CustomerAccount"] for page in (first, second, third) for c in page["value"]]
    assert accounts == ["C-0", "C-1", "C-2", "C-3", "C-4"]
    assert "@odata.nextLink" not in third


def test_a_filter_it_cannot_read_is_refused(d365):
    answer = d365.get("CustomersV3", params={"$filter": "contains(OrganizationName,'Acme')"})

    assert answer.status_code == 400
    assert "The query specified in the URI is not valid" in inner_message(answer)


def test_calls_over_the_concurrency_limit_are_throttled_with_retry_after(simulator, d365):
    simulator.throttle(1, retry_after=7)
    answer = d365.get("CustomersV3")

    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "7"
    assert "throttled" in inner_message(answer)
