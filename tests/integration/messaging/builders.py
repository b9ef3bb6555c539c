"""Outcome events in the business's words, one of each kind."""

from __future__ import annotations

import datetime as dt

from domain import events
from domain.money import Money

CLOSED_WON_AT = dt.datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=dt.UTC)


def an_engagement_activated(number: int = 1) -> events.EngagementActivated:
    return events.EngagementActivated(
        occurred_at=CLOSED_WON_AT,
        engagement_id=f"ENG-{number}",
        opportunity_id=f"006-OPP-{number}",
        erp_legal_entity="US01",
        erp_customer_number=f"C-{number:05d}",
        psa_project_ids=(f"PRJ-{number}-NA", f"PRJ-{number}-EU"),
    )


def a_failed_provisioning() -> events.EngagementProvisioningFailed:
    return events.EngagementProvisioningFailed(
        occurred_at=CLOSED_WON_AT,
        engagement_id="ENG-2",
        opportunity_id="006-OPP-2",
        reason="no ERP route for legal entity BR01",
    )


def a_parked_exception() -> events.ExceptionParked:
    return events.ExceptionParked(
        occurred_at=CLOSED_WON_AT,
        exception_id="EXC-1",
        workflow="closed_won_to_engagement",
        business_key="006-OPP-2",
        reason_code="LEGAL_ENTITY_NOT_MAPPED",
        owner_role="finance",
        detail="legal entity BR01 has no ERP route",
    )


def staged_time(number: int = 1) -> events.BillableEventStaged:
    return events.BillableEventStaged(
        occurred_at=CLOSED_WON_AT,
        billable_event_id=f"BE-{number}",
        engagement_id="ENG-1",
        source_system="psa",
        source_id=f"TC-{number}",
        role="consultant",
        hours="7.5",
        amount=Money.of("1125.00", "USD"),
    )


def one_of_each_kind() -> list[events.Event]:
    return [an_engagement_activated(), a_failed_provisioning(), a_parked_exception(), staged_time()]
