"""A parked unit of work, with an owner who can retry, resolve or discard it."""

from __future__ import annotations

import datetime as dt
import enum

from attrs import define, field

from domain.events import Event, ExceptionParked


class OwnerRole(enum.Enum):
    SALES_OPS = "sales-ops"
    PMO = "pmo"
    FINANCE = "finance"
    INTEGRATION_SUPPORT = "integration-support"


class ExceptionStatus(enum.Enum):
    OPEN = "open"
    RESOLVED = "resolved"
    DISCARDED = "discarded"


@define(slots=False, eq=False)
class ExceptionCase:
    id: str
    workflow: str
    business_key: str
    reason_code: str
    owner_role: OwnerRole
    detail: str
    payload: dict[str, object]
    created_at: dt.datetime
    updated_at: dt.datetime
    attempts: int = 1
    status: ExceptionStatus = ExceptionStatus.OPEN
    resolved_at: dt.datetime | None = None
    version: int = 1
    events: list[Event] = field(factory=list, eq=False)

    @classmethod
    def park(
        cls,
        *,
        exception_id: str,
        workflow: str,
        business_key: str,
        reason_code: str,
        owner_role: OwnerRole,
        detail: str,
        payload: dict[str, object],
        now: dt.datetime,
    ) -> ExceptionCase:
        case = cls(
            id=exception_id,
            workflow=workflow,
            business_key=business_key,
            reason_code=reason_code,
            owner_role=owner_role,
            detail=detail,
            payload=payload,
            created_at=now,
            updated_at=now,
        )
        case.events.append(
            ExceptionParked(
                occurred_at=now,
                exception_id=exception_id,
                workflow=workflow,
                business_key=business_key,
                reason_code=reason_code,
                owner_role=owner_role.value,
                detail=detail,
            )
        )
        return case
