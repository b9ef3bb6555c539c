"""What rating records: a billable event rated into charges, and work held over a cap."""

from __future__ import annotations

from attrs import frozen

from domain.events import AggregateRef, BusinessKey, BusinessKeyKind, Event
from domain.money import Money


@frozen(kw_only=True)
class BillableEventOutcome(Event):
    billable_event_id: str
    engagement_id: str
    work_package_code: str
    source_system: str
    source_id: str

    @property
    def aggregate(self) -> AggregateRef:
        return AggregateRef("billable_event", self.billable_event_id)

    @property
    def key(self) -> BusinessKey:
        return BusinessKey(BusinessKeyKind.SOURCE_RECORD, f"{self.source_system}:{self.source_id}")


@frozen
class RatedCharge:
    """One charge as subscribers read it: its kind, quantity and exact amount."""

    kind: str
    quantity: str
    amount: Money


@frozen(kw_only=True)
class BillableEventRated(BillableEventOutcome):
    kind: str
    charges: tuple[RatedCharge, ...]
    billed: Money  # what will reach an invoice: the charges of billed kinds


@frozen(kw_only=True)
class BillableEventHeldOverCap(BillableEventOutcome):
    held: Money
    hours: str
