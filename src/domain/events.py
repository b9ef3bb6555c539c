"""Outcome events the aggregates record: small frozen facts in the past tense."""

from __future__ import annotations

import datetime as dt
import uuid

from attrs import field, frozen

from domain.money import Money


def _new_id() -> str:
    return str(uuid.uuid4())


@frozen(kw_only=True)
class Event:
    occurred_at: dt.datetime
    event_id: str = field(factory=_new_id)


@frozen(kw_only=True)
class EngagementActivated(Event):
    engagement_id: str
    opportunity_id: str
    erp_legal_entity: str
    erp_customer_number: str
    psa_project_ids: tuple[str, ...]


@frozen(kw_only=True)
class EngagementProvisioningFailed(Event):
    engagement_id: str
    opportunity_id: str
    reason: str


@frozen(kw_only=True)
class ExceptionParked(Event):
    exception_id: str
    workflow: str
    business_key: str
    reason_code: str
    owner_role: str
    detail: str


@frozen(kw_only=True)
class BillableEventStaged(Event):
    billable_event_id: str
    engagement_id: str
    source_system: str
    source_id: str
    role: str
    hours: str
    amount: Money
