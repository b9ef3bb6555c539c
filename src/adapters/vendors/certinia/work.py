"""Approved timecard splits, expenses and milestones, read with SOQL (each query followed
through its nextRecordsUrl pages) and merged oldest approval first. o2c's cursor is the last
item's place in that order, so a page is found again however Salesforce's own pages fall.

The day asked for and the cursor are applied here, not in SOQL's WHERE: the simulated org
answers only equality conditions, so the query asks for every approved item."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from attrs import frozen

from adapters.vendors.certinia.mapping import CertiniaMapping, Section
from adapters.vendors.certinia.payloads import (
    SYSTEM,
    approved_query,
    at,
    day_of,
    expense,
    milestone,
    time_worked,
)
from adapters.vendors.salesforce.client import SalesforceClient
from adapters.vendors.salesforce.crm import reading
from application.errors import VendorRejected
from application.psa_work_ports import ApprovedWork, WorkPage


@frozen
class Kind:
    name: str  # o2c's kind
    read: tuple[str, ...]  # the mapped fields o2c reads
    convert: Callable[[dict[str, Any], Section], ApprovedWork]


COMMON = ("approved_on", "project", "day")
KINDS = (
    Kind("time", (*COMMON, "hours", "resource", "role"), time_worked),
    Kind("expense", (*COMMON, "resource", "category", "amount", "currency"), expense),
    Kind("milestone", (*COMMON, "code"), milestone),
)
RANKS = {kind.name: rank for rank, kind in enumerate(KINDS)}
Position = tuple[str, int, tuple[int, str]]


@frozen
class Approved:
    approved_on: str  # as Certinia holds it: a date or a UTC datetime
    work: ApprovedWork

    @property
    def position(self) -> Position:
        return (self.approved_on, RANKS[self.work.kind], id_order(self.work.source_id))

    @property
    def cursor(self) -> str:
        return f"{self.approved_on}|{self.work.kind}|{self.work.source_id}"


class ApprovedWorkReader:
    def __init__(self, client: SalesforceClient, mapping: CertiniaMapping) -> None:
        self.client = client
        self.mapping = mapping

    def page(self, since: dt.date, cursor: str, limit: int) -> WorkPage:
        after = position(cursor)
        found = sorted(self.approved_since(since), key=lambda a: a.position)
        later = [a for a in found if after is None or a.position > after]
        shown = later[:limit]
        more = len(later) > limit
        return WorkPage(tuple(a.work for a in shown), shown[-1].cursor if more else "")

    def approved_since(self, since: dt.date) -> Iterator[Approved]:
        for kind in KINDS:
            section = self.mapping.work(kind.name)
            assert section is not None
            for row in self.client.query(approved_query(section, kind.read)):
                approved_on = str(at(row, section["approved_on"]) or "")
                if approved_on and day_of(approved_on) >= since.isoformat():
                    with reading(f"{section.object} {row.get('Id')}"):
                        found = Approved(approved_on, kind.convert(row, section))
                    yield found


def id_order(source_id: str) -> tuple[int, str]:
    return (len(source_id), source_id)


def position(cursor: str) -> Position | None:
    if not cursor:
        return None
    parts = cursor.split("|")
    if len(parts) != 3 or parts[1] not in RANKS:
        raise VendorRejected(SYSTEM, f"the cursor {cursor!r} is not one this adapter gave")
    return parts[0], RANKS[parts[1]], id_order(parts[2])
