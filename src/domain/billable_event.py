"""Billable events: approved work (time, an expense, a milestone completion, usage) or a
scheduled fee, rated by its work package's terms into charges and staged for invoicing.

Identified by (source system, source id). The charges name the event's own id as their source,
so every invoice line traces back to the billable events it bills.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from attrs import define, evolve, field, frozen

from domain.billing.charges import Charge, ChargeKind, total
from domain.billing.outcomes import BillableEventHeldOverCap, BillableEventRated, RatedCharge
from domain.billing.rating import Rated
from domain.billing.work import (
    HOURS_DECIMALS,
    MAX_HOURS_PER_DAY,
    ExpenseIncurred,
    MilestoneCompleted,
    PeriodBegan,
    TimeWorked,
    UsageRecorded,
    Work,
)
from domain.errors import BillableEventConflict, InvalidField, InvalidTransition
from domain.events import BillableEventStaged, Event
from domain.money import Money
from domain.ownership import System
from domain.unit_price import UnitPrice


class BillableEventKind(enum.Enum):
    TIME = "time"
    EXPENSE = "expense"
    MILESTONE = "milestone"
    USAGE = "usage"
    PERIOD_FEE = "period_fee"


KIND_OF_WORK: dict[type, BillableEventKind] = {
    TimeWorked: BillableEventKind.TIME,
    ExpenseIncurred: BillableEventKind.EXPENSE,
    MilestoneCompleted: BillableEventKind.MILESTONE,
    UsageRecorded: BillableEventKind.USAGE,
    PeriodBegan: BillableEventKind.PERIOD_FEE,
}


class BillableEventStatus(enum.Enum):
    APPROVED = "approved"
    RATED = "rated"
    STAGED = "staged"  # has charges waiting for an invoice
    HELD_OVER_CAP = "held_over_cap"  # all of it waits for a decision: overage or write-off
    NOT_BILLED = "not_billed"  # rated to nothing billable: a fee covers it, or its category
    INVOICED = "invoiced"
    WRITTEN_OFF = "written_off"


@frozen
class TimeEntry:
    source_system: System
    source_id: str
    engagement_id: str
    resource: str
    role: str
    work_date: dt.date
    hours: Decimal

    def __attrs_post_init__(self) -> None:
        if not Decimal(0) < self.hours <= MAX_HOURS_PER_DAY:
            raise InvalidField(
                f"hours must be more than 0 and at most 24, got {self.hours}",
                field="time_entry.hours",
                keys={"source_id": self.source_id},
            )
        if self.hours != self.hours.quantize(Decimal(1).scaleb(-HOURS_DECIMALS)):
            raise InvalidField(
                f"hours may have at most {HOURS_DECIMALS} decimals, got {self.hours}",
                field="time_entry.hours",
                keys={"source_id": self.source_id},
            )


@define(slots=False, eq=False)
class BillableEvent:
    id: str
    source_system: System
    source_id: str
    engagement_id: str
    kind: str
    resource: str
    role: str
    work_date: dt.date
    hours: Decimal | None
    rate: Money | None
    amount: Money
    status: BillableEventStatus
    approved_at: dt.datetime
    work_package_code: str = ""
    work: Work | None = None
    charges: tuple[Charge, ...] = ()
    unit_price: UnitPrice | None = None
    version: int = 1
    events: list[Event] = field(factory=list, eq=False)

    @classmethod
    def approve(
        cls,
        *,
        event_id: str,
        source_system: System,
        source_id: str,
        engagement_id: str,
        work_package_code: str,
        resource: str,
        work: Work,
        rated: Rated,
        currency: str,
        unit_price: UnitPrice | None,
        now: dt.datetime,
    ) -> BillableEvent:
        """Work rated by its terms; `work.source_id` is `event_id`, as its charges' are."""
        if work.source_id != event_id:
            raise InvalidField("the work is rated under the event's own id", field="source_id")
        billed = total(rated.billed(), currency)
        event = cls(
            id=event_id,
            source_system=source_system,
            source_id=source_id,
            engagement_id=engagement_id,
            kind=KIND_OF_WORK[type(work)].value,
            resource=resource,
            role=work.role if isinstance(work, TimeWorked) else "",
            work_date=work.day,
            hours=work.hours if isinstance(work, TimeWorked) else None,
            rate=money_of(unit_price),
            amount=billed,
            status=status_after_rating(rated),
            approved_at=now,
            work_package_code=work_package_code,
            work=work,
            charges=rated.charges,
            unit_price=unit_price,
        )
        event.record_rated(rated, now)
        return event

    def record_rated(self, rated: Rated, now: dt.datetime) -> None:
        billed = total(rated.billed(), self.amount.currency)
        self.events.append(
            BillableEventRated(
                occurred_at=now,
                **self.outcome_keys(),
                kind=self.kind,
                charges=tuple(
                    RatedCharge(c.kind.value, decimal_text(c.quantity), c.amount)
                    for c in rated.charges
                ),
                billed=billed,
            )
        )
        for charge in rated.charges:
            if charge.kind is ChargeKind.HELD_OVER_CAP:
                self.events.append(
                    BillableEventHeldOverCap(
                        occurred_at=now,
                        **self.outcome_keys(),
                        held=charge.amount,
                        hours=decimal_text(charge.quantity),
                    )
                )
        if billed.is_positive() and self.kind == BillableEventKind.TIME.value:
            self.events.append(
                BillableEventStaged(
                    occurred_at=now,
                    billable_event_id=self.id,
                    engagement_id=self.engagement_id,
                    source_system=self.source_system.value,
                    source_id=self.source_id,
                    role=self.role,
                    hours=decimal_text(self.hours or Decimal(0)),
                    amount=billed,
                )
            )

    def outcome_keys(self) -> dict[str, str]:
        return {
            "billable_event_id": self.id,
            "engagement_id": self.engagement_id,
            "work_package_code": self.work_package_code,
            "source_system": self.source_system.value,
            "source_id": self.source_id,
        }

    def decide(self, rated: Rated, now: dt.datetime) -> None:
        """A decision on the work held over the cap: billed as overage, or written off."""
        self.charges = (*self.charges, *rated.charges)
        billed = total(rated.billed(), self.amount.currency)
        self.amount = self.amount + billed
        if billed.is_positive():
            self.status = BillableEventStatus.STAGED
        elif self.status is BillableEventStatus.HELD_OVER_CAP:
            self.status = BillableEventStatus.WRITTEN_OFF
        self.record_rated(rated, now)

    def billed_charges(self) -> tuple[Charge, ...]:
        return tuple(c for c in self.charges if c.is_billed and c.amount.is_positive())

    def mark_invoiced(self) -> None:
        if self.status is not BillableEventStatus.STAGED:
            raise InvalidTransition(
                f"billable event {self.id} is {self.status.value}, not staged",
                field="billable_event_id",
                keys={"billable_event_id": self.id, "status": self.status.value},
            )
        self.status = BillableEventStatus.INVOICED

    def stage_again(self) -> None:
        """Credited work, re-approved: the next billing cycle bills it again."""
        if self.status is not BillableEventStatus.INVOICED:
            raise InvalidTransition(
                f"billable event {self.id} is {self.status.value}: only invoiced work that a "
                "credit note released is re-approved",
                field="source_id",
                keys={"billable_event_id": self.id, "status": self.status.value},
            )
        self.status = BillableEventStatus.STAGED

    def check_same_work(
        self, engagement_id: str, work_package_code: str, resource: str, work: Work, field_name: str
    ) -> None:
        """A repeated approval of (source system, source id) must say what the first said."""
        same = (
            self.engagement_id == engagement_id
            and self.work_package_code == work_package_code
            and self.resource == resource
            and self.work is not None
            and self.work == evolve(work, source_id=self.id)
        )
        if not same:
            raise BillableEventConflict(
                f"{self.source_system.value} {self.kind} {self.source_id} was approved before "
                "with other details",
                field=field_name,
                keys={"source_system": self.source_system.value, "source_id": self.source_id},
            )


def status_after_rating(rated: Rated) -> BillableEventStatus:
    if rated.billed():
        return BillableEventStatus.STAGED
    if any(charge.kind is ChargeKind.HELD_OVER_CAP for charge in rated.charges):
        return BillableEventStatus.HELD_OVER_CAP
    return BillableEventStatus.NOT_BILLED


def money_of(price: UnitPrice | None) -> Money | None:
    """The unit price as money where the currency holds it exactly; None where it does not."""
    if price is None:
        return None
    money = Money.of(price.amount, price.currency)
    return money if money.amount == price.amount else None


def decimal_text(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if text != "-0" else "0"
