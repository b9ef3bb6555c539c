"""What an approval looks up: the engagement, its agreement and the work staged before under
the same source. A single call asks its unit of work; a batch asks once for all its items,
and every event staged in the batch counts as staged before for the items after it."""

from __future__ import annotations

from collections.abc import Iterable

from application.billing_access import active_engagement, agreement_for
from application.ports import UnitOfWork
from domain.billable_event import BillableEvent
from domain.billing.agreement import BillingAgreement
from domain.engagement import Engagement
from domain.ownership import System
from domain.principal import Principal

SourceKey = tuple[System, str]


class Books:
    def __init__(self, uow: UnitOfWork, known: Iterable[BillableEvent] | None = None) -> None:
        """`known`: every event already staged under the batch's sources, looked up at once."""
        self.uow = uow
        self.by_source = None if known is None else {source_of(e): e for e in known}
        self.engagements: dict[tuple[str, str], Engagement] = {}
        self.agreements: dict[str, BillingAgreement] = {}

    def engagement(self, engagement_id: str, caller: Principal, field_name: str) -> Engagement:
        key = (engagement_id, caller.subject)
        if key not in self.engagements:
            self.engagements[key] = active_engagement(self.uow, engagement_id, caller, field_name)
        return self.engagements[key]

    def agreement(self, engagement: Engagement) -> BillingAgreement:
        if engagement.id not in self.agreements:
            self.agreements[engagement.id] = agreement_for(self.uow, engagement)
        return self.agreements[engagement.id]

    def prior(self, system: System, source_id: str) -> BillableEvent | None:
        if self.by_source is None:
            return self.uow.billable_events.get_by_source(system, source_id)
        return self.by_source.get((system, source_id))

    def known_events(self) -> dict[str, BillableEvent]:
        """By id, every event the batch looked up or staged."""
        return {event.id: event for event in (self.by_source or {}).values()}

    def stage(self, event: BillableEvent) -> None:
        self.uow.billable_events.add(event)
        if self.by_source is not None:
            self.by_source[source_of(event)] = event


def source_of(event: BillableEvent) -> SourceKey:
    return (event.source_system, event.source_id)
