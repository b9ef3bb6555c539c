"""Approved work as the PSA holds it: timecards, expenses and milestones that o2c reads and
stages for billing, and marks as invoiced once it bills them.

An item arrives in o2c's words through the firm's mapping for that PSA, its values as the PSA
wrote them: ApproveBillableEvent checks them like any request. The PSA's project id finds the
engagement and work package it belongs to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Protocol

from attrs import field, frozen


def extension_map(value: Mapping[str, str]) -> Mapping[str, str]:
    return dict(value)


@frozen
class ApprovedWork:
    source_id: str  # the PSA's id for the timecard split, expense or milestone
    kind: str  # time, expense or milestone
    project_id: str
    day: str  # the work date, the expense date, the day the milestone was completed
    resource: str = ""
    role: str = ""
    hours: str = ""
    category: str = ""
    cost_amount: str = ""
    cost_currency: str = ""
    milestone_code: str = ""
    extensions: Mapping[str, str] = field(factory=dict, converter=extension_map)


@frozen
class WorkPage:
    items: tuple[ApprovedWork, ...]
    next_cursor: str  # "" when there is no more


@frozen
class Invoiced:
    """What o2c writes back on an item it invoiced."""

    source_id: str
    kind: str
    invoice_number: str
    invoiced_on: dt.date


class PsaWork(Protocol):
    def approved_work(self, since: dt.date, cursor: str, limit: int) -> WorkPage:
        """Items approved on or after `since`, oldest first, `limit` at most per page; pass
        the page's `next_cursor` for the next."""
        ...

    def mark_invoiced(self, invoiced: Invoiced) -> None:
        """Record the invoice on the item; sending it again changes nothing."""
        ...
