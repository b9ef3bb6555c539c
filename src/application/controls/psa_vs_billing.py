"""Approved billable work in the PSA against what o2c holds of it, by the PSA's id for each
item: approved in the PSA but never staged in o2c, in o2c but no longer approved in the PSA, or
approved with other hours or another cost. The PMO owns each variance: the PSA is theirs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation

from application.controls.parking import Owner, parked
from application.controls.ports import ControlPorts
from application.controls.report import (
    Control,
    ControlReport,
    ControlVariance,
    Measure,
    compare,
)
from application.ports import UnitOfWork
from application.psa_work_ports import ApprovedWork, PsaWork
from domain.billable_event import BillableEvent
from domain.billing.work import ExpenseIncurred
from domain.exception_case import OwnerRole, Workflow
from domain.ownership import System

OWNER = Owner(Workflow.APPROVED_WORK_TO_STAGING, OwnerRole.PMO)
NAMES = ("PSA approved work", "o2c billable events")
PAGE = 200


def psa_vs_billing(legal_entity_code: str, ports: ControlPorts) -> ControlReport:
    billing = ports.billing
    since = billing.clock.now().date() - dt.timedelta(days=ports.look_back_days)
    if ports.psa_work is None:
        return report(legal_entity_code, ports, 0, [], note="no PSA that reports approved work")
    with billing.uow_factory() as uow:
        in_psa = {
            item.source_id: measure_of_work(item)
            for item in approved(ports.psa_work, since)
            if in_scope(uow, item.project_id, legal_entity_code)
        }
        in_o2c = {
            e.source_id: measure_of_event(e) for e in psa_events(uow, legal_entity_code, since)
        }
        for source_id in in_psa.keys() - in_o2c.keys():  # worked before the window, approved in it
            event = uow.billable_events.get_by_source(System.PSA, source_id)
            if event is not None:
                in_o2c[source_id] = measure_of_event(event)
    matched, variances = compare(in_psa, in_o2c)
    return report(legal_entity_code, ports, matched, variances)


def report(
    code: str,
    ports: ControlPorts,
    matched: int,
    variances: Sequence[ControlVariance],
    note: str = "",
) -> ControlReport:
    now = ports.billing.clock.now()
    found = ControlReport(
        Control.PSA_VS_BILLING, code, *NAMES, matched, tuple(variances), now, note=note
    )
    return parked(found, OWNER, ports.billing)


def approved(psa: PsaWork, since: dt.date) -> Iterator[ApprovedWork]:
    cursor = ""
    while True:
        page = psa.approved_work(since, cursor, PAGE)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def in_scope(uow: UnitOfWork, project_id: str, legal_entity_code: str) -> bool:
    if not legal_entity_code:
        return True
    engagement = uow.engagements.get_by_psa_project(project_id)
    return engagement is not None and engagement.legal_entity_code == legal_entity_code


def psa_events(uow: UnitOfWork, legal_entity_code: str, since: dt.date) -> Iterator[BillableEvent]:
    for engagement_id in uow.billing_agreements.engagement_ids():
        engagement = uow.engagements.get(engagement_id)
        if engagement is None or legal_entity_code not in ("", engagement.legal_entity_code):
            continue
        for event in uow.billable_events.of_engagement(engagement_id):
            if event.source_system is System.PSA and event.work_date >= since:
                yield event


def measure_of_work(item: ApprovedWork) -> Measure:
    try:
        if item.kind == "time":
            return Measure(Decimal(item.hours), "h")
        if item.kind == "expense":
            return Measure(Decimal(item.cost_amount), item.cost_currency)
    except InvalidOperation:
        return Measure(Decimal(0), f"unreadable {item.kind}")
    return Measure(Decimal(1), item.kind)


def measure_of_event(event: BillableEvent) -> Measure:
    if event.kind == "time" and event.hours is not None:
        return Measure(event.hours, "h")
    if isinstance(event.work, ExpenseIncurred):
        return Measure.of(event.work.cost)
    return Measure(Decimal(1), event.kind)
