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


class ExceptionStatus(enum.Enum):
    OPEN = "open"
    RESOLVED = "resolved"
    DISCARDED = "discarded"


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
                workflow=workflow.value,
                business_key=business_key,
                reason_code=reason_code.value,
                owner_role=owner_role.value,
                detail=detail,
            )
        )
        return case
