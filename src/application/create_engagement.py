"""CreateServiceEngagement: closed-won opportunity → enriched, provisioned, active engagement.

Provisioning is a saga: each downstream create is recorded as it succeeds; when one fails for
good, what was created is undone in reverse and the case is parked with an owner.
"""

from __future__ import annotations

from attrs import Factory, asdict, frozen

from application.commands import CreateServiceEngagement
from application.engagement_draft import new_engagement
from application.errors import VendorError
from application.idempotency import (
    abandon,
    check_request_id,
    fingerprint,
    take_over_if_abandoned,
    wait_for_first_answer,
)
from application.ports import (
    Clock,
    Crm,
    CustomerRequest,
    EngagementLink,
    ErpCustomers,
    ErpMasterData,
    IdGenerator,
    LegalEntity,
    ProjectRequest,
    Psa,
    UnitOfWork,
    UnitOfWorkFactory,
)
from application.retry import RetryPolicy, call_with_retry
from application.saga import EngagementSaga, Undo, load
from domain.engagement import Engagement, EngagementStatus, WorkPackage
from domain.errors import EngagementExists
from domain.exception_case import ExceptionCase, OwnerRole
from domain.saga import StepOutcome

OPERATION = "CreateServiceEngagement"
WORKFLOW = "closed_won_to_engagement"
CREATE_CUSTOMER = "erp.create_customer"


@frozen
class ProvisioningPorts:
    uow_factory: UnitOfWorkFactory
    master_data: ErpMasterData
    customers: ErpCustomers
    psa: Psa
    crm: Crm
    clock: Clock
    ids: IdGenerator
    retry: RetryPolicy = Factory(RetryPolicy)
    lease_seconds: float = 300.0


def create_service_engagement(cmd: CreateServiceEngagement, ports: ProvisioningPorts) -> str:
    check_request_id(cmd.request_id)
    draft = new_engagement(cmd, ports.ids.new_id())
    print_ = fingerprint(cmd)
    with ports.uow_factory() as uow:
        first = uow.requests.claim(OPERATION, cmd.request_id, print_, ports.clock.now())
        if first is None:
            check_new_opportunity(uow, draft.opportunity_id)
            engagement: Engagement | None = draft
        elif take_over_if_abandoned(uow, first, print_, ports.clock, ports.lease_seconds):
            engagement = uow.engagements.get_by_opportunity(draft.opportunity_id) or draft
        else:
            engagement = None
        uow.commit()
    if engagement is None:
        answer = wait_for_first_answer(
            ports.uow_factory, OPERATION, cmd.request_id, print_, ports.clock
        )
        return str(answer["engagement_id"])
    try:
        provision_or_resume(engagement, draft, cmd, ports)
    except BaseException:
        abandon(ports.uow_factory, OPERATION, cmd.request_id)
        raise
    tell_crm(engagement.id, cmd, ports)
    return engagement.id


def provision_or_resume(
    engagement: Engagement,
    draft: Engagement,
    cmd: CreateServiceEngagement,
    ports: ProvisioningPorts,
) -> None:
    """A taken-over request picks up where its stored engagement stopped; the saga's vendor
    calls carry external ids, so steps done before are found again, not done twice."""
    if engagement is draft:
        provision(engagement, cmd, ports)
    elif engagement.status is EngagementStatus.PROVISIONING:
        entity = LegalEntity(
            engagement.legal_entity_code,
            engagement.erp_legal_entity or "",
            engagement.tax_registration,
        )
        run_saga(engagement, entity, cmd, ports)
    else:
        with ports.uow_factory() as uow:
            uow.requests.complete(OPERATION, cmd.request_id, {"engagement_id": engagement.id})
            uow.commit()


def check_new_opportunity(uow: UnitOfWork, opportunity_id: str) -> None:
    existing = uow.engagements.get_by_opportunity(opportunity_id)
    if existing is not None:
        raise EngagementExists(
            f"opportunity {opportunity_id} already has engagement {existing.id}",
            field="opportunity.opportunity_id",
            keys={"opportunity_id": opportunity_id, "engagement_id": existing.id},
        )


def provision(
    engagement: Engagement, cmd: CreateServiceEngagement, ports: ProvisioningPorts
) -> None:
    code = engagement.legal_entity_code
    try:
        entity = call_with_retry(
            lambda: ports.master_data.legal_entity(code), ports.retry, ports.clock
        ).value
    except VendorError as error:
        return hold(
            engagement,
            cmd,
            ports,
            "ERP_MASTER_DATA_UNAVAILABLE",
            OwnerRole.INTEGRATION_SUPPORT,
            str(error),
        )
    if entity is None:
        return hold(
            engagement,
            cmd,
            ports,
            "LEGAL_ENTITY_NOT_MAPPED",
            OwnerRole.FINANCE,
            f"legal entity {code!r} has no ERP mapping",
        )
    if not entity.tax_registration:
        return hold(
            engagement,
            cmd,
            ports,
            "TAX_REGISTRATION_MISSING",
            OwnerRole.FINANCE,
            f"ERP legal entity {entity.erp_legal_entity} has no tax registration",
        )
    engagement.enrich(entity.erp_legal_entity, entity.tax_registration)
    with ports.uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()
    run_saga(engagement, entity, cmd, ports)


