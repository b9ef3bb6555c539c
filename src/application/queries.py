"""Read-side questions: plain records out, never rows or messages."""

from __future__ import annotations

from attrs import frozen

from application.billing_ports import BillingPorts
from application.ports import UnitOfWork, UnitOfWorkFactory
from domain.billable_event import BillableEvent
from domain.billing.agreement import BillingAgreement
from domain.engagement import Engagement
from domain.errors import NotFound
from domain.exception_case import ExceptionCase
from domain.principal import Principal


@frozen
class EngagementView:
    """An engagement as its users follow it: with the exception it waits on, if any."""

    engagement: Engagement
    exception: ExceptionCase | None
    agreement: BillingAgreement | None = None  # its billing terms per work package


def get_engagement(
    engagement_id: str, uow_factory: UnitOfWorkFactory, viewer: Principal
) -> EngagementView:
    with uow_factory() as uow:
        engagement = visible_engagement(uow.engagements.get(engagement_id), viewer)
        if engagement is None:
            raise NotFound(
                f"engagement {engagement_id!r} not found",
                field="engagement_id",
                keys={"engagement_id": engagement_id},
            )
        return view(uow, engagement)


def engagement_of_opportunity(
    opportunity_id: str, uow_factory: UnitOfWorkFactory, viewer: Principal
) -> EngagementView:
    with uow_factory() as uow:
        engagement = visible_engagement(uow.engagements.get_by_opportunity(opportunity_id), viewer)
        if engagement is None:
            raise NotFound(
                f"no engagement for opportunity {opportunity_id!r}",
                field="opportunity_id",
                keys={"opportunity_id": opportunity_id},
            )
        return view(uow, engagement)


def visible_engagement(engagement: Engagement | None, viewer: Principal) -> Engagement | None:
    """The engagement if `viewer` may see its legal entity: to others it does not exist, so
    that its existence does not leak."""
    if engagement is None or not viewer.sees(engagement.legal_entity_code):
        return None
    return engagement


def view(uow: UnitOfWork, engagement: Engagement) -> EngagementView:
    exception_id = engagement.exception_id
    return EngagementView(
        engagement,
        uow.exceptions.get(exception_id) if exception_id else None,
        uow.billing_agreements.get(engagement.id),
    )


def get_billable_event(event_id: str, uow_factory: UnitOfWorkFactory) -> BillableEvent:
    with uow_factory() as uow:
        event = uow.billable_events.get(event_id)
    if event is None:
        raise NotFound(f"billable event {event_id!r} not found", field="billable_event_id")
    return event


def get_agreement(
    engagement_id: str, ports: BillingPorts, viewer: Principal
) -> BillingAgreement | None:
    """The engagement's billing terms per work package, if the viewer may see it."""
    with ports.uow_factory() as uow:
        engagement = visible_engagement(uow.engagements.get(engagement_id), viewer)
        return None if engagement is None else uow.billing_agreements.get(engagement_id)
