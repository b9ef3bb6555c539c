"""o2c's Kantata adapter against the simulated account: workspaces and change-order stories
found again by their external reference, approved work read through Kantata's pages, the
invoice written back once, and Kantata's refusals and rate limit in o2c's words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import attrs
import httpx
import pytest
from contracts.builders import a_project
from contracts.vendor_worlds import expense_approved, time_approved
from support.kantata import TOKEN, KantataWorld, a_kantata_world

from adapters.vendors.kantata.client import KantataRejected
from adapters.vendors.kantata.settings import KantataSettings
from application.billing_ports import ChangeOrder
from application.errors import VendorUnavailable
from application.psa_work_ports import Invoiced
from application.retry import OutOfTime, RetryPolicy, call_with_retry
from entrypoints.system import SystemClock

DAY = dt.date(2026, 12, 10)


@pytest.fixture
def kantata() -> Iterator[KantataWorld]:
    world = a_kantata_world()
    yield world
    world.close()


def a_change_order(project_id: str, version: int = 2) -> ChangeOrder:
    return ChangeOrder(
        external_id=f"eng-1:v{version}",
        project_id=project_id,
        engagement_id="eng-1",
        version=version,
        effective_on="2027-01-01",
        summary="Adds the EU rollout",
    )


def test_a_work_package_is_a_workspace_carrying_its_external_reference(kantata):
    project_id = kantata.psa.create_project(a_project("NA"))

    (workspace,) = kantata.account.live("workspaces")
    reference = kantata.account.reference_of("Workspace", project_id, "WorkPackage")
    assert (workspace["id"], workspace["title"], workspace["due_date"]) == (
        project_id,
        "Acme Corp - NA rollout",
        "2027-05-31",
    )
    assert project_id.isdigit() and reference["service_model_ref"] == "eng-1:NA"


def test_a_removed_project_is_archived_in_kantata_not_deleted(kantata):
    project_id = kantata.psa.create_project(a_project())

    kantata.psa.remove_project(project_id)

    assert kantata.account.live("workspaces") == []
    assert kantata.account.records.get("workspaces", project_id)["archived"] is True


def test_removing_a_project_kantata_never_had_is_harmless(kantata):
    kantata.psa.remove_project("99999")


def test_a_change_order_sent_twice_is_one_story_on_the_workspace(kantata):
    project_id = kantata.psa.create_project(a_project())

    first = kantata.psa.apply_change_order(a_change_order(project_id))
    again = kantata.psa.apply_change_order(a_change_order(project_id))

    (story,) = kantata.account.live("stories")
    assert first == again == story["id"]
    assert (story["workspace_id"], story["story_type"], story["start_date"]) == (
        project_id,
        "deliverable",
        "2027-01-01",
    )


def test_each_version_of_a_change_order_is_its_own_story(kantata):
    project_id = kantata.psa.create_project(a_project())

    ids = {kantata.psa.apply_change_order(a_change_order(project_id, v)) for v in (2, 3)}

    assert len(ids) == 2


def test_approved_work_is_read_through_every_one_of_kantatas_pages():
    world = a_kantata_world(per_page=2)
    try:
        for day in range(5):
            world.approve(time_approved(f"{100 + day}"), DAY + dt.timedelta(days=day))

        page = world.psa.approved_work(DAY, "", 10)

        assert [i.source_id for i in page.items] == ["100", "101", "102", "103", "104"]
        pages = [path for method, path in world.account.requests if path.endswith("time_entries")]
        assert len(pages) == 3
    finally:
        world.close()


def test_work_entered_but_not_yet_approved_is_not_read(kantata):
    workspace_id = kantata.account.workspace()
    kantata.account.log_time(
        workspace_id, performed="2026-12-11", minutes=60, user="Ada Lovelace", role="consultant"
    )

    assert kantata.psa.approved_work(DAY, "", 10).items == ()


def test_minutes_become_hours_and_minor_units_become_the_amount(kantata):
    kantata.approve(time_approved("TC-1", hours="1.25"), DAY)
    workspace_id = kantata.account.workspace()
    expense_id = kantata.account.spend(
        workspace_id,
        on="2026-12-11",
        category="Lodging",
        amount_in_cents=15000,
        currency="JPY",
        currency_base_unit=1,
        user="Ada Lovelace",
    )
    kantata.account.approve_expenses([expense_id], DAY + dt.timedelta(days=1))

    time_entry, expense = kantata.psa.approved_work(DAY, "", 10).items

    assert (time_entry.hours, time_entry.resource, time_entry.project_id) == (
        "1.25",
        "Ada Lovelace",
        workspace_id,
    )
    assert (expense.cost_amount, expense.cost_currency, expense.category) == (
        "15000",
        "JPY",
        "Lodging",
    )
    assert expense.extensions == {"notes": "", "billable": "true"}


def test_the_invoice_is_written_back_as_one_external_reference_on_the_item(kantata):
    kantata.approve(expense_approved("EX-1"), DAY)
    invoiced = Invoiced("EX-1", "expense", "US01-2026-000007", dt.date(2026, 12, 31))

    kantata.psa.mark_invoiced(invoiced)
    kantata.psa.mark_invoiced(invoiced)

    (written,) = kantata.account.records.references("Expense", "EX-1")
    assert (written["service_name"], written["service_model_ref"], written["external_status"]) == (
        "o2c",
        "US01-2026-000007",
        "invoiced",
    )


def test_a_wrong_token_is_refused_in_kantatas_oauth_error(kantata):
    kantata.account.token = "another-token"

    with pytest.raises(KantataRejected) as refused:
        kantata.psa.create_project(a_project())

    assert (refused.value.status, refused.value.types) == (401, {"oauth"})


def test_a_field_kantata_refuses_is_named(kantata):
    with pytest.raises(KantataRejected) as refused:
        kantata.psa.create_project(attrs.evolve(a_project(), name=""))

    assert (refused.value.status, refused.value.fields) == (422, {"title"})


def test_kantata_refuses_more_than_200_a_page(kantata):
    answer = httpx.get(
        f"{kantata.account.url}time_entries",
        params={"per_page": "201"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )

    assert answer.status_code == 400
    assert answer.json() == {
        "errors": [
            {"type": "validation", "message": "per_page must be 1 to 200", "field": "per_page"}
        ]
    }


def test_o2c_never_asks_for_more_than_kantata_gives_a_page():
    with pytest.raises(ValueError):
        KantataSettings(url="https://api.mavenlink.com/api/v1/", token="t", per_page=500)


def test_each_429_in_a_row_waits_longer_on_o2cs_own_schedule(kantata):
    kantata.account.refuse_next(2)
    waits = []
    for _ in range(2):
        with pytest.raises(VendorUnavailable) as unavailable:
            kantata.psa.approved_work(DAY, "", 10)
        waits.append(unavailable.value.retry_after)

    kantata.psa.approved_work(DAY, "", 10)

    assert waits == [1.0, 2.0]
    assert kantata.psa.client.backoff.in_a_row == 0


def test_reads_over_the_rate_limit_finish_within_the_callers_deadline():
    world = a_kantata_world(rate_limit=2, rate_window_seconds=0.5, rate_limit_backoff=(0.3,))
    try:
        world.approve(time_approved("TC-1"), DAY)
        clock = SystemClock()
        deadline = clock.now() + dt.timedelta(seconds=20)

        attempts = [
            call_with_retry(
                lambda: world.psa.approved_work(DAY, "", 10),
                RetryPolicy(attempts=10),
                clock,
                deadline=deadline,
            ).attempts
            for _ in range(3)
        ]

        assert sum(attempts) > 3 and world.account.limit.refused > 0
    finally:
        world.close()


def test_a_rate_limit_outlasting_the_deadline_hands_the_call_back():
    world = a_kantata_world(rate_limit_backoff=(5.0,))
    try:
        world.account.refuse_next(100)
        clock = SystemClock()

        with pytest.raises(OutOfTime):
            call_with_retry(
                lambda: world.psa.approved_work(DAY, "", 10),
                RetryPolicy(attempts=10),
                clock,
                deadline=clock.now() + dt.timedelta(seconds=1),
            )
    finally:
        world.close()


def test_kantata_down_is_worth_retrying(kantata):
    kantata.account.fail_next(1)

    with pytest.raises(VendorUnavailable) as unavailable:
        kantata.psa.create_project(a_project())

    assert unavailable.value.retry_after is None
    assert kantata.psa.create_project(a_project()).isdigit()