def hold(
    engagement: Engagement,
    cmd: CreateServiceEngagement,
    ports: ProvisioningPorts,
    reason: str,
    owner: OwnerRole,
    detail: str,
) -> None:
    case = park(ports, cmd, reason, owner, detail)
    engagement.hold_for_data(case.id)
    with ports.uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.exceptions.add(case)
        uow.requests.complete(OPERATION, cmd.request_id, {"engagement_id": engagement.id})
        uow.commit()


def run_saga(
    engagement: Engagement,
    entity: LegalEntity,
    cmd: CreateServiceEngagement,
    ports: ProvisioningPorts,
) -> None:
    saga = EngagementSaga(engagement.id, ports.uow_factory, ports.clock, ports.ids, ports.retry)
    try:
        ensure_customer(saga, engagement, entity, ports)
        for package in engagement.work_packages:
            create_project(saga, engagement, package, ports)
    except VendorError as error:
        saga.compensate()
        fail(engagement.id, cmd, ports, error)
        return
    with ports.uow_factory() as uow:
        load(uow, engagement.id).activate(ports.clock.now())
        uow.requests.complete(OPERATION, cmd.request_id, {"engagement_id": engagement.id})
        uow.commit()


def ensure_customer(
    saga: EngagementSaga, engagement: Engagement, entity: LegalEntity, ports: ProvisioningPorts
) -> None:
    account, legal_entity = engagement.account_id, entity.erp_legal_entity
    if saga.succeeded_before(CREATE_CUSTOMER):
        found = None  # ours from an interrupted attempt: upsert it again so it can be undone
    else:
        found = saga.vendor_call(lambda: ports.master_data.find_customer(account, legal_entity))
    if found is not None:
        saga.record(
            "erp.find_customer",
            StepOutcome.SUCCEEDED,
            found,
            1,
            "",
            lambda e: e.record_customer(found),
        )
        return
    request = CustomerRequest(
        external_id=account,
        name=engagement.account_name,
        erp_legal_entity=legal_entity,
        tax_registration=entity.tax_registration or "",
        currency=engagement.currency,
    )
    number = saga.step(
        CREATE_CUSTOMER,
        lambda: ports.customers.upsert_customer(request),
        Engagement.record_customer,
    )
    saga.on_failure_undo(
        Undo(
            "erp.remove_customer",
            number,
            lambda: ports.customers.remove_customer(number),
            lambda e: e.record_customer(None),
        )
    )


def create_project(
    saga: EngagementSaga, engagement: Engagement, package: WorkPackage, ports: ProvisioningPorts
) -> None:
    code = package.code
    request = ProjectRequest(
        external_id=f"{engagement.id}:{code}",
        engagement_id=engagement.id,
        opportunity_id=engagement.opportunity_id,
        account_id=engagement.account_id,
        name=f"{engagement.account_name} - {package.name}",
        region=package.region,
        start_date=engagement.start_date,
        end_date=engagement.end_date,
    )
    project_id = saga.step(
        f"psa.create_project[{code}]",
        lambda: ports.psa.create_project(request),
        lambda e, project: e.record_project(code, project),
    )
    saga.on_failure_undo(
        Undo(
            f"psa.remove_project[{code}]",
            project_id,
            lambda: ports.psa.remove_project(project_id),
            lambda e: e.record_project(code, None),
        )
    )


def fail(
    engagement_id: str, cmd: CreateServiceEngagement, ports: ProvisioningPorts, error: VendorError
) -> None:
    reason = f"{error.system.upper()}_PROVISIONING_FAILED"
    case = park(ports, cmd, reason, OwnerRole.INTEGRATION_SUPPORT, str(error))
    with ports.uow_factory() as uow:
        load(uow, engagement_id).fail_provisioning(str(error), case.id, ports.clock.now())
        uow.exceptions.add(case)
        uow.requests.complete(OPERATION, cmd.request_id, {"engagement_id": engagement_id})
        uow.commit()


def park(
    ports: ProvisioningPorts,
    cmd: CreateServiceEngagement,
    reason: str,
    owner: OwnerRole,
    detail: str,
) -> ExceptionCase:
    return ExceptionCase.park(
        exception_id=ports.ids.new_id(),
        workflow=WORKFLOW,
        business_key=cmd.opportunity_id,
        reason_code=reason,
        owner_role=owner,
        detail=detail,
        payload=asdict(cmd),
        now=ports.clock.now(),
    )


def tell_crm(engagement_id: str, cmd: CreateServiceEngagement, ports: ProvisioningPorts) -> None:
    """The engagement stands whatever the CRM says: a failed write-back is parked, not undone."""
    with ports.uow_factory() as uow:
        engagement = load(uow, engagement_id)
    link = EngagementLink(
        engagement.opportunity_id, engagement.id, engagement.status.value, engagement.exception_id
    )
    saga = EngagementSaga(engagement_id, ports.uow_factory, ports.clock, ports.ids, ports.retry)
    try:
        saga.step(
            "crm.record_engagement",
            lambda: ports.crm.record_engagement(link),
            lambda _engagement, _record: None,
        )
    except VendorError as error:
        case = park(ports, cmd, "CRM_WRITE_BACK_FAILED", OwnerRole.INTEGRATION_SUPPORT, str(error))
        with ports.uow_factory() as uow:
            uow.exceptions.add(case)
            uow.commit()
