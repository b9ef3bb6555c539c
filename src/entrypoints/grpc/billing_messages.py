"""The billing API's requests as the application's commands, and billable events as staged
lines; each date the caller sent is read under the path they sent it at."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from adapters.proto_values import SYSTEM_ENUMS, SYSTEMS, date_message, money_message
from application.approve_work import Approval, ItemOutcome
from application.billing_cycle import CycleOutcome
from application.commands import (
    ApproveWork,
    CreditLineRequest,
    DecideHeldWork,
    IssueCreditNote,
    RecordPayment,
    RunBillingCycle,
)
from application.platform_handoff import PlatformHandoff
from application.platform_invoice_ports import RecordedInvoice
from application.platform_invoices import PlatformInvoiceRead
from domain.billable_event import BillableEvent, decimal_text
from domain.billing.charges import Charge
from domain.errors import DomainError
from domain.principal import Principal
from entrypoints.grpc.errors import status_message
from entrypoints.grpc.presence import iso_date
from o2c.v1 import billing_pb2

WorkRequest = billing_pb2.ApproveBillableEventRequest | billing_pb2.BillableEventItem
DECISIONS = {
    billing_pb2.HELD_WORK_DECISION_BILL_AS_OVERAGE: "bill",
    billing_pb2.HELD_WORK_DECISION_WRITE_OFF: "write_off",
}


def work_command(request: WorkRequest, caller: Principal, prefix: str = "") -> ApproveWork:
    """`prefix` is where the event sits in the request: "" alone, "items[3]." in a batch."""
    system = SYSTEMS.get(request.source_system)
    chosen = request.WhichOneof("event") or "time_entry"
    entry = getattr(request, chosen)
    return ApproveWork(
        request_id=request.request_id,
        source_system=system.value if system else "",
        source_id=entry.source_id,
        engagement_id=entry.engagement_id,
        work_package_code=entry.work_package_code,
        field_prefix=prefix,
        caller=caller,
        **EVENT_FIELDS[chosen](entry, f"{prefix}{chosen}."),
    )


def time_fields(entry: billing_pb2.TimeEntry, where: str) -> dict[str, str]:
    return {
        "kind": "time",
        "day": iso_date(entry, "work_date", where + "work_date"),
        "resource": entry.resource,
        "role": entry.role,
        "hours": entry.hours,
    }


def expense_fields(entry: billing_pb2.ExpenseEntry, where: str) -> dict[str, str]:
    return {
        "kind": "expense",
        "day": iso_date(entry, "incurred_on", where + "incurred_on"),
        "resource": entry.resource,
        "category": entry.category,
        "cost_amount": entry.cost.amount,
        "cost_currency": entry.cost.currency_code,
    }


def milestone_fields(entry: billing_pb2.MilestoneCompletion, where: str) -> dict[str, str]:
    return {
        "kind": "milestone",
        "day": iso_date(entry, "completed_on", where + "completed_on"),
        "milestone_code": entry.milestone_code,
    }


def usage_fields(entry: billing_pb2.UsageRecord, where: str) -> dict[str, str]:
    return {
        "kind": "usage",
        "day": iso_date(entry, "used_on", where + "used_on"),
        "quantity": entry.quantity,
    }


EVENT_FIELDS: dict[str, Callable[[Any, str], dict[str, str]]] = {
    "time_entry": time_fields,
    "expense": expense_fields,
    "milestone": milestone_fields,
    "usage": usage_fields,
}


def staged_line(event: BillableEvent) -> billing_pb2.StagedLine:
    line = billing_pb2.StagedLine(
        billable_event_id=event.id,
        engagement_id=event.engagement_id,
        source_system=SYSTEM_ENUMS[event.source_system],
        source_id=event.source_id,
        role=event.role,
        hours="" if event.hours is None else decimal_text(event.hours),
        amount=money_message(event.amount),
        status=billing_pb2.BillableEventStatus.Value(f"BILLABLE_EVENT_STATUS_{event.status.name}"),
        kind=billing_pb2.BillableEventKind.Value(f"BILLABLE_EVENT_KIND_{event.kind.upper()}"),
        work_package_code=event.work_package_code,
        unit_price="" if event.unit_price is None else event.unit_price.amount_text(),
        charges=[charge_message(charge) for charge in event.charges],
    )
    if event.rate is not None:
        line.rate.CopyFrom(money_message(event.rate))
    return line


def charge_message(charge: Charge) -> billing_pb2.Charge:
    return billing_pb2.Charge(
        kind=billing_pb2.ChargeKind.Value(f"CHARGE_KIND_{charge.kind.name}"),
        quantity=decimal_text(charge.quantity),
        amount=money_message(charge.amount),
    )


def approval_response(approval: Approval) -> billing_pb2.ApproveBillableEventResponse:
    return billing_pb2.ApproveBillableEventResponse(
        staged_line=staged_line(approval.event),
        already_staged=approval.already_staged,
        reapproved=approval.reapproved,
    )


def item_result(
    index: int, item: billing_pb2.BillableEventItem, outcome: ItemOutcome
) -> billing_pb2.BillableEventResult:
    result = billing_pb2.BillableEventResult(index=index, request_id=item.request_id)
    if outcome.approval is not None:
        result.staged_line.CopyFrom(staged_line(outcome.approval.event))
        result.already_staged = outcome.approval.already_staged
        result.reapproved = outcome.approval.reapproved
    elif outcome.error is not None:
        result.error.CopyFrom(status_message(outcome.error))
    return result


def batch_commands(
    items: Sequence[billing_pb2.BillableEventItem], caller: Principal
) -> list[ApproveWork | DomainError]:
    """Each item's command, or why it could not be read: one bad item leaves the rest whole."""
    commands: list[ApproveWork | DomainError] = []
    for index, item in enumerate(items):
        try:
            commands.append(work_command(item, caller, f"items[{index}]."))
        except DomainError as error:
            commands.append(error)
    return commands


