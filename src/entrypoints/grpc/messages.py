"""Mapping between protobuf messages and the application's commands and results."""

from __future__ import annotations

from adapters.proto_values import (
    date_message,
    money_message,
    owner_role_number,
    reason_code_number,
    workflow_number,
)
from application.commands import (
    AmendServiceEngagement,
    CreateServiceEngagement,
    NewWorkPackage,
    RateLine,
    WorkPackageLine,
)
from application.queries import EngagementView
from domain.billing.agreement import BillingAgreement
from domain.engagement import Engagement, EngagementStatus, WorkPackage
from domain.exception_case import ExceptionCase
from domain.principal import Principal
from entrypoints.grpc.erp_routing_messages import ERP_NAMES
from entrypoints.grpc.presence import iso_date
from entrypoints.grpc.terms_messages import (
    METHOD_NAMES,
    METHODS_BY_NUMBER,
    terms_change_line,
    terms_line,
    terms_message,
)
from o2c.v1 import engagement_pb2, exceptions_pb2

ERP_NUMBERS = {name: number for number, name in ERP_NAMES.items()}
ENGAGEMENT_STATUSES = {
    status: engagement_pb2.EngagementStatus.Value(f"ENGAGEMENT_STATUS_{status.name}")
    for status in EngagementStatus
}


def create_command(
    request: engagement_pb2.CreateServiceEngagementRequest, caller: Principal
) -> CreateServiceEngagement:
    opportunity = request.opportunity
    method = METHODS_BY_NUMBER.get(opportunity.billing_method)
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
        work_packages=tuple(work_package_line(wp) for wp in opportunity.work_packages),
        caller=caller,
        billing_terms=tuple(
            terms_line(terms, f"opportunity.billing_terms[{index}].")
            for index, terms in enumerate(opportunity.billing_terms)
        ),
        customer_country=opportunity.customer_country,
        customer_vat_number=opportunity.customer_vat_number,
        payment_terms_days=(
            str(opportunity.payment_terms_days)
            if opportunity.HasField("payment_terms_days")
            else ""
        ),
    )


def amend_command(
    request: engagement_pb2.AmendServiceEngagementRequest, caller: Principal
) -> AmendServiceEngagement:
    return AmendServiceEngagement(
        request_id=request.request_id,
        engagement_id=request.engagement_id,
        version=request.version,
        effective_on=iso_date(request, "effective_on", "effective_on"),
        reason=request.reason,
        changes=tuple(
            terms_change_line(change, f"changes[{index}].")
            for index, change in enumerate(request.changes)
        ),
        new_work_packages=tuple(
            NewWorkPackage(
                work_package_line(new.work_package),
                terms_line(new.terms, f"new_work_packages[{index}].terms."),
            )
            for index, new in enumerate(request.new_work_packages)
        ),
        caller=caller,
    )


def work_package_line(package: engagement_pb2.WorkPackage) -> WorkPackageLine:
    return WorkPackageLine(
        package.code, package.name, package.region, package.delivering_legal_entity_code
    )


def rate_line(line: engagement_pb2.RateCardLine) -> RateLine:
    return RateLine(line.role, line.hourly_rate.amount, line.hourly_rate.currency_code)


def engagement_message(
    view: EngagementView, agreement: BillingAgreement | None = None
) -> engagement_pb2.ServiceEngagement:
    """With the agreement, the terms each work package is billed by and their version."""
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
        work_packages=[work_package_message(wp) for wp in engagement.work_packages],
        billing_arrangements=[
            engagement_pb2.BillingArrangement(
                billing_method=METHOD_NAMES[engagement.billing_method]
            )
        ],
        erp_customer_accounts=erp_customer_accounts(engagement),
        customer_country=engagement.customer_country,
        customer_vat_number=engagement.customer_vat_number,
        payment_terms_days=engagement.payment_terms_days,
    )
    if agreement is not None:
        message.billing_terms.extend(terms_message(terms) for terms in agreement.terms.values())
        message.amendment_version = agreement.version
    if view.exception is not None:
        message.exception.CopyFrom(parked_exception(view.exception))
    return message


def work_package_message(package: WorkPackage) -> engagement_pb2.WorkPackage:
    return engagement_pb2.WorkPackage(
        code=package.code,
        name=package.name,
        region=package.region,
        psa_project_id=package.psa_project_id or "",
        delivering_legal_entity_code=package.delivering_legal_entity_code,
    )


def erp_customer_accounts(engagement: Engagement) -> list[engagement_pb2.ErpCustomerAccount]:
    return [
        engagement_pb2.ErpCustomerAccount(
            erp=ERP_NUMBERS.get(account.erp, 0),
            erp_legal_entity=account.erp_legal_entity,
            customer_number=account.customer_number,
        )
        for account in engagement.erp_customer_accounts
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
