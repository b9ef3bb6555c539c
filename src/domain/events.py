"""Outcome events the aggregates record: small frozen facts in the past tense.

Each says which aggregate's history it belongs to (`aggregate`) and which business key a user
knows it by (`key`).
"""

from __future__ import annotations

import abc
import datetime as dt
import enum
import uuid

from attrs import field, frozen

from domain.money import Money


def _new_id() -> str:
    return str(uuid.uuid4())


class BusinessKeyKind(enum.Enum):
    OPPORTUNITY = "opportunity"
    ENGAGEMENT = "engagement"
    INVOICE = "invoice"
    SOURCE_RECORD = "source_record"
    LEGAL_ENTITY = "legal_entity"
    UNCLASSIFIED = "unclassified"


@frozen
class BusinessKey:
    kind: BusinessKeyKind
    value: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.value}"


@frozen
class AggregateRef:
    type: str
    id: str


@frozen(kw_only=True)
class Event(abc.ABC):
    occurred_at: dt.datetime
    event_id: str = field(factory=_new_id)

    @property
    @abc.abstractmethod
    def aggregate(self) -> AggregateRef:
        """The aggregate whose history this event is part of."""

    @property
    @abc.abstractmethod
    def key(self) -> BusinessKey:
        """The business object a user knows this event by."""


@frozen(kw_only=True)
class EngagementActivated(Event):
    engagement_id: str
    opportunity_id: str
    erp_legal_entity: str
    erp_customer_number: str
    psa_project_ids: tuple[str, ...]

    @property
    def aggregate(self) -> AggregateRef:
        return AggregateRef("engagement", self.engagement_id)

    @property
    def key(self) -> BusinessKey:
        return BusinessKey(BusinessKeyKind.OPPORTUNITY, self.opportunity_id)


@frozen(kw_only=True)
class EngagementProvisioningFailed(Event):
    engagement_id: str
    opportunity_id: str
    reason: str

    @property
    def aggregate(self) -> AggregateRef:
        return AggregateRef("engagement", self.engagement_id)

    @property
    def key(self) -> BusinessKey:
        return BusinessKey(BusinessKeyKind.OPPORTUNITY, self.opportunity_id)


# What starts each workflow, and so what its parked cases are known by.
WORKFLOW_KEY_KINDS = {
    "closed_won_to_engagement": BusinessKeyKind.OPPORTUNITY,
    "approved_work_to_staging": BusinessKeyKind.SOURCE_RECORD,
    "change_order_to_psa": BusinessKeyKind.ENGAGEMENT,
    "invoice_to_erp": BusinessKeyKind.INVOICE,
}


@frozen(kw_only=True)
class ExceptionParked(Event):
    exception_id: str
    workflow: str
    business_key: str
    reason_code: str
    owner_role: str
    detail: str

    @property
    def aggregate(self) -> AggregateRef:
        return AggregateRef("exception", self.exception_id)

    @property
    def key(self) -> BusinessKey:
        kind = WORKFLOW_KEY_KINDS.get(self.workflow, BusinessKeyKind.UNCLASSIFIED)
        return BusinessKey(kind, self.business_key)


@frozen(kw_only=True)
class ExceptionOutcome(Event):
    """Something that happened to a parked case after it was parked."""

    exception_id: str
    workflow: str
    business_key: str

    @property
    def aggregate(self) -> AggregateRef:
        return AggregateRef("exception", self.exception_id)

    @property
    def key(self) -> BusinessKey:
        kind = WORKFLOW_KEY_KINDS.get(self.workflow, BusinessKeyKind.UNCLASSIFIED)
        return BusinessKey(kind, self.business_key)


@frozen(kw_only=True)
class ExceptionAssigned(ExceptionOutcome):
    assignee: str


@frozen(kw_only=True)
class ExceptionRetryStarted(ExceptionOutcome):
    attempt: int


@frozen(kw_only=True)
class ExceptionRetryFailed(ExceptionOutcome):
    attempt: int
    detail: str


@frozen(kw_only=True)
class ExceptionResolved(ExceptionOutcome):
    resolution: str  # by_hand, by_retry or moot
    note: str
    by: str
    seconds_to_resolution: float


@frozen(kw_only=True)
class ExceptionDiscarded(ExceptionOutcome):
    resolution: str
    note: str
    by: str
    seconds_to_resolution: float


@frozen(kw_only=True)
class BillableEventStaged(Event):
    billable_event_id: str
    engagement_id: str
    source_system: str
    source_id: str
    role: str
    hours: str
    amount: Money

    @property
    def aggregate(self) -> AggregateRef:
        return AggregateRef("billable_event", self.billable_event_id)

    @property
    def key(self) -> BusinessKey:
        return BusinessKey(BusinessKeyKind.SOURCE_RECORD, f"{self.source_system}:{self.source_id}")
