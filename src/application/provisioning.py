"""Engagement provisioning, the first saga definition: enrich from ERP master data, find or
create the ERP customer, create a PSA project per work package; tell the CRM how it ended."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from attrs import frozen

from application.errors import VendorError
from application.ports import (
    Crm,
    CustomerRequest,
    EngagementLink,
    ErpCustomers,
    ErpMasterData,
    LegalEntity,
    ProjectMilestone,
    ProjectRequest,
    Psa,
    UnitOfWork,
)
from application.saga_definition import Halt, Setback, Step
from domain.billing.methods import FixedFee
from domain.billing.terms import BillingTerms
from domain.engagement import MASTER_DATA_ERP, Engagement, EngagementStatus, WorkPackage
from domain.errors import NotFound
from domain.exception_case import ExceptionCase, OwnerRole, ReasonCode, Workflow
from domain.saga import Saga, Verdict

KIND = "engagement_provisioning"
LEGAL_ENTITY = "erp.legal_entity"
FIND_CUSTOMER = "erp.find_customer"
CREATE_CUSTOMER = "erp.create_customer"
NO_CUSTOMER = ""
STATUS_AFTER = {
    Verdict.DONE: EngagementStatus.ACTIVE,
    Verdict.HELD: EngagementStatus.PENDING_DATA,
    Verdict.FAILED: EngagementStatus.PROVISIONING_FAILED,
}


def failed(
    reason: ReasonCode, verdict: Verdict = Verdict.FAILED
) -> Callable[[VendorError], Setback]:
    return lambda error: Setback(verdict, reason, OwnerRole.INTEGRATION_SUPPORT, str(error))


def held(reason: ReasonCode, detail: str) -> Halt:
    return Halt(Setback(Verdict.HELD, reason, OwnerRole.FINANCE, detail))


@frozen
class EngagementProvisioning:
    master_data: ErpMasterData
    customers: ErpCustomers
    psa: Psa
    crm: Crm
    kind: str = KIND
    workflow: Workflow = Workflow.CLOSED_WON_TO_ENGAGEMENT
    master_data_erp: str = MASTER_DATA_ERP  # the ERP whose customer provisioning records

    def plan(self, uow: UnitOfWork, saga: Saga, done: Mapping[str, str]) -> Sequence[Step[Any]]:
        engagement = engagement_of(uow, saga)
        steps: list[Step[Any]] = [*self.delivering_entities(engagement)]
        steps.append(self.enrichment(engagement))
        if LEGAL_ENTITY in done:
            steps.append(self.found_customer(engagement))
        if done.get(FIND_CUSTOMER) == NO_CUSTOMER:  # not there before: ours to create and undo
            steps.append(self.new_customer(engagement))
        if FIND_CUSTOMER in done:
            agreement = uow.billing_agreements.get(engagement.id)
            terms = {} if agreement is None else agreement.terms
            steps.extend(
                self.project(engagement, package, terms.get(package.code))
                for package in engagement.work_packages
            )
        return steps

    def final_steps(self, uow: UnitOfWork, saga: Saga) -> Sequence[Step[Any]]:
        assert saga.verdict is not None
        engagement = engagement_of(uow, saga)
        link = EngagementLink(
            opportunity_id=engagement.opportunity_id,
            engagement_id=engagement.id,
            status=STATUS_AFTER[saga.verdict].value,
            exception_id=saga.exception_id,
        )
        write_back = Step[str](
            name="crm.record_engagement",
            external_id=engagement.opportunity_id,
            action=lambda: self.crm.record_engagement(link),
            failure=failed(ReasonCode.CRM_WRITE_BACK_FAILED),
        )
        return [write_back]

    def conclude(
        self, uow: UnitOfWork, saga: Saga, setback: ExceptionCase | None, now: dt.datetime
    ) -> Mapping[str, object]:
        engagement = engagement_of(uow, saga)
        if setback is None:
            engagement.activate(now)
        elif saga.verdict is Verdict.HELD:
            engagement.hold_for_data(exception_id=setback.id)
        else:
            engagement.fail_provisioning(reason=setback.detail, exception_id=setback.id, now=now)
        return {"engagement_id": engagement.id}

    def enrichment(self, engagement: Engagement) -> Step[LegalEntity]:
        code = engagement.legal_entity_code
        return Step[LegalEntity](
            name=LEGAL_ENTITY,
            external_id=code,
            action=lambda: self.legal_entity(code),
            failure=failed(ReasonCode.ERP_MASTER_DATA_UNAVAILABLE, Verdict.HELD),
            reference=lambda entity: entity.erp_legal_entity,
            record=lambda uow, entity: engagement_in(uow, engagement.id).enrich(
                erp_legal_entity=entity.erp_legal_entity,
                tax_registration=entity.tax_registration or "",
            ),
        )

    def delivering_entities(self, engagement: Engagement) -> list[Step[LegalEntity]]:
        """Each other legal entity delivering a work package must be one the ERP knows, with
        its tax registration, before anything is made: it will invoice the contracting entity."""
        delivering: dict[str, list[str]] = {}
        for package in engagement.work_packages:
            if package.delivering_legal_entity_code:
                delivering.setdefault(package.delivering_legal_entity_code, []).append(package.code)
        return [self.delivered_by(code, packages) for code, packages in sorted(delivering.items())]

    def delivered_by(self, code: str, packages: list[str]) -> Step[LegalEntity]:
        return Step[LegalEntity](
            name=f"{LEGAL_ENTITY}[{code}]",
            external_id=code,
            action=lambda: self.delivering(code, packages),
            failure=failed(ReasonCode.ERP_MASTER_DATA_UNAVAILABLE, Verdict.HELD),
            reference=lambda entity: entity.erp_legal_entity,
        )

    def delivering(self, code: str, packages: list[str]) -> LegalEntity:
        try:
            return self.legal_entity(code)
        except Halt as halt:
            setback = halt.setback
            detail = (
                f"work package {', '.join(packages)} is delivered by {code!r}: {setback.detail}"
            )
            raise held(setback.reason, detail) from None

    def legal_entity(self, code: str) -> LegalEntity:
        entity = self.master_data.legal_entity(code)
        if entity is None:
            raise held(
                ReasonCode.LEGAL_ENTITY_NOT_MAPPED, f"legal entity {code!r} has no ERP mapping"
            )
        if not entity.tax_registration:
            raise held(
                ReasonCode.TAX_REGISTRATION_MISSING,
                f"ERP legal entity {entity.erp_legal_entity} has no tax registration",
            )
        return entity

    def found_customer(self, engagement: Engagement) -> Step[str]:
        account, legal_entity = engagement.account_id, engagement.erp_legal_entity or ""
        erp = self.master_data_erp

        def assign(uow: UnitOfWork, number: str) -> None:
            if number != NO_CUSTOMER:
                engagement_in(uow, engagement.id).assign_erp_customer(number, erp=erp)

        return Step[str](
            name=FIND_CUSTOMER,
            external_id=f"{legal_entity}/{account}",
            action=lambda: self.master_data.find_customer(account, legal_entity) or NO_CUSTOMER,
            failure=failed(ReasonCode.ERP_PROVISIONING_FAILED),
            record=assign,
        )

    def new_customer(self, engagement: Engagement) -> Step[str]:
        request = CustomerRequest(
            external_id=engagement.account_id,
            name=engagement.account_name,
            erp_legal_entity=engagement.erp_legal_entity or "",
            tax_registration=engagement.tax_registration or "",
            currency=engagement.currency,
        )
        erp = self.master_data_erp
        return Step[str](
            name=CREATE_CUSTOMER,
            external_id=f"{request.erp_legal_entity}/{request.external_id}",
            action=lambda: self.customers.upsert_customer(request),
            failure=failed(ReasonCode.ERP_PROVISIONING_FAILED),
            record=lambda uow, number: engagement_in(uow, engagement.id).assign_erp_customer(
                number, erp=erp
            ),
            undo=self.customers.remove_customer,
            record_undo=lambda uow: engagement_in(uow, engagement.id).release_erp_customer(erp),
        )

    def project(
        self, engagement: Engagement, package: WorkPackage, terms: BillingTerms | None
    ) -> Step[str]:
        code = package.code
        request = project_request(engagement, package, terms)
        return Step[str](
            name=f"psa.create_project[{code}]",
            external_id=request.external_id,
            action=lambda: self.psa.create_project(request),
            failure=failed(ReasonCode.PSA_PROVISIONING_FAILED),
            record=lambda uow, project: engagement_in(uow, engagement.id).attach_project(
                work_package_code=code, psa_project_id=project
            ),
            undo=self.psa.remove_project,
            record_undo=lambda uow: engagement_in(uow, engagement.id).detach_project(
                work_package_code=code
            ),
        )


def project_request(
    engagement: Engagement, package: WorkPackage, terms: BillingTerms | None = None
) -> ProjectRequest:
    """A work package's PSA project shell, keyed by engagement and package: made once, with the
    milestones of a fixed fee for the PSA to track."""
    method = None if terms is None else terms.method
    milestones = (
        tuple(ProjectMilestone(m.code, m.name or m.code, m.amount) for m in method.milestones)
        if isinstance(method, FixedFee)
        else ()
    )
    return ProjectRequest(
        external_id=f"{engagement.id}:{package.code}",
        engagement_id=engagement.id,
        opportunity_id=engagement.opportunity_id,
        account_id=engagement.account_id,
        name=f"{engagement.account_name} - {package.name}",
        region=package.region,
        start_date=engagement.start_date,
        end_date=engagement.end_date,
        milestones=milestones,
    )


def engagement_of(uow: UnitOfWork, saga: Saga) -> Engagement:
    return engagement_in(uow, str(saga.context["engagement_id"]))


def engagement_in(uow: UnitOfWork, engagement_id: str) -> Engagement:
    engagement = uow.engagements.get(engagement_id)
    if engagement is None:
        raise NotFound(f"engagement {engagement_id} not found", field="engagement_id")
    return engagement
