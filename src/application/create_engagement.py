"""CreateServiceEngagement: closed-won opportunity → enriched, provisioned, active engagement.

Provisioning is a saga: each downstream create is recorded as it succeeds; when one fails for
good, what was created is undone in reverse and the case is parked with an owner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from attrs import asdict, frozen

from application.commands import CreateServiceEngagement
from application.engagement_draft import new_engagement
from application.errors import VendorError
from application.idempotency import check_request_id, fingerprint, release, wait_for_first_answer
from application.ports import (
    Clock,
    CustomerRequest,
    ErpCustomers,
    ErpMasterData,
    IdGenerator,
    LegalEntity,
    ProjectRequest,
    Psa,
    UnitOfWork,
    UnitOfWorkFactory,
)
from application.retry import Attempted, RetryPolicy, call_with_retry
from domain.engagement import Engagement
from domain.errors import EngagementExists, NotFound
from domain.exception_case import ExceptionCase, OwnerRole
from domain.saga import SagaStep, StepOutcome

OPERATION = "CreateServiceEngagement"
WORKFLOW = "closed_won_to_engagement"
T = TypeVar("T")


@frozen
class ProvisioningPorts:
    uow_factory: UnitOfWorkFactory
    master_data: ErpMasterData
    customers: ErpCustomers
    psa: Psa
    clock: Clock
    ids: IdGenerator
    retry: RetryPolicy = RetryPolicy()


@frozen
class Undo:
    step: str
    external_ref: str
    action: Callable[[], None]


def create_service_engagement(cmd: CreateServiceEngagement, ports: ProvisioningPorts) -> str:
    check_request_id(cmd.request_id)
    engagement = new_engagement(cmd, ports.ids.new_id())
    print_ = fingerprint(cmd)
    with ports.uow_factory() as uow:
        first = uow.requests.claim(OPERATION, cmd.request_id, print_, ports.clock.now())
        if first is None:
            check_new_opportunity(uow, engagement.opportunity_id)
            uow.commit()
    if first is not None:
        answer = wait_for_first_answer(ports.uow_factory, OPERATION, cmd.request_id, print_,
                                       ports.clock)
        return str(answer["engagement_id"])
    try:
        provision(engagement, cmd, ports)
    except BaseException:
        release(ports.uow_factory, OPERATION, cmd.request_id)
        raise
    return engagement.id


def check_new_opportunity(uow: UnitOfWork, opportunity_id: str) -> None:
    existing = uow.engagements.get_by_opportunity(opportunity_id)
    if existing is not None:
        raise EngagementExists(
            f"opportunity {opportunity_id} already has engagement {existing.id}",
            field="opportunity.opportunity_id",
            keys={"opportunity_id": opportunity_id, "engagement_id": existing.id},
        )


def provision(engagement: Engagement, cmd: CreateServiceEngagement, ports: ProvisioningPorts) -> None:
    try:
        entity = vendor_call(ports, lambda: ports.master_data.legal_entity(engagement.legal_entity_code))
    except VendorError as error:
        return park_for_data(engagement, cmd, ports, "ERP_MASTER_DATA_UNAVAILABLE",
                             OwnerRole.INTEGRATION_SUPPORT, str(error))
    if entity is None:
        return park_for_data(engagement, cmd, ports, "LEGAL_ENTITY_NOT_MAPPED", OwnerRole.FINANCE,
                             f"legal entity {engagement.legal_entity_code!r} has no ERP mapping")
    if not entity.tax_registration:
        return park_for_data(engagement, cmd, ports, "TAX_REGISTRATION_MISSING", OwnerRole.FINANCE,
                             f"ERP legal entity {entity.erp_legal_entity} has no tax registration")
    engagement.enrich(entity.erp_legal_entity, entity.tax_registration)
    with ports.uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()
    run_saga(engagement.id, entity, cmd, ports)


def park_for_data(
    engagement: Engagement,
    cmd: CreateServiceEngagement,
    ports: ProvisioningPorts,
    reason: str,
    owner: OwnerRole,
    detail: str,
) -> None:
    case = park(ports, engagement.opportunity_id, reason, owner, detail, cmd)
    engagement.hold_for_data(case.id)
    with ports.uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.exceptions.add(case)
        uow.requests.complete(OPERATION, cmd.request_id, {"engagement_id": engagement.id})
        uow.commit()


def run_saga(
    engagement_id: str, entity: LegalEntity, cmd: CreateServiceEngagement, ports: ProvisioningPorts
) -> None:
    undo: list[Undo] = []
    try:
        ensure_customer(engagement_id, entity, cmd, ports, undo)
        for package in cmd.work_packages:
            create_project(engagement_id, package.code, ports, undo)
    except VendorError as error:
        compensate(engagement_id, undo, ports)
        fail(engagement_id, cmd, ports, error)
        return
    with ports.uow_factory() as uow:
        engagement = load(uow, engagement_id)
        engagement.activate(ports.clock.now())
        uow.requests.complete(OPERATION, cmd.request_id, {"engagement_id": engagement_id})
        uow.commit()


def ensure_customer(
    engagement_id: str,
    entity: LegalEntity,
    cmd: CreateServiceEngagement,
    ports: ProvisioningPorts,
    undo: list[Undo],
) -> None:
    found = vendor_call(
        ports, lambda: ports.master_data.find_customer(cmd.account_id, entity.erp_legal_entity)
    )
    if found is not None:
        record_step(ports, engagement_id, "erp.find_customer", found, 1,
                    lambda e: e.record_customer(found))
        return
    request = CustomerRequest(
        external_id=cmd.account_id,
        name=cmd.account_name,
        erp_legal_entity=entity.erp_legal_entity,
        tax_registration=entity.tax_registration or "",
        currency=cmd.currency,
    )
    created = step_call(ports, engagement_id, "erp.create_customer",
                        lambda: ports.customers.upsert_customer(request))
    record_step(ports, engagement_id, "erp.create_customer", created.value, created.attempts,
                lambda e: e.record_customer(created.value))
    undo.append(Undo("erp.remove_customer", created.value,
                     lambda: ports.customers.remove_customer(created.value)))


def create_project(
    engagement_id: str, code: str, ports: ProvisioningPorts, undo: list[Undo]
) -> None:
    with ports.uow_factory() as uow:
        engagement = load(uow, engagement_id)
    package = engagement.work_package(code)
    request = ProjectRequest(
        external_id=f"{engagement_id}:{code}",
        engagement_id=engagement_id,
        opportunity_id=engagement.opportunity_id,
        account_id=engagement.account_id,
        name=f"{engagement.account_name} - {package.name}",
        region=package.region,
        start_date=engagement.start_date,
        end_date=engagement.end_date,
    )
    step = f"psa.create_project[{code}]"
    created = step_call(ports, engagement_id, step, lambda: ports.psa.create_project(request))
    record_step(ports, engagement_id, step, created.value, created.attempts,
                lambda e: e.record_project(code, created.value))
    undo.append(Undo(f"psa.remove_project[{code}]", created.value,
                     lambda: ports.psa.remove_project(created.value)))


def compensate(engagement_id: str, undo: list[Undo], ports: ProvisioningPorts) -> None:
    for item in reversed(undo):
        try:
            done = vendor_call_attempts(ports, item.action)
        except VendorError as error:
            log_step(ports, engagement_id, item.step, StepOutcome.COMPENSATION_FAILED,
                     item.external_ref, ports.retry.attempts, str(error))
            continue
        step = item.step
        record_step(ports, engagement_id, step, item.external_ref, done,
                    lambda e: forget(e, step), StepOutcome.COMPENSATED)


def forget(engagement: Engagement, undone_step: str) -> None:
    if undone_step == "erp.remove_customer":
        engagement.record_customer(None)
        return
    code = undone_step.removeprefix("psa.remove_project[").removesuffix("]")
    engagement.record_project(code, None)


def fail(
    engagement_id: str, cmd: CreateServiceEngagement, ports: ProvisioningPorts, error: VendorError
) -> None:
    case = park(ports, cmd.opportunity_id, f"{error.system.upper()}_PROVISIONING_FAILED",
                OwnerRole.INTEGRATION_SUPPORT, str(error), cmd)
    with ports.uow_factory() as uow:
        engagement = load(uow, engagement_id)
        engagement.fail_provisioning(str(error), case.id, ports.clock.now())
        uow.exceptions.add(case)
        uow.requests.complete(OPERATION, cmd.request_id, {"engagement_id": engagement_id})
        uow.commit()


def park(
    ports: ProvisioningPorts,
    business_key: str,
    reason: str,
    owner: OwnerRole,
    detail: str,
    cmd: CreateServiceEngagement,
) -> ExceptionCase:
    return ExceptionCase.park(
        exception_id=ports.ids.new_id(),
        workflow=WORKFLOW,
        business_key=business_key,
        reason_code=reason,
        owner_role=owner,
        detail=detail,
        payload=asdict(cmd),
        now=ports.clock.now(),
    )


def step_call(
    ports: ProvisioningPorts, saga_id: str, step: str, action: Callable[[], T]
) -> Attempted[T]:
    try:
        return call_with_retry(action, ports.retry, ports.clock)
    except VendorError as error:
        log_step(ports, saga_id, step, StepOutcome.FAILED, "", ports.retry.attempts, str(error))
        raise


def vendor_call(ports: ProvisioningPorts, action: Callable[[], T]) -> T:
    return call_with_retry(action, ports.retry, ports.clock).value


def vendor_call_attempts(ports: ProvisioningPorts, action: Callable[[], None]) -> int:
    return call_with_retry(action, ports.retry, ports.clock).attempts


def record_step(
    ports: ProvisioningPorts,
    saga_id: str,
    step: str,
    external_ref: str,
    attempts: int,
    change: Callable[[Engagement], None],
    outcome: StepOutcome = StepOutcome.SUCCEEDED,
) -> None:
    with ports.uow_factory() as uow:
        change(load(uow, saga_id))
        uow.saga_log.add(new_step(ports, saga_id, step, outcome, external_ref, attempts, ""))
        uow.commit()


def log_step(
    ports: ProvisioningPorts,
    saga_id: str,
    step: str,
    outcome: StepOutcome,
    external_ref: str,
    attempts: int,
    detail: str,
) -> None:
    with ports.uow_factory() as uow:
        uow.saga_log.add(new_step(ports, saga_id, step, outcome, external_ref, attempts, detail))
        uow.commit()


def new_step(
    ports: ProvisioningPorts,
    saga_id: str,
    step: str,
    outcome: StepOutcome,
    external_ref: str,
    attempts: int,
    detail: str,
) -> SagaStep:
    return SagaStep(
        id=ports.ids.new_id(),
        saga_id=saga_id,
        step=step,
        outcome=outcome,
        external_ref=external_ref,
        attempts=attempts,
        detail=detail,
        recorded_at=ports.clock.now(),
    )


def load(uow: UnitOfWork, engagement_id: str) -> Engagement:
    engagement = uow.engagements.get(engagement_id)
    if engagement is None:
        raise NotFound(f"engagement {engagement_id} not found", field="engagement_id")
    return engagement