def decide_command(request: billing_pb2.DecideHeldWorkRequest, caller: Principal) -> DecideHeldWork:
    return DecideHeldWork(
        request_id=request.request_id,
        billable_event_id=request.billable_event_id,
        decision=DECISIONS.get(request.decision, ""),
        reason=request.reason,
        caller=caller,
    )


def cycle_command(
    request: billing_pb2.RunBillingCycleRequest, caller: Principal
) -> RunBillingCycle:
    return RunBillingCycle(
        request_id=request.request_id,
        as_of=iso_date(request, "as_of", "as_of"),
        legal_entity_codes=tuple(request.legal_entity_codes),
        engagement_ids=tuple(request.engagement_ids),
        finalise=request.finalise,
        caller=caller,
    )


def credit_note_command(
    request: billing_pb2.IssueCreditNoteRequest, caller: Principal
) -> IssueCreditNote:
    return IssueCreditNote(
        request_id=request.request_id,
        invoice_id=request.invoice_id,
        reason=request.reason,
        issued_on=iso_date(request, "issued_on", "issued_on"),
        lines=tuple(
            CreditLineRequest(
                line.line_number,
                line.net.amount if line.HasField("net") else "",
                line.net.currency_code if line.HasField("net") else "",
            )
            for line in request.credit_lines
        ),
        caller=caller,
    )


def payment_command(request: billing_pb2.RecordPaymentRequest, caller: Principal) -> RecordPayment:
    return RecordPayment(
        request_id=request.request_id,
        invoice_id=request.invoice_id,
        payment_id=request.payment_id,
        amount=request.amount.amount,
        currency=request.amount.currency_code,
        received_on=iso_date(request, "received_on", "received_on"),
        caller=caller,
    )


def cycle_response(
    outcome: CycleOutcome, summary: Callable[[Any], Any]
) -> billing_pb2.RunBillingCycleResponse:
    return billing_pb2.RunBillingCycleResponse(
        invoices=[summary(invoice) for invoice in outcome.invoices],
        finalised=outcome.finalised,
        handed_to_platform=[handoff_message(h) for h in outcome.handed_to_platform],
    )


def handoff_message(handoff: PlatformHandoff) -> billing_pb2.PlatformHandoff:
    return billing_pb2.PlatformHandoff(
        engagement_id=handoff.engagement_id,
        legal_entity_code=handoff.legal_entity_code,
        platform=handoff.platform,
        handed_events=handoff.events,
        held_events=handoff.held,
    )


def platform_read_response(read: PlatformInvoiceRead) -> billing_pb2.ReadPlatformInvoicesResponse:
    return billing_pb2.ReadPlatformInvoicesResponse(
        accounts=read.accounts,
        new_invoices=read.new,
        changed_invoices=read.changed,
        unreachable_accounts=list(read.unreachable),
    )


def platform_invoice_message(invoice: RecordedInvoice) -> billing_pb2.PlatformInvoice:
    return billing_pb2.PlatformInvoice(
        platform=invoice.platform,
        number=invoice.number,
        account_key=invoice.account_key,
        legal_entity_code=invoice.legal_entity_code,
        invoice_date=date_message(invoice.invoice_date),
        due_date=date_message(invoice.due_date),
        amount=money_message(invoice.amount),
        balance=money_message(invoice.balance),
        status=invoice.status,
    )
