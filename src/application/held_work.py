"""DecideHeldWork: work held over a not-to-exceed cap is billed as overage or written off,
by someone's decision, never silently."""

from __future__ import annotations

from application.billing_access import engagement_for
from application.billing_ports import BillingPorts
from application.commands import DecideHeldWork
from application.pipeline import Pipeline
from application.ports import UnitOfWork
from domain.billable_event import BillableEvent
from domain.billing.rating import Rated
from domain.errors import DomainError, InvalidField, NotFound
from domain.requests import RequestKey

OPERATION = "DecideHeldWork"
DECISIONS = {"bill": True, "write_off": False}


def decide_held_work(cmd: DecideHeldWork, ports: BillingPorts) -> BillableEvent:
    bill = decision(cmd.decision)
    if not cmd.reason.strip():
        raise InvalidField("a decision gives its reason", field="reason")
    key = RequestKey(cmd.caller.subject, OPERATION, cmd.request_id)
    answer = Pipeline(ports.uow_factory, ports.clock).run(
        key, cmd, lambda uow: decide(uow, cmd, bill, ports)
    )
    with ports.uow_factory() as uow:
        event = uow.billable_events.get(str(answer["billable_event_id"]))
    assert event is not None
    return event


def decide(
    uow: UnitOfWork, cmd: DecideHeldWork, bill: bool, ports: BillingPorts
) -> dict[str, object]:
    event = visible_event(uow, cmd)
    agreement = uow.billing_agreements.get(event.engagement_id)
    if agreement is None:
        raise not_held(event)
    try:
        rated: Rated = agreement.decide_held(event.work_package_code, event.id, bill=bill)
    except DomainError:
        raise not_held(event) from None
    event.decide(rated, ports.clock.now())
    return {"billable_event_id": event.id}


def visible_event(uow: UnitOfWork, cmd: DecideHeldWork) -> BillableEvent:
    event = uow.billable_events.get(cmd.billable_event_id)
    if event is not None:
        engagement_for(uow, event.engagement_id, cmd.caller, "billable_event_id")
        return event
    raise NotFound(
        f"billable event {cmd.billable_event_id!r} not found",
        field="billable_event_id",
        keys={"billable_event_id": cmd.billable_event_id},
    )


def not_held(event: BillableEvent) -> NotFound:
    return NotFound(
        f"billable event {event.id} has no work held over its cap",
        field="billable_event_id",
        keys={"billable_event_id": event.id},
    )


def decision(value: str) -> bool:
    if value not in DECISIONS:
        raise InvalidField("decision is bill (as overage) or write_off", field="decision")
    return DECISIONS[value]
