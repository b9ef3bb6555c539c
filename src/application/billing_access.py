"""What every billing use case looks up first: the engagement the caller may see, its billing
agreement, and the refusal that names the field under the caller's own prefix."""

from __future__ import annotations

import datetime as dt

from application.billing_terms import flat_terms
from application.ports import UnitOfWork
from application.queries import visible_engagement
from domain.billing.agreement import BillingAgreement
from domain.engagement import Engagement, EngagementStatus
from domain.errors import EngagementNotActive, InvalidField, NotFound
from domain.invoicing.numbering import DocumentSequence, Series
from domain.principal import Principal

A_YEAR = dt.timedelta(days=366)


def engagement_for(
    uow: UnitOfWork, engagement_id: str, caller: Principal, field_name: str
) -> Engagement:
    engagement = visible_engagement(uow.engagements.get(engagement_id), caller)
    if engagement is None:
        raise NotFound(
            f"engagement {engagement_id} not found",
            field=field_name,
            keys={"engagement_id": engagement_id},
        )
    return engagement


def active_engagement(
    uow: UnitOfWork, engagement_id: str, caller: Principal, field_name: str
) -> Engagement:
    engagement = engagement_for(uow, engagement_id, caller, field_name)
    if engagement.status is not EngagementStatus.ACTIVE:
        raise EngagementNotActive(
            f"engagement {engagement.id} is {engagement.status.value}, not active",
            field=field_name,
            keys={"engagement_id": engagement.id, "status": engagement.status.value},
        )
    return engagement


def agreement_for(uow: UnitOfWork, engagement: Engagement) -> BillingAgreement:
    """The engagement's agreement; one agreed before terms per work package existed is billed
    at its rate card, time and materials, in every work package."""
    agreement = uow.billing_agreements.get(engagement.id)
    if agreement is None:
        terms = [flat_terms(engagement, package.code) for package in engagement.work_packages]
        agreement = BillingAgreement.open(engagement.id, terms)
        uow.billing_agreements.add(agreement)
    return agreement


def check_within_a_year(day: dt.date, today: dt.date, field_name: str) -> dt.date:
    """A document dated years ahead would hold its legal entity's numbering there for good."""
    if day > today + A_YEAR:
        raise InvalidField(
            f"{field_name} is at most {A_YEAR.days} days after today, {today}",
            field=field_name,
            keys={field_name: day.isoformat()},
        )
    return day


def check_not_after_tomorrow(day: dt.date, today: dt.date, field_name: str) -> dt.date:
    """What happened (a payment received) happened by now, wherever in the world."""
    if day > today + dt.timedelta(days=1):
        raise InvalidField(
            f"{field_name} {day} is in the future", field=field_name, keys={field_name: str(day)}
        )
    return day


def sequence_for(uow: UnitOfWork, legal_entity_code: str, series: Series) -> DocumentSequence:
    """The legal entity's sequence, held for this transaction; started at its first document."""
    sequence = uow.sequences.get(legal_entity_code, series)
    if sequence is None:
        sequence = DocumentSequence.start(legal_entity_code, series)
        uow.sequences.add(sequence)
    return sequence
