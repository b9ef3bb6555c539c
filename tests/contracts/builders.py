"""What the contract suites send to each port, in the business's words."""

from __future__ import annotations

import datetime as dt
import uuid

from integration.persistence.builders import NOW, a_parked_exception

from application.ports import CustomerRequest, EngagementLink, LegalEntity, ProjectRequest
from domain.audit import Refusal
from domain.exception_case import ExceptionCase

LEGAL_ENTITIES = {
    "US01": LegalEntity("US01", "USMF", "US-EIN-12-3456789"),
    "GB01": LegalEntity("GB01", "GBSI", None),
}


def a_customer(account_id: str = "001-ACME", legal_entity: str = "USMF") -> CustomerRequest:
    return CustomerRequest(account_id, "Acme Corp", legal_entity, "US-EIN-12-3456789", "USD")


def a_project(code: str = "NA", engagement_id: str = "eng-1") -> ProjectRequest:
    return ProjectRequest(
        external_id=f"{engagement_id}:{code}",
        engagement_id=engagement_id,
        opportunity_id="006-ACME-1",
        account_id="001-ACME",
        name=f"Acme Corp - {code} rollout",
        region=code,
        start_date=dt.date(2026, 12, 1),
        end_date=dt.date(2027, 5, 31),
    )


def a_link(opportunity_id: str = "006-ACME-1", status: str = "active") -> EngagementLink:
    return EngagementLink(opportunity_id, "eng-1", status, None)


def parked_minutes_after_now(minutes: int, business_key: str = "006GLOBEX") -> ExceptionCase:
    case = a_parked_exception(business_key)
    case.created_at = case.updated_at = NOW + dt.timedelta(minutes=minutes)
    return case


def a_refusal(
    business_key: str = "crm:TC-0001", reason_code: str = "NOT_SYSTEM_OF_RECORD"
) -> Refusal:
    return Refusal(
        id=str(uuid.uuid4()),
        recorded_at=NOW,
        writer="crm",
        operation="ApproveTimeEntry",
        business_key=business_key,
        reason_code=reason_code,
        detail="only the PSA may approve time",
    )
