"""The simulated org honours If-Unmodified-Since on an update of a row, as Salesforce documents
for sObject Rows: a record modified after the date given (to the second, as HTTP dates go) is
refused 412 and left alone, a date that cannot be read is refused 400; a composite subrequest
carries the header in its httpHeaders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from support.salesforce import a_client, an_org

from adapters.vendors.salesforce.client import SalesforceClient, Subrequest
from adapters.vendors.salesforce.errors import SalesforceRejected
from simulators.salesforce import SalesforceSimulator

CREATED = dt.datetime(2027, 1, 6, 9, 0, 0, 400_000, tzinfo=dt.UTC)


@pytest.fixture
def org() -> Iterator[SalesforceSimulator]:
    simulator = an_org(clock=lambda: CREATED)
    simulator.seed("Account", {"Name": "Acme Corp"}, "001-ACME")  # modified at 09:00:00.400
    yield simulator
    simulator.stop()


@pytest.fixture
def client(org) -> Iterator[SalesforceClient]:
    built = a_client(org)
    yield built
    built.close()


def rename(client: SalesforceClient, since: str) -> int:
    headers = {"If-Unmodified-Since": since}
    return client.call(
        "PATCH", "sobjects/Account/001-ACME", body={"Name": "Acme"}, headers=headers
    ).status


def test_an_update_unmodified_since_the_date_given_goes_through(org, client):
    assert rename(client, "Wed, 06 Jan 2027 09:00:00 GMT") == 204
    assert org.record("Account", "001-ACME")["Name"] == "Acme"


def test_an_update_of_a_record_modified_after_the_date_given_is_refused_412(org, client):
    with pytest.raises(SalesforceRejected) as refused:
        rename(client, "Wed, 06 Jan 2027 08:59:59 GMT")

    assert refused.value.status == 412
    assert org.record("Account", "001-ACME")["Name"] == "Acme Corp"


@pytest.mark.parametrize("since", ["yesterday", "2027-01-06T09:00:00Z", "Wed, 06 Jan 2027"])
def test_a_date_that_is_not_an_http_date_is_refused_400(client, since):
    with pytest.raises(SalesforceRejected) as refused:
        rename(client, since)

    assert refused.value.status == 400


def test_a_composite_subrequest_carries_the_condition_in_its_headers(org, client):
    stale = {"If-Unmodified-Since": "Wed, 06 Jan 2027 08:00:00 GMT"}
    subrequest = Subrequest("PATCH", "sobjects/Account/001-ACME", "rename", {"Name": "A"}, stale)

    with pytest.raises(SalesforceRejected) as refused:
        client.composite([subrequest], all_or_none=True)

    assert refused.value.status == 412
    assert org.record("Account", "001-ACME")["Name"] == "Acme Corp"
