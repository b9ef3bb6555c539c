"""CreateServiceEngagement: closed-won opportunity → enriched, provisioned, active engagement.

One opportunity gives at most one engagement: every other request for it, however concurrent,
is refused with EngagementExists naming the engagement that stands (a lost insert race is
retried by the pipeline, which then finds the winner's engagement).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from attrs import Factory, asdict, frozen

from application.billing_ports import PsaChangeOrders
from application.change_order_saga import ChangeOrderToPsa
from application.closed_won import agreement_from, engagement_from
from application.commands import CreateServiceEngagement
from application.crm_ports import CrmPaymentStatus
from application.crm_status import PaymentStatusToCrm
from application.erp_ports import ErpLedger
from application.intercompany import IntercompanyToErp
from application.pipeline import Pipeline
from application.ports import (
    Clock,
    Crm,
    ErpCustomers,
    ErpMasterData,
    IdGenerator,
    Psa,
    UnitOfWork,
    UnitOfWorkFactory,
)
from application.posting_saga import InvoiceToErp
from application.provisioning import KIND, EngagementProvisioning
from application.psa_invoiced import InvoiceToPsa
from application.psa_work_ports import PsaWork
from application.retry import RetryPolicy
from application.saga_definition import SagaDefinition
from application.saga_ports import SagaPorts
from application.saga_runner import SagaRunner
from domain.errors import EngagementExists, LegalEntityNotAllowed
from domain.principal import Principal
from domain.requests import RequestKey
from domain.saga import Saga

OPERATION = "CreateServiceEngagement"


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
    lease_seconds: float = 60.0
    node: str = "o2c"
    change_orders: PsaChangeOrders | None = None
    ledgers: Mapping[str, ErpLedger] | None = None  # ERP name → its ledger adapter
    default_erp: str = "sandbox"  # where a legal entity without a route posts
    crm_status: CrmPaymentStatus | None = None  # where invoices' payment status is shown
    psa_work: PsaWork | None = None  # where invoiced work is written back


def create_service_engagement(
    cmd: CreateServiceEngagement, ports: ProvisioningPorts, deadline: dt.datetime | None = None
) -> str:
    sagas = saga_runner(ports)

    def open_engagement(uow: UnitOfWork) -> Saga:
        engagement = engagement_from(cmd, ports.ids.new_id())
        agreement = agreement_from(cmd, engagement)
        check_acts_for(cmd.caller, engagement.legal_entity_code)
        check_new_opportunity(uow, engagement.opportunity_id, cmd.caller)
        uow.engagements.add(engagement)
        uow.billing_agreements.add(agreement)
        return sagas.start(
            uow,
            kind=KIND,
            business_key=engagement.opportunity_id,
            context={**saga_context(cmd), "engagement_id": engagement.id},
            request=key,
        )

    key = RequestKey(cmd.caller.subject, OPERATION, cmd.request_id)
    pipeline = Pipeline(ports.uow_factory, ports.clock, sagas)
    answer = pipeline.run(key, cmd, open_engagement, deadline)
    return str(answer["engagement_id"])


def check_acts_for(caller: Principal, legal_entity_code: str) -> None:
    if not caller.sees(legal_entity_code):
        raise LegalEntityNotAllowed(
            f"{caller.subject} may not act for legal entity {legal_entity_code!r}",
            field="opportunity.legal_entity_code",
            keys={"legal_entity_code": legal_entity_code},
        )


def saga_context(cmd: CreateServiceEngagement) -> dict[str, object]:
    """What the saga needs to resume: the payload, and who asked by name."""
    payload = asdict(cmd, filter=lambda field, _value: field.name != "caller")
    return {**payload, "caller": cmd.caller.subject}


def check_new_opportunity(uow: UnitOfWork, opportunity_id: str, caller: Principal) -> None:
    """The engagement that stands is named only to a caller who may see it."""
    existing = uow.engagements.get_by_opportunity(opportunity_id)
    if existing is None:
        return
    keys = {"opportunity_id": opportunity_id}
    standing = "an engagement"
    if caller.sees(existing.legal_entity_code):
        keys["engagement_id"] = existing.id
        standing = f"engagement {existing.id}"
    raise EngagementExists(
        f"opportunity {opportunity_id} already has {standing}",
        field="opportunity.opportunity_id",
        keys=keys,
    )


def saga_runner(ports: ProvisioningPorts) -> SagaRunner:
    """Every saga definition o2c has; the resuming worker drives them all."""
    machinery = SagaPorts(
        uow_factory=ports.uow_factory,
        clock=ports.clock,
        ids=ports.ids,
        retry=ports.retry,
        lease_seconds=ports.lease_seconds,
        node=ports.node,
    )
    provisioning = EngagementProvisioning(
        master_data=ports.master_data, customers=ports.customers, psa=ports.psa, crm=ports.crm
    )
    definitions: list[SagaDefinition] = [provisioning]
    if ports.change_orders is not None:
        definitions.append(ChangeOrderToPsa(psa=ports.psa, change_orders=ports.change_orders))
    if ports.ledgers is not None:
        definitions.append(InvoiceToErp(ledgers=ports.ledgers))
        definitions.append(IntercompanyToErp(ledgers=ports.ledgers))
    if ports.crm_status is not None:
        definitions.append(PaymentStatusToCrm(crm=ports.crm_status))
    if ports.psa_work is not None:
        definitions.append(InvoiceToPsa(psa=ports.psa_work))
    return SagaRunner(machinery, definitions)
