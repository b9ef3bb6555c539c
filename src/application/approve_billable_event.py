"""ApproveBillableEvent: approved time from the PSA, rated and staged for invoicing once."""

from __future__ import annotations

from attrs import frozen

from application.commands import ApproveTimeEntry
from application.parsing import parse_date, parse_quantity, required
from application.pipeline import Pipeline
from application.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from application.queries import visible_engagement
from domain.audit import Refusal
from domain.billable_event import BillableEvent, TimeEntry
from domain.errors import InvalidField, NotFound, OwnershipViolation, SourceSystemMismatch
from domain.ownership import OwnershipMatrix, System
from domain.principal import Principal
from domain.requests import RequestKey

OPERATION = "ApproveBillableEvent"


@frozen
class Staged:
    billable_event_id: str
    already_staged: bool


@frozen
class BillingPorts:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    ownership: OwnershipMatrix


def approve_time_entry(cmd: ApproveTimeEntry, ports: BillingPorts) -> Staged:
    entry = time_entry(cmd)
    check_system_of_record(entry, cmd.caller, ports)
    key = RequestKey(cmd.caller.subject, OPERATION, cmd.request_id)
    pipeline = Pipeline(ports.uow_factory, ports.clock)
    answer = pipeline.run(key, cmd, lambda uow: stage(uow, entry, cmd.caller, ports))
    return Staged(str(answer["billable_event_id"]), bool(answer["already_staged"]))


def check_system_of_record(entry: TimeEntry, caller: Principal, ports: BillingPorts) -> None:
    """The writer is the system the caller was proven to be; the payload may only agree."""
    try:
        writer = check_speaks_for(caller, entry.source_system)
        ports.ownership.check_write("time_approval", writer)
    except OwnershipViolation as refusal:
        audit(refusal, entry, caller, ports)
        raise


def check_speaks_for(caller: Principal, source_system: System) -> System:
    if caller.system.system_of_record is not source_system:
        raise SourceSystemMismatch(
            f"source_system {source_system.value} is not the calling system {caller.system.value}",
            field="source_system",
            keys={"source_system": source_system.value, "calling_system": caller.system.value},
        )
    return source_system


def audit(
    refusal: OwnershipViolation, entry: TimeEntry, caller: Principal, ports: BillingPorts
) -> None:
    with ports.uow_factory() as uow:
        uow.audit.add(
            Refusal(
                id=ports.ids.new_id(),
                recorded_at=ports.clock.now(),
                writer=caller.system.value,
                operation=OPERATION,
                business_key=f"{entry.source_system.value}:{entry.source_id}",
                reason_code=refusal.reason,
                detail=refusal.message,
            )
        )
        uow.commit()


def stage(
    uow: UnitOfWork, entry: TimeEntry, caller: Principal, ports: BillingPorts
) -> dict[str, object]:
    engagement = visible_engagement(uow.engagements.get(entry.engagement_id), caller)
    if engagement is None:
        raise NotFound(
            f"engagement {entry.engagement_id} not found",
            field="time_entry.engagement_id",
            keys={"engagement_id": entry.engagement_id},
        )
    prior = uow.billable_events.get_by_source(entry.source_system, entry.source_id)
    if prior is not None:
        prior.check_same_entry(entry)
        return {"billable_event_id": prior.id, "already_staged": True}
    event = BillableEvent.stage_time(ports.ids.new_id(), entry, engagement, ports.clock.now())
    uow.billable_events.add(event)
    return {"billable_event_id": event.id, "already_staged": False}


def time_entry(cmd: ApproveTimeEntry) -> TimeEntry:
    return TimeEntry(
        source_system=source_system(cmd.source_system),
        source_id=required(cmd.source_id, "time_entry.source_id"),
        engagement_id=required(cmd.engagement_id, "time_entry.engagement_id"),
        resource=required(cmd.resource, "time_entry.resource"),
        role=required(cmd.role, "time_entry.role"),
        work_date=parse_date(cmd.work_date, "time_entry.work_date"),
        hours=parse_quantity(cmd.hours, "time_entry.hours"),
    )


def source_system(value: str) -> System:
    try:
        return System(value)
    except ValueError:
        raise InvalidField(
            "source_system must name a known system", field="source_system"
        ) from None
