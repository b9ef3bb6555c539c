"""Billable events: approved work, rated by the rate card and staged for invoicing."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from attrs import define, field, frozen

from domain.billing.work import HOURS_DECIMALS, MAX_HOURS_PER_DAY
from domain.engagement import Engagement
from domain.errors import BillableEventConflict, InvalidField
from domain.events import BillableEventStaged, Event
from domain.money import Money
from domain.ownership import System


class BillableEventStatus(enum.Enum):
    APPROVED = "approved"
    RATED = "rated"
    STAGED = "staged"


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
    hours: Decimal
    rate: Money
    amount: Money
    status: BillableEventStatus
    approved_at: dt.datetime
    version: int = 1
    events: list[Event] = field(factory=list, eq=False)

    @classmethod
    def stage_time(
        cls, event_id: str, entry: TimeEntry, engagement: Engagement, now: dt.datetime
    ) -> BillableEvent:
        engagement.check_billable(entry.work_date)
        rate = engagement.rate_for(entry.role)
        event = cls(
            id=event_id,
            source_system=entry.source_system,
            source_id=entry.source_id,
            engagement_id=engagement.id,
            kind="time",
            resource=entry.resource,
            role=entry.role,
            work_date=entry.work_date,
            hours=entry.hours,
            rate=rate,
            amount=rated(entry, rate),
            status=BillableEventStatus.RATED,
            approved_at=now,
        )
        event.stage(now)
        return event

    def stage(self, now: dt.datetime) -> None:
        self.status = BillableEventStatus.STAGED
        self.events.append(
            BillableEventStaged(
                occurred_at=now,
                billable_event_id=self.id,
                engagement_id=self.engagement_id,
                source_system=self.source_system.value,
                source_id=self.source_id,
                role=self.role,
                hours=str(self.hours),
                amount=self.amount,
            )
        )

    def check_same_entry(self, entry: TimeEntry) -> None:
        same = (
            self.engagement_id == entry.engagement_id
            and self.resource == entry.resource
            and self.role == entry.role
            and self.work_date == entry.work_date
            and self.hours == entry.hours
        )
        if not same:
            raise BillableEventConflict(
                f"{entry.source_system.value} time entry {entry.source_id} was staged before "
                "with other details",
                field="time_entry.source_id",
                keys={"source_system": entry.source_system.value, "source_id": entry.source_id},
            )


def rated(entry: TimeEntry, rate: Money) -> Money:
    try:
        return rate.times(entry.hours)
    except InvalidField as error:
        raise InvalidField(
            f"{entry.hours} hours at {rate} come to more than an amount may hold: {error.message}",
            field="time_entry.hours",
            keys={"source_id": entry.source_id},
        ) from None
