"""Approved time entries and expenses, read from Kantata's pages. An item is approved when its
submission (a timesheet or an expense report) is: the submission's resolution date is the day
it was approved, which orders the items and decides which are on or after the day asked for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from attrs import frozen

from adapters.vendors.kantata.client import SYSTEM, KantataClient
from adapters.vendors.kantata.mapping import KindMapping
from adapters.vendors.kantata.payloads import expense, records, time_worked
from adapters.vendors.kantata.settings import KantataSettings
from application.errors import VendorRejected
from application.psa_work_ports import ApprovedWork, WorkPage

OPEN_END = "9999-12-31"


@frozen
class Kind:
    name: str  # o2c's kind
    collection: str
    submissions: str
    convert: Callable[[Mapping[str, Any], Mapping[str, Any], KindMapping], ApprovedWork]


TIME = Kind("time", "time_entries", "timesheet_submissions", time_worked)
EXPENSE = Kind("expense", "expenses", "expense_report_submissions", expense)


Position = tuple[str, str, tuple[int, str]]


@frozen
class Approved:
    approved_on: str
    work: ApprovedWork

    @property
    def position(self) -> Position:
        return (self.approved_on, self.work.kind, id_order(self.work.source_id))

    @property
    def cursor(self) -> str:
        return f"{self.approved_on}|{self.work.kind}|{self.work.source_id}"


class ApprovedWorkReader:
    def __init__(self, client: KantataClient, settings: KantataSettings) -> None:
        self.client = client
        self.settings = settings
        self.mappings = {
            TIME.name: settings.mapping.time_entries,
            EXPENSE.name: settings.mapping.expenses,
        }

    def page(self, since: dt.date, cursor: str, limit: int) -> WorkPage:
        after = position(cursor)
        found = sorted(self.approved_since(since), key=lambda a: a.position)
        later = [a for a in found if after is None or a.position > after]
        shown = later[:limit]
        more = len(later) > limit
        return WorkPage(tuple(a.work for a in shown), shown[-1].cursor if more else "")

    def approved_since(self, since: dt.date) -> Iterator[Approved]:
        for kind in (TIME, EXPENSE):
            mapping = self.mappings[kind.name]
            for envelope in self.client.pages(kind.collection, self.query(kind, since)):
                for item in records(envelope):
                    day = approved_on(item, envelope, kind)
                    if day and day >= since.isoformat():
                        yield Approved(day, kind.convert(item, envelope, mapping))

    def query(self, kind: Kind, since: dt.date) -> dict[str, str]:
        included = ["active_submission", *self.mappings[kind.name].associations()]
        query = {"include": ",".join(included)}
        if kind is TIME:
            earliest = since - dt.timedelta(days=self.settings.performed_within_days)
            query["date_performed_between"] = f"{earliest.isoformat()}:{OPEN_END}"
        return query


def approved_on(item: Mapping[str, Any], envelope: Mapping[str, Any], kind: Kind) -> str:
    if item.get("approved") is not True:
        return ""
    submission = envelope.get(kind.submissions, {}).get(str(item.get("active_submission_id")))
    if not submission or submission.get("status") != "approved":
        return ""
    return str(submission.get("current_resolution_created_at_date") or "")[:10]


def id_order(source_id: str) -> tuple[int, str]:
    return (len(source_id), source_id)


def position(cursor: str) -> Position | None:
    if not cursor:
        return None
    parts = cursor.split("|")
    if len(parts) != 3:
        raise VendorRejected(SYSTEM, f"the cursor {cursor!r} is not one this adapter gave")
    return parts[0], parts[1], id_order(parts[2])
