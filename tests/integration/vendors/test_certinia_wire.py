"""o2c's Certinia adapter on a simulated Salesforce org with Certinia installed: a project and
its milestones upserted by external id in one composite request, taken back for compensation,
change orders under the project, approved timecard splits, expenses and milestones read through
SOQL's pages in approval order, and the invoice written back on each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest
from contracts.builders import a_project
from contracts.vendor_worlds import expense_approved, time_approved
from support.certinia import a_certinia_world

from adapters.vendors.certinia.settings import CertiniaSettings
from application.billing_ports import ChangeOrder
from application.errors import VendorRejected
from application.ports import ProjectMilestone
from application.psa_work_ports import ApprovedWork, Invoiced
from domain.money import Money

DAY = dt.date(2026, 12, 10)


@pytest.fixture
def world():
    certinia = a_certinia_world()
    yield certinia
    certinia.close()


def with_milestones(count: int) -> object:
    milestones = [
        ProjectMilestone(f"M{n}", f"Milestone {n}", Money.of(Decimal("1000.00") * n, "USD"))
        for n in range(1, count + 1)
    ]
    return attrs.evolve(a_project("NA"), milestones=milestones)


def data_calls(world) -> list[tuple[str, str]]:
    return [(m, p.split("/v62.0/")[-1]) for m, p in world.org.requests if "/services/data/" in p]


def a_milestone_approved(code: str, source_id: str) -> ApprovedWork:
    return ApprovedWork(source_id, "milestone", "", "2026-12-04", milestone_code=code)


def change_order(version: int = 2, **changes: object) -> ChangeOrder:
    fields: dict[str, object] = {
        "external_id": f"eng-1:v{version}",
        "project_id": "",
        "engagement_id": "eng-1",
        "version": version,
        "effective_on": "2027-01-01",
        "summary": "Architect rate 230.00 USD from 2027-01-01",
    }
    return ChangeOrder(**{**fields, **changes})  # type: ignore[arg-type]


def test_a_project_and_its_milestones_are_upserted_in_one_composite_request(world):
    project_id = world.psa.create_project(with_milestones(3))

    project = world.org.record("pse__Proj__c", project_id)
    milestones = sorted(world.org.records("pse__Milestone__c"), key=lambda m: m["o2c_Code__c"])
    assert data_calls(world) == [("POST", "composite")]
    assert project is not None and project["o2c_External_Id__c"] == "eng-1:NA"
    assert (project["pse__Account__c"], project["pse__Opportunity__c"]) == (
        "001-ACME",
        "006-ACME-1",
    )
    assert (project["pse__Is_Active__c"], project["pse__Project_Type__c"]) == (
        True,
        "Customer Project",
    )
    assert [
        (m["o2c_External_Id__c"], m["pse__Project__c"], m["pse__Milestone_Amount__c"])
        for m in milestones
    ] == [
        ("eng-1:NA:M1", project_id, Decimal("1000.00")),
        ("eng-1:NA:M2", project_id, Decimal("2000.00")),
        ("eng-1:NA:M3", project_id, Decimal("3000.00")),
    ]


def test_a_project_sent_again_updates_its_milestones_instead_of_adding_more(world):
    first = world.psa.create_project(with_milestones(2))

    again = world.psa.create_project(with_milestones(2))

    assert again == first and len(world.org.records("pse__Milestone__c")) == 2


def test_milestones_past_one_composite_request_follow_in_more_under_the_same_project(world):
    project_id = world.psa.create_project(with_milestones(30))

    milestones = world.org.records("pse__Milestone__c")
    assert [m for m, _ in data_calls(world)] == ["POST", "POST"]
    assert len(milestones) == 30 and {m["pse__Project__c"] for m in milestones} == {project_id}


def test_a_removed_project_is_deleted_with_its_milestones(world):
    project_id = world.psa.create_project(with_milestones(2))

    world.psa.remove_project(project_id)

    assert world.org.record("pse__Proj__c", project_id) is None
    assert world.org.records("pse__Milestone__c") == []


def test_a_project_deactivated_on_removal_stays_without_o2cs_keys():
    world = a_certinia_world(settings={"removal": "deactivate"})
    try:
        project_id = world.psa.create_project(with_milestones(1))
        world.psa.remove_project(project_id)
        world.psa.remove_project(project_id)
        kept = world.org.record("pse__Proj__c", project_id)
        (milestone,) = [
            m for m in world.org.records("pse__Milestone__c") if m["pse__Project__c"] == project_id
        ]
        again = world.psa.create_project(with_milestones(1))
    finally:
        world.close()

    assert kept is not None and kept["pse__Is_Active__c"] is False
    assert kept["o2c_External_Id__c"] is None and milestone["o2c_External_Id__c"] is None
    assert again != project_id


def test_a_change_order_is_one_record_under_the_project_however_often_sent(world):
    project_id = world.psa.create_project(a_project())
    order = change_order(project_id=project_id)

    first = world.psa.apply_change_order(order)
    again = world.psa.apply_change_order(order)

    (recorded,) = world.org.records("o2c_Change_Order__c")
    assert first == again == recorded["Id"]
    assert (recorded["o2c_Project__c"], recorded["o2c_Version__c"]) == (project_id, Decimal(2))
    assert recorded["o2c_Effective_On__c"] == "2027-01-01"


def test_a_change_order_on_a_project_certinia_does_not_have_is_refused(world):
    with pytest.raises(VendorRejected, match="INVALID_CROSS_REFERENCE_KEY"):
        world.psa.apply_change_order(change_order(project_id="a4E5g00000NOPROJAAA"))


def test_time_expenses_and_milestones_read_back_in_approval_order(world):
    world.approve(a_milestone_approved("M1", "MS-1"), DAY + dt.timedelta(days=2))
    world.approve(expense_approved("EX-1"), DAY + dt.timedelta(days=1))
    world.approve(time_approved("TC-1"), DAY)

    items = world.psa.approved_work(DAY, "", 10).items

    assert [(i.kind, i.source_id) for i in items] == [
        ("time", "TC-1"),
        ("expense", "EX-1"),
        ("milestone", "MS-1"),
    ]
    assert (items[2].milestone_code, items[2].day) == ("M1", "2026-12-04")
    assert items[0].resource == "Ada Lovelace" and items[0].extensions["billed"] == "false"


def test_a_timecard_not_yet_approved_is_not_read(world):
    desk = world.desk
    assignment = desk.assign(world.delivery_project(), desk.resource("Grace Hopper"), "architect")
    desk.timecard(assignment, DAY, {DAY: Decimal("8")})

    assert world.psa.approved_work(DAY, "", 10).items == ()


def test_many_approved_splits_are_read_through_soqls_pages_and_o2cs_cursor():
    world = a_certinia_world(org_settings={"query_batch_size": 200})
    try:
        for n in range(250):
            world.approve(time_approved(f"TC-{n:03d}"), DAY + dt.timedelta(days=n % 5))
        seen, cursor = [], ""
        while True:
            page = world.psa.approved_work(DAY, cursor, 100)
            seen += [item.source_id for item in page.items]
            cursor = page.next_cursor
            if not cursor:
                break
        followed = [p for m, p in data_calls(world) if p.startswith("query/01g")]
    finally:
        world.close()

    assert sorted(seen) == [f"TC-{n:03d}" for n in range(250)] and len(seen) == 250
    assert followed  # Salesforce's second page, by nextRecordsUrl


def test_the_invoice_is_written_on_the_timecard_split(world):
    world.approve(time_approved("TC-1"), DAY)

    world.psa.mark_invoiced(Invoiced("TC-1", "time", "US01-2026-000001", dt.date(2026, 12, 31)))

    split = world.org.record("pse__Timecard__c", "TC-1")
    assert split is not None
    assert (split["pse__Invoiced__c"], split["pse__Invoice_Date__c"]) == (True, "2026-12-31")


def test_the_invoice_is_written_on_an_approved_milestone(world):
    world.approve(a_milestone_approved("M1", "MS-1"), DAY)

    world.psa.mark_invoiced(Invoiced("MS-1", "milestone", "US01-2026-000002", DAY))

    assert world.invoice_of("MS-1") == "US01-2026-000002"


def test_an_invoice_for_a_kind_certinia_does_not_hold_is_refused(world):
    with pytest.raises(VendorRejected, match="usage"):
        world.psa.mark_invoiced(Invoiced("U-1", "usage", "US01-2026-000003", DAY))


def test_a_cursor_this_adapter_did_not_give_is_refused(world):
    with pytest.raises(VendorRejected, match="cursor"):
        world.psa.approved_work(DAY, "page-2", 10)


def test_an_api_version_before_upserts_answer_their_id_is_refused(world):
    with pytest.raises(ValueError, match=r"v46\.0"):
        CertiniaSettings(attrs.evolve(world.psa.settings.org, api_version="45.0"))
