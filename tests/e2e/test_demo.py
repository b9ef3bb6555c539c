"""`make demo` keeps telling its story against a running service."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from support.auth import call_metadata
from support.simulated_erps import service_with_erp_simulators

from entrypoints.demo import print_events, scenario
from entrypoints.demo_billing import bill_each_method
from entrypoints.demo_erp import show_erp_cutover
from entrypoints.demo_intercompany import show_intercompany
from entrypoints.runtime import Runtime

INVOICE = re.compile(
    r"^  (?P<number>[A-Z]{2}01-2026-\d{6})  (?P<method>[^(]+) \(engagement .+\n"
    r"(?:    .*\n)*?    total (?P<total>\S+ [A-Z]{3})",
    re.MULTILINE,
)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, nats_url: str) -> Iterator[Runtime]:
    """As `make run` starts: NetSuite, Dynamics 365 and the legacy ERP simulated."""
    yield from service_with_erp_simulators("sqlite", tmp_path_factory.mktemp("o2c"), nats_url)


def test_the_demo_tells_the_whole_story_with_the_events_it_read_back(service, channel, capsys):
    keys = scenario(channel, "T1", call_metadata)
    print_events(service.values, keys)
    story = capsys.readouterr().out
    assert "-> ENGAGEMENT_STATUS_ACTIVE" in story
    assert "parked for OWNER_ROLE_FINANCE: REASON_CODE_LEGAL_ENTITY_NOT_MAPPED" in story
    assert story.count("-> staged") == 2 and "already staged, nothing new" in story
    assert "PERMISSION_DENIED: a crm caller may not call this RPC" in story
    for event in ("engagement.activated", "exception.parked", "billing.billable_event_staged"):
        assert f".{event}\n" in story


def test_the_demo_bills_one_engagement_per_method_to_a_finalised_invoice(channel, capsys):
    bill_each_method(channel, "T2", call_metadata)
    story = capsys.readouterr().out
    invoices = {match["method"].strip(): match for match in INVOICE.finditer(story)}
    assert {method: invoice["total"] for method, invoice in invoices.items()} == {
        "time and materials, capped": "1200.00 USD",
        "time and materials, cap raised": "1200.00 USD",
        "fixed fee": "10000.00 USD",
        "retainer": "7500.00 USD",
        "subscription plus services": "2500.00 USD",
        "usage": "5500 JPY",
        "time and expenses": "88.580 KWD",
    }
    assert invoices["usage"]["number"].startswith("JP01-2026-")
    assert invoices["time and expenses"]["number"].startswith("KW01-2026-")


def test_the_demo_shows_held_work_billed_as_overage_a_change_order_a_credit_and_a_payment(
    channel, capsys
):
    bill_each_method(channel, "T3", call_metadata)
    story = capsys.readouterr().out
    assert "TM-2-T3: time 3 h -> 250.00 USD staged (time 250.00 USD, held over cap 200.00 USD)" in (
        story
    )
    assert "-> 450.00 USD billed as overage" in story
    assert "change order 1: cap now 1500.00 USD" in story
    assert "EXP-3-T3: expense -> 0.000 KWD not billed" in story
    assert "Usage: 7001 units, USE-2-T3" in story and "tax 300 (10 %)" in story
    assert "note: No VAT is levied in Kuwait" in story
    assert re.search(r"credit note US01-CN-2027-\d{6}: 100.00 USD", story)
    assert "credited 100.00 USD, paid 1100.00 USD: paid, balance 0.00 USD" in story


def test_the_demo_runs_again_on_the_same_server_and_its_invoices_number_on(channel, capsys):
    """Every run issues on 31 December 2026: the same day again keeps the numbers in order."""
    bill_each_method(channel, "T4", call_metadata)
    first = capsys.readouterr().out
    bill_each_method(channel, "T5", call_metadata)
    second = capsys.readouterr().out
    assert max(numbers_of(first, "US01")) < min(numbers_of(second, "US01"))
    assert max(numbers_of(first, "KW01")) < min(numbers_of(second, "KW01"))


def numbers_of(story: str, legal_entity: str) -> list[str]:
    return [m["number"] for m in INVOICE.finditer(story) if m["number"].startswith(legal_entity)]


POSTED = re.compile(r"^  (?P<number>[A-Z]{2}01-2026-\d{6}): posted to (?P<erp>\w+) as \S+$", re.M)


def test_the_demo_cuts_gb01_over_mid_month_and_reconciles_the_de01_pilot(channel, capsys):
    bill_each_method(channel, "T6", call_metadata)  # US01's invoices first, as `make demo`
    capsys.readouterr()
    show_erp_cutover(channel, "T6", call_metadata)
    story = capsys.readouterr().out
    assert "US01: from 2026-" in story and "-> netsuite US-SUB-1 (set by admin)" in story
    assert "-> legacy GB-OU-1 (set by admin)" in story
    assert "-> dynamics365 DEMF, shadow legacy DE-OU-1 (dual-write) (set by admin)" in story
    posted = {match["number"][:4]: match["erp"] for match in POSTED.finditer(story)}
    assert posted == {"US01": "netsuite", "GB01": "legacy", "DE01": "dynamics365"}
    assert "shadow copy in legacy DE-OU-1" in story
    cutover, pilot = story.split("== GB01 cuts over")[1].split("== the DE01 pilot")
    assert "1 open invoice(s) carried over to NetSuite as opening receivables" in cutover
    assert "matched 1, variances 0" in cutover and "balanced: yes" in cutover
    assert "GB01 from 2026-12-15 -> netsuite GB-SUB-2" in cutover
    assert re.search(r"credit note GB01-CN-2026-\d{6}: .* posted to legacy GB-OU-1 as ", cutover)
    assert "matched 1, variances 0" in pilot and "balanced: yes" in pilot


def test_the_demo_runs_the_cutover_again_keeping_the_routes_and_the_cutover_it_set(channel, capsys):
    """A second run may not set overlapping routes nor cut over again: it says it kept them."""
    show_erp_cutover(channel, "T7", call_metadata)
    capsys.readouterr()
    show_erp_cutover(channel, "T8", call_metadata)
    story = capsys.readouterr().out
    assert story.count("(already routed, kept)") == 3 and "set by admin" not in story
    assert "skipped: GB01 is already routed to NetSuite by an earlier run" in story
    posted = {match["number"][:4]: match["erp"] for match in POSTED.finditer(story)}
    assert posted == {"US01": "netsuite", "GB01": "legacy", "DE01": "dynamics365"}
    assert re.search(r"credit note GB01-CN-2026-\d{6}: .* posted to legacy GB-OU-1 as ", story)
    assert "balanced: yes" in story.split("== the DE01 pilot")[1]


def test_the_demo_charges_gb01s_work_to_us01_and_reconciles_both_sides(channel, capsys):
    show_erp_cutover(channel, "T9", call_metadata)  # the routes: both entities on NetSuite now
    capsys.readouterr()
    show_intercompany(channel, "T9", call_metadata)
    story = capsys.readouterr().out
    assert re.search(r"charge US01-2026-\d{6}/IC-GB01: GB01 -> US01, 480\.00 USD \(80% of", story)
    assert re.search(r"intercompany receivable in netsuite \(GB-SUB-2\) as \S+", story)
    assert re.search(r"intercompany payable in netsuite \(US-SUB-1\) as \S+", story)
    assert "variances 0, balanced: yes" in story


@pytest.fixture
def vendor_service(tmp_path, nats_url) -> Iterator[Runtime]:
    """As `make demo-vendors` starts it: Salesforce, Certinia and NetSuite simulated."""
    from support.service import running_service

    with running_service(
        f"sqlite:///{tmp_path}/o2c.db",
        nats_url,
        O2C_CRM="salesforce",
        O2C_PSA="certinia",
        O2C_ERP_SIMULATORS="true",
        O2C_ERP_SIMULATORS_DIR=str(tmp_path / "vendors"),
        O2C_PSA_WORK_SECONDS="0.3",
        O2C_SAGA_SWEEP_SECONDS="0.2",
    ) as runtime:
        runtime.values["O2C_GRPC_ADDRESS"] = f"127.0.0.1:{runtime.port}"
        yield runtime


def test_the_vendor_demo_runs_a_change_event_through_certinia_to_netsuite(vendor_service, capsys):
    from entrypoints.demo_vendors import show_vendor_flow

    show_vendor_flow(vendor_service, "T10", call_metadata)
    story = capsys.readouterr().out
    assert re.search(r"engagement \S+ active, Certinia project a4E\w+", story)
    assert re.search(r"timecard split \w+: 7\.5 h approved in Certinia -> staged \S+", story)
    assert re.search(r"posted to netsuite as \d+", story)
    assert re.search(r"pse__Invoice_Number__c = US01-2026-\d{6}", story)
    assert "parked for sales-ops: StageName 'Won-ish' is not a stage o2c knows" in story
