"""Mapping between protobuf messages and the application's commands and results."""

from __future__ import annotations

from decimal import Decimal

from adapters.proto_values import (
    SYSTEM_ENUMS,
    SYSTEMS,
    date_message,
    money_message,
    owner_role_number,
    reason_code_number,
    workflow_number,
)
from application.commands import (
    ApproveTimeEntry,
    CreateServiceEngagement,
    RateLine,
    WorkPackageLine,
)
from application.queries import EngagementView
from domain.billable_event import BillableEvent
from domain.engagement import BillingMethod, Engagement, EngagementStatus
from domain.exception_case import ExceptionCase
from domain.principal import Principal
from entrypoints.grpc.presence import iso_date
from o2c.v1 import billing_pb2, engagement_pb2, exceptions_pb2

BILLING_METHODS = {
    engagement_pb2.BILLING_METHOD_TIME_AND_MATERIALS: BillingMethod.TIME_AND_MATERIALS
}
BILLING_METHOD_ENUMS = {method: number for number, method in BILLING_METHODS.items()}
ENGAGEMENT_STATUSES = {
    status: engagement_pb2.EngagementStatus.Value(f"ENGAGEMENT_STATUS_{status.name}")
    for status in EngagementStatus
}


def create_command(
    request: engagement_pb2.CreateServiceEngagementRequest, caller: Principal
) -> CreateServiceEngagement:
    opportunity = request.opportunity
    method = BILLING_METHODS.get(opportunity.billing_method)
    return CreateServiceEngagement(
        request_id=request.request_id,
        opportunity_id=opportunity.opportunity_id,
        account_id=opportunity.account_id,
        account_name=opportunity.account_name,
        legal_entity_code=opportunity.legal_entity_code,
        currency=opportunity.currency_code,
        billing_method=method.value if method else "",
        start_date=iso_date(opportunity, "start_date", "opportunity.start_date"),
        end_date=iso_date(opportunity, "end_date", "opportunity.end_date"),
        contract_value_amount=opportunity.contract_value.amount,
        contract_value_currency=opportunity.contract_value.currency_code,
        rate_card=tuple(rate_line(line) for line in opportunity.rate_card),
        work_packages=tuple(
            WorkPackageLine(wp.code, wp.name, wp.region) for wp in opportunity.work_packages
        ),
        caller=caller,
    )


def rate_line(line: engagement_pb2.RateCardLine) -> RateLine:
    return RateLine(line.role, line.hourly_rate.amount, line.hourly_rate.currency_code)


def approve_command(
    request: billing_pb2.ApproveBillableEventRequest, caller: Principal
) -> ApproveTimeEntry:
    entry = request.time_entry
    system = SYSTEMS.get(request.source_system)
    return ApproveTimeEntry(
        request_id=request.request_id,
        source_system=system.value if system else "",
        source_id=entry.source_id,
        engagement_id=entry.engagement_id,
        resource=entry.resource,
        role=entry.role,
        work_date=iso_date(entry, "work_date", "time_entry.work_date"),
        hours=entry.hours,
        caller=caller,
    )


def decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def engagement_message(view: EngagementView) -> engagement_pb2.ServiceEngagement:
    engagement = view.engagement
    message = engagement_pb2.ServiceEngagement(
        engagement_id=engagement.id,
        opportunity_id=engagement.opportunity_id,
        status=ENGAGEMENT_STATUSES[engagement.status],
        account_id=engagement.account_id,
        account_name=engagement.account_name,
        legal_entity_code=engagement.legal_entity_code,
        erp_legal_entity=engagement.erp_legal_entity or "",
        tax_registration=engagement.tax_registration or "",
        currency_code=engagement.currency,
        start_date=date_message(engagement.start_date),
        end_date=date_message(engagement.end_date),
        contract_value=money_message(engagement.contract_value),
        rate_card=[
            engagement_pb2.RateCardLine(role=line.role, hourly_rate=money_message(line.hourly_rate))
            for line in engagement.rate_card.rates
        ],
        work_packages=[
            engagement_pb2.WorkPackage(
                code=wp.code, name=wp.name, region=wp.region, psa_project_id=wp.psa_project_id or ""
            )
            for wp in engagement.work_packages
        ],
        billing_arrangements=[
            engagement_pb2.BillingArrangement(
                billing_method=BILLING_METHOD_ENUMS[engagement.billing_method]
            )
        ],
        erp_customer_accounts=erp_customer_accounts(engagement),
    )
    if view.exception is not None:
        message.exception.CopyFrom(parked_exception(view.exception))
    return message


def erp_customer_accounts(engagement: Engagement) -> list[engagement_pb2.ErpCustomerAccount]:
    if not engagement.erp_customer_number:
        return []
    return [
        engagement_pb2.ErpCustomerAccount(
            erp_legal_entity=engagement.erp_legal_entity or "",
            customer_number=engagement.erp_customer_number,
        )
    ]


def parked_exception(case: ExceptionCase) -> exceptions_pb2.ParkedException:
    return exceptions_pb2.ParkedException(
        exception_id=case.id,
        workflow=workflow_number(case.workflow),
        business_key=case.business_key,
        reason_code=reason_code_number(case.reason_code),
        owner_role=owner_role_number(case.owner_role),
        detail=case.detail,
        attempts=case.attempts,
    )


def staged_line(event: BillableEvent) -> billing_pb2.StagedLine:
    return billing_pb2.StagedLine(
        billable_event_id=event.id,
        engagement_id=event.engagement_id,
        source_system=SYSTEM_ENUMS[event.source_system],
        source_id=event.source_id,
        role=event.role,
        hours=decimal_text(event.hours),
        rate=money_message(event.rate),
        amount=money_message(event.amount),
        status=billing_pb2.BillableEventStatus.Value(f"BILLABLE_EVENT_STATUS_{event.status.name}"),
    )
