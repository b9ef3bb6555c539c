"""ApproveBillableEvent for a time entry, as the first version of the API sent it."""

from __future__ import annotations

from attrs import frozen

from application.approve_work import approve_work
from application.billing_ports import BillingPorts
from application.commands import ApproveTimeEntry, ApproveWork

__all__ = ["BillingPorts", "Staged", "approve_time_entry"]


@frozen
class Staged:
    billable_event_id: str
    already_staged: bool


def approve_time_entry(cmd: ApproveTimeEntry, ports: BillingPorts) -> Staged:
    approval = approve_work(
        ApproveWork(
            request_id=cmd.request_id,
            source_system=cmd.source_system,
            source_id=cmd.source_id,
            engagement_id=cmd.engagement_id,
            work_package_code="",
            kind="time",
            day=cmd.work_date,
            caller=cmd.caller,
            resource=cmd.resource,
            role=cmd.role,
            hours=cmd.hours,
        ),
        ports,
    )
    return Staged(approval.event.id, approval.already_staged)
