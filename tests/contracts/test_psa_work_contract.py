"""What every PSA promises o2c about approved work: each approved item read once, in pages,
oldest first, from a day on; and the invoice written back on an item, once however often sent."""

from __future__ import annotations

import datetime as dt

from application.psa_work_ports import Invoiced
from contracts.vendor_worlds import expense_approved, time_approved

DAY = dt.date(2026, 12, 10)


def read_all(psa, since: dt.date, limit: int) -> tuple[list[str], int]:
    cursor, seen, pages = "", [], 0
    while True:
        page = psa.approved_work(since, cursor, limit)
        seen += [item.source_id for item in page.items]
        pages += 1
        if not page.next_cursor:
            return seen, pages
        cursor = page.next_cursor


def test_approved_work_reads_back_in_pages_oldest_first(psa_work_world):
    for day, source in ((1, "TC-1"), (2, "TC-2"), (3, "EX-1"), (4, "TC-3"), (5, "TC-4")):
        work = expense_approved(source) if source.startswith("EX") else time_approved(source)
        psa_work_world.approve(work, DAY + dt.timedelta(days=day))

    seen, pages = read_all(psa_work_world.psa, DAY, 2)

    assert seen == ["TC-1", "TC-2", "EX-1", "TC-3", "TC-4"] and pages == 3


def test_each_item_reads_back_as_approved(psa_work_world):
    psa_work_world.approve(time_approved("TC-1"), DAY)
    psa_work_world.approve(expense_approved("EX-1"), DAY + dt.timedelta(days=1))

    page = psa_work_world.psa.approved_work(DAY, "", 10)

    time_entry, expense = page.items
    assert (time_entry.kind, time_entry.day, time_entry.hours, time_entry.role) == (
        "time",
        "2026-12-02",
        "7.5",
        "consultant",
    )
    assert (expense.kind, expense.category, expense.cost_amount, expense.cost_currency) == (
        "expense",
        "travel",
        "412.50",
        "USD",
    )
    assert page.next_cursor == ""


def test_work_approved_before_the_day_is_not_read(psa_work_world):
    psa_work_world.approve(time_approved("TC-OLD"), DAY - dt.timedelta(days=1))
    psa_work_world.approve(time_approved("TC-NEW"), DAY)

    assert [i.source_id for i in psa_work_world.psa.approved_work(DAY, "", 10).items] == ["TC-NEW"]


def test_the_invoice_written_back_twice_is_written_once(psa_work_world):
    psa_work_world.approve(time_approved("TC-1"), DAY)
    invoiced = Invoiced("TC-1", "time", "US01-2026-000001", dt.date(2026, 12, 31))

    psa_work_world.psa.mark_invoiced(invoiced)
    psa_work_world.psa.mark_invoiced(invoiced)

    assert psa_work_world.invoice_of("TC-1") == "US01-2026-000001"
