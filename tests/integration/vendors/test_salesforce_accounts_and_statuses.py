"""o2c's Salesforce adapter reading accounts and keeping each invoice's payment status from going
back in time, against the simulated org: accounts in chunks of ids followed page by page; a
status read before it is written, written on condition nobody wrote in between, and read and
decided again when somebody did."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from importlib import resources

import httpx
import pytest
from support.salesforce import SalesforceWorld, a_salesforce_world, settings_for

from adapters.vendors.salesforce.client import SalesforceClient
from adapters.vendors.salesforce.mapping import PACKAGED_FILE, SalesforceMapping, parse_mapping
from application.crm_ports import AccountPaymentStatus
from application.reference_ports import CrmAccount
from domain.money import Money
from simulators.salesforce_schema import default_schemas

NOON = dt.datetime(2027, 1, 5, 12, 0, tzinfo=dt.UTC)
STATUS = "o2c_Invoice_Status__c"
DATA = "/services/data/v62.0"


class Ticking:
    """The org's clock, a second further at each write: each change in a second of its own."""

    def __init__(self) -> None:
        self.now = dt.datetime(2027, 1, 6, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


@pytest.fixture
def world() -> Iterator[SalesforceWorld]:
    built = a_salesforce_world(clock=Ticking())
    yield built
    built.close()


def standing(invoice_number: str, paid: str, as_of: dt.datetime) -> AccountPaymentStatus:
    total = Money.of("1000.00", "USD")
    return AccountPaymentStatus(
        account_id="001-ACME",
        invoice_number=invoice_number,
        status="paid" if paid == "1000.00" else "partially_paid",
        total=total,
        paid=Money.of(paid, "USD"),
        balance=total - Money.of(paid, "USD"),
        as_of=as_of,
    )


def shown_paid(world: SalesforceWorld, invoice_number: str) -> Decimal:
    shown = world.payment_status("001-ACME", invoice_number)
    assert shown is not None
    return shown.paid.amount


def another_writer_records(world: SalesforceWorld, invoice_number: str, paid: str, as_of: str):
    """Someone else (another o2c replica, say) writing the invoice's status."""
    key = f"001-ACME:{invoice_number}"
    found = world.org.find(STATUS, "o2c_Key__c", key)
    fields = {
        "o2c_Paid__c": Decimal(paid),
        "o2c_Balance__c": 1000 - Decimal(paid),
        "o2c_As_Of__c": as_of,
    }
    if found is None:
        fields |= {"o2c_Key__c": key, "o2c_Account__c": "001-ACME", "CurrencyIsoCode": "USD"}
        fields |= {"o2c_Invoice_Number__c": invoice_number, "o2c_Total__c": 1000}
    world.org.seed(STATUS, fields, found["Id"] if found else "")


def meddling(world: SalesforceWorld, when: Callable[[httpx.Request], bool], meddle) -> None:
    """o2c's adapter with `meddle()` run once, just before the first request `when` picks."""
    pending = [meddle]

    def before(request: httpx.Request) -> None:
        if pending and when(request):
            pending.pop()()

    world.crm.client.close()
    http = httpx.Client(timeout=10, event_hooks={"request": [before]})
    world.crm.client = SalesforceClient(settings_for(world.org), http)


def writes(world: SalesforceWorld) -> list[tuple[str, str]]:
    return [(m, p) for m, p in world.org.requests if m in ("POST", "PATCH") and "token" not in p]


def test_a_status_older_than_the_one_shown_is_not_sent(world):
    newer = world.crm.record_payment_status(standing("INV-1", "1000.00", NOON))
    sent_before = len(writes(world))

    assert world.crm.record_payment_status(standing("INV-1", "400.00", NOON)) == newer
    assert world.crm.record_payment_status(standing("INV-1", "400.00", NOON - dt.timedelta(1)))

    assert len(writes(world)) == sent_before + 1  # the same as_of again: written, idempotently
    assert shown_paid(world, "INV-1") == Decimal("400")


@pytest.mark.parametrize(
    ("theirs", "shown"),
    [("2027-01-05T12:10:00Z", Decimal(1000)), ("2027-01-05T12:01:00Z", Decimal(700))],
    ids=["theirs-is-newer", "ours-is-newer"],
)
def test_a_status_changed_between_read_and_write_is_read_and_decided_again(world, theirs, shown):
    world.crm.record_payment_status(standing("INV-1", "400.00", NOON))
    meddling(
        world,
        lambda request: request.method == "PATCH",
        lambda: another_writer_records(world, "INV-1", "1000.00", theirs),
    )

    world.crm.record_payment_status(standing("INV-1", "700.00", NOON + dt.timedelta(minutes=5)))

    assert shown_paid(world, "INV-1") == shown
    assert [m for m, _ in writes(world)].count("PATCH") == (1 if shown == 1000 else 2)


def test_a_status_created_by_another_writer_first_is_read_and_decided_again(world):
    meddling(
        world,
        lambda request: request.method == "POST" and STATUS in request.url.path,
        lambda: another_writer_records(world, "INV-1", "1000.00", "2027-01-05T12:10:00Z"),
    )

    written = world.crm.record_payment_status(standing("INV-1", "400.00", NOON))

    assert [r["Id"] for r in world.org.records(STATUS)] == [written]
    assert shown_paid(world, "INV-1") == 1000


def test_a_batch_drops_its_stale_statuses_and_sends_the_rest_reading_them_in_one_query(world):
    another_writer_records(world, "INV-1", "1000.00", "2027-01-05T13:00:00Z")
    another_writer_records(world, "INV-2", "100.00", "2027-01-05T11:00:00Z")
    used_before = world.org.api_usage[0]

    written = world.crm.record_payment_statuses(
        [standing(n, "400.00", NOON) for n in ("INV-1", "INV-2", "INV-3")]
    )

    assert world.org.api_usage[0] - used_before == 2  # one query, one composite
    assert [shown_paid(world, n) for n in ("INV-1", "INV-2", "INV-3")] == [1000, 400, 400]
    keys = [world.org.record(STATUS, record_id)["o2c_Key__c"] for record_id in written]
    assert keys == ["001-ACME:INV-1", "001-ACME:INV-2", "001-ACME:INV-3"]


def test_a_batch_refused_because_a_record_changed_meanwhile_is_read_and_decided_again(world):
    world.crm.record_payment_statuses([standing(n, "100.00", NOON) for n in ("INV-1", "INV-2")])
    meddling(
        world,
        lambda request: request.url.path.endswith("/composite"),
        lambda: another_writer_records(world, "INV-2", "1000.00", "2027-01-05T13:30:00Z"),
    )

    world.crm.record_payment_statuses(
        [standing(n, "400.00", NOON + dt.timedelta(hours=1)) for n in ("INV-1", "INV-2", "INV-3")]
    )

    assert [shown_paid(world, n) for n in ("INV-1", "INV-2", "INV-3")] == [400, 1000, 400]
    composites = [p for _, p in world.org.requests].count(f"{DATA}/composite")
    assert composites == 3  # the first batch, the refused one, the one sent again


def test_two_statuses_of_one_invoice_in_a_batch_leave_the_newer(world):
    older = standing("INV-1", "400.00", NOON)
    newer = standing("INV-1", "1000.00", NOON + dt.timedelta(minutes=1))

    written = world.crm.record_payment_statuses([newer, older, standing("INV-2", "1.00", NOON)])

    assert written[0] == written[1] != written[2]
    assert shown_paid(world, "INV-1") == 1000


def test_accounts_are_read_200_ids_to_a_query_each_followed_page_by_page():
    world = a_salesforce_world(batch_size=70)
    ids = [f"001-MANY-{n:04d}" for n in range(450)]
    try:
        for account_id in ids:
            world.org.seed("Account", {"Name": f"Customer {account_id}"}, account_id)
        found = world.crm.accounts(ids)
        queries = [p for m, p in world.org.requests if m == "GET" and p.endswith("/query")]
    finally:
        world.close()

    assert sorted(found) == ids and len(queries) == 3


def test_a_quote_in_an_account_id_stays_inside_the_soql_literal(world):
    assert world.crm.accounts(["001-ACME' OR Name != '"]) == {}


def test_an_org_without_a_legal_entity_on_its_accounts_reads_it_empty():
    schemas = default_schemas()
    account = schemas.get_required("Account")
    fields = {k: f for k, f in account.fields.items() if k != "o2c_legal_entity__c"}
    schemas.register(replace(account, fields=fields))
    world = a_salesforce_world(mapping=mapping_without_account_legal_entity(), schemas=schemas)
    try:
        found = world.crm.accounts(["001-ACME"])
    finally:
        world.close()

    assert found == {"001-ACME": CrmAccount("001-ACME", "Acme Corp", "", "", "")}


def mapping_without_account_legal_entity() -> SalesforceMapping:
    text = resources.files("adapters.vendors.salesforce").joinpath(PACKAGED_FILE).read_text()
    line = 'vat_number = "o2c_VAT_Number__c"\nlegal_entity_code = "o2c_Legal_Entity__c"\n'
    assert line in text
    mapping = parse_mapping(text.replace(line, 'vat_number = "o2c_VAT_Number__c"\n'))
    assert mapping.account["legal_entity_code"] == ""
    return mapping
