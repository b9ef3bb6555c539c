"""What an invoice line says, in the words a customer reads: the work, its quantity and the
reference the customer knows it by."""

from __future__ import annotations

from domain.billable_event import BillableEvent, decimal_text
from domain.billing.charges import Charge, ChargeKind
from domain.billing.state import Period
from domain.billing.work import (
    ExpenseIncurred,
    MilestoneCompleted,
    PeriodBegan,
    TimeWorked,
    UsageRecorded,
)

TIME_WORDS = {
    ChargeKind.TIME: "Time",
    ChargeKind.CAP_OVERAGE: "Time over the cap, approved",
    ChargeKind.RETAINER_OVERAGE: "Time beyond the retainer",
}


def line_text(event: BillableEvent, charge: Charge) -> str:
    work, reference = event.work, event.source_id
    if isinstance(work, TimeWorked):
        words = TIME_WORDS.get(charge.kind, "Time")
        return f"{words}: {decimal_text(charge.quantity)} h {work.role}, {reference}"
    if isinstance(work, ExpenseIncurred):
        return f"Expense: {work.category}, {reference}"
    if isinstance(work, MilestoneCompleted):
        return f"Milestone {work.milestone_code} completed, {reference}"
    if isinstance(work, UsageRecorded):
        return f"Usage: {decimal_text(work.quantity)} units, {reference}"
    if isinstance(work, PeriodBegan):
        return f"Fee for {Period.of(work.starts_on)}"
    return f"{charge.kind.value}, {reference}"
