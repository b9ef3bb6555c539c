"""A parked unit of work, with an owner who can retry, resolve or discard it."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable

from attrs import define, field

from domain.errors import InvalidTransition
from domain.events import (
    Event,
    ExceptionAssigned,
    ExceptionDiscarded,
    ExceptionParked,
    ExceptionResolved,
    ExceptionRetryFailed,
    ExceptionRetryStarted,
)

PAYLOAD_VERSION = 1  # the shape each workflow parks its payload in today


class OwnerRole(enum.Enum):
    SALES_OPS = "sales-ops"
    PMO = "pmo"
    FINANCE = "finance"
    INTEGRATION_SUPPORT = "integration-support"


class Workflow(enum.Enum):
    CLOSED_WON_TO_ENGAGEMENT = "closed_won_to_engagement"
    APPROVED_WORK_TO_STAGING = "approved_work_to_staging"
    CHANGE_ORDER_TO_PSA = "change_order_to_psa"
    INVOICE_TO_ERP = "invoice_to_erp"
    CUSTOMER_MASTER_SYNC = "customer_master_sync"


class ReasonCode(enum.Enum):
    LEGAL_ENTITY_NOT_MAPPED = "LEGAL_ENTITY_NOT_MAPPED"
    TAX_REGISTRATION_MISSING = "TAX_REGISTRATION_MISSING"
    ERP_MASTER_DATA_UNAVAILABLE = "ERP_MASTER_DATA_UNAVAILABLE"
    ERP_PROVISIONING_FAILED = "ERP_PROVISIONING_FAILED"
    PSA_PROVISIONING_FAILED = "PSA_PROVISIONING_FAILED"
    CRM_WRITE_BACK_FAILED = "CRM_WRITE_BACK_FAILED"
    PSA_CHANGE_ORDER_FAILED = "PSA_CHANGE_ORDER_FAILED"
    ERP_POSTING_FAILED = "ERP_POSTING_FAILED"
    LEDGER_VARIANCE = "LEDGER_VARIANCE"
    PAYMENT_UNMATCHED = "PAYMENT_UNMATCHED"
    VENDOR_EVENT_REJECTED = "VENDOR_EVENT_REJECTED"
    VENDOR_EVENT_UNDELIVERED = "VENDOR_EVENT_UNDELIVERED"
    CUSTOMER_MASTER_MISMATCH = "CUSTOMER_MASTER_MISMATCH"
    BILLING_PLATFORM_FAILED = "BILLING_PLATFORM_FAILED"
    BILLING_PLATFORM_UNSUPPORTED = "BILLING_PLATFORM_UNSUPPORTED"
    RECONCILIATION_VARIANCE = "RECONCILIATION_VARIANCE"


class ExceptionStatus(enum.Enum):
    OPEN = "open"
    RETRYING = "retrying"
    RESOLVED = "resolved"
    DISCARDED = "discarded"


UNRESOLVED = (ExceptionStatus.OPEN, ExceptionStatus.RETRYING)


class AttemptOutcome(enum.Enum):
    FAILED = "failed"
    SUCCEEDED = "succeeded"


class Resolution(enum.Enum):
    """How a case came to an end."""

    BY_HAND = "by_hand"
    BY_RETRY = "by_retry"
    MOOT = "moot"
    DISCARDED = "discarded"


class ExceptionClosed(InvalidTransition):
    """The case was resolved or discarded: nothing more can be done with it."""

    reason = "EXCEPTION_CLOSED"


class ExceptionRetrying(InvalidTransition):
    """A retry of the case is under way: it ends, resolved or open again, before the next."""

    reason = "EXCEPTION_RETRYING"


class ExceptionNotRetrying(InvalidTransition):
    reason = "EXCEPTION_NOT_RETRYING"


@define(slots=False, eq=False)
class ExceptionAttempt:
    """One run of the parked unit of work: the first is the failure that parked it."""

    number: int
    at: dt.datetime
    outcome: AttemptOutcome
    detail: str


@define(slots=False, eq=False)
class ExceptionCase:
    id: str
    workflow: Workflow
    business_key: str
    reason_code: ReasonCode
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
    payload_version: int = PAYLOAD_VERSION
    assignee: str = ""
    resolution: Resolution | None = None
    resolution_note: str = ""
    resolved_by: str = ""
    attempt_log: list[ExceptionAttempt] = field(factory=list)

    @classmethod
    def park(
        cls,
        *,
        exception_id: str,
        workflow: Workflow,
        business_key: str,
        reason_code: ReasonCode,
        owner_role: OwnerRole,
        detail: str,
        payload: dict[str, object],
        now: dt.datetime,
        payload_version: int = PAYLOAD_VERSION,
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
            payload_version=payload_version,
            attempt_log=[ExceptionAttempt(1, now, AttemptOutcome.FAILED, detail)],
        )
        case.events.append(
            ExceptionParked(
                occurred_at=now,
                exception_id=exception_id,
                workflow=workflow.value,
                business_key=business_key,
                reason_code=reason_code.value,
                owner_role=owner_role.value,
                detail=detail,
            )
        )
        return case

    @property
    def is_closed(self) -> bool:
        return self.status not in UNRESOLVED

    @property
    def time_to_resolution(self) -> dt.timedelta | None:
        """From parking to its end, resolved or discarded; None while it is still open."""
        return None if self.resolved_at is None else self.resolved_at - self.created_at

    def assign(self, assignee: str, now: dt.datetime) -> None:
        self.check_not_closed("assign")
        self.assignee = assignee
        self.updated_at = now
        self.record(ExceptionAssigned, now, assignee=assignee)

    def start_retry(self, now: dt.datetime) -> None:
        self.check_not_closed("retry")
        self.check_not_retrying("retry")
        self.status = ExceptionStatus.RETRYING
        self.updated_at = now
        self.record(ExceptionRetryStarted, now, attempt=self.attempts + 1)

    def retry_failed(self, detail: str, now: dt.datetime) -> None:
        self.check_retrying("record a failed retry of")
        self.add_attempt(AttemptOutcome.FAILED, detail, now)
        self.status = ExceptionStatus.OPEN
        self.detail = detail
        self.record(ExceptionRetryFailed, now, attempt=self.attempts, detail=detail)

    def retry_succeeded(self, now: dt.datetime) -> None:
        self.check_retrying("record a successful retry of")
        self.add_attempt(AttemptOutcome.SUCCEEDED, "", now)
        self.close(ExceptionStatus.RESOLVED, Resolution.BY_RETRY, "resolved by retry", "", now)

    def resolve(self, note: str, now: dt.datetime, by: str) -> None:
        self.check_not_closed("resolve")
        self.check_not_retrying("resolve")
        self.close(ExceptionStatus.RESOLVED, Resolution.BY_HAND, note, by, now)

    def discard(self, reason: str, now: dt.datetime, by: str) -> None:
        self.check_not_closed("discard")
        self.check_not_retrying("discard")
        self.close(ExceptionStatus.DISCARDED, Resolution.DISCARDED, reason, by, now)

    def resolve_moot(self, why: str, now: dt.datetime) -> None:
        """A later success for the same business key did what the case was waiting for."""
        self.check_not_closed("resolve")
        self.close(ExceptionStatus.RESOLVED, Resolution.MOOT, why, "", now)

    def close(
        self,
        status: ExceptionStatus,
        resolution: Resolution,
        note: str,
        by: str,
        now: dt.datetime,
    ) -> None:
        self.status = status
        self.resolution = resolution
        self.resolution_note = note
        self.resolved_by = by
        self.resolved_at = now
        self.updated_at = now
        event = ExceptionDiscarded if status is ExceptionStatus.DISCARDED else ExceptionResolved
        taken = self.time_to_resolution or dt.timedelta()
        self.record(
            event,
            now,
            resolution=resolution.value,
            note=note,
            by=by,
            seconds_to_resolution=taken.total_seconds(),
        )

    def add_attempt(self, outcome: AttemptOutcome, detail: str, now: dt.datetime) -> None:
        self.attempts += 1
        self.attempt_log.append(ExceptionAttempt(self.attempts, now, outcome, detail))
        self.updated_at = now

    def record(self, event: Callable[..., Event], now: dt.datetime, **facts: object) -> None:
        self.events.append(
            event(
                occurred_at=now,
                exception_id=self.id,
                workflow=self.workflow.value,
                business_key=self.business_key,
                **facts,
            )
        )

    def check_not_closed(self, action: str) -> None:
        if self.is_closed:
            raise ExceptionClosed(
                f"cannot {action} exception {self.id}: it is {self.status.value}",
                field="exception_id",
                keys=self.keys(),
            )

    def check_not_retrying(self, action: str) -> None:
        if self.status is ExceptionStatus.RETRYING:
            raise ExceptionRetrying(
                f"cannot {action} exception {self.id} while a retry of it is under way",
                field="exception_id",
                keys=self.keys(),
            )

    def check_retrying(self, action: str) -> None:
        if self.status is not ExceptionStatus.RETRYING:
            raise ExceptionNotRetrying(
                f"cannot {action} exception {self.id}: it is {self.status.value}",
                field="exception_id",
                keys=self.keys(),
            )

    def keys(self) -> dict[str, str]:
        return {"exception_id": self.id, "status": self.status.value}
