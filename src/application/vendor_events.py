"""Vendor events that drive the process APIs, each taking effect once.

- A closed-won opportunity announced by the CRM's change data capture (an
  `OpportunityChangeEvent` whose changed fields include StageName, now a won stage) starts
  CreateServiceEngagement for the deal the CRM holds.
- Approved time, expenses and milestone completions from the PSA start ApproveBillableEvent on
  the engagement whose work package has the PSA's project.

The event id is the request id, so a redelivered event finds its first answer in the request
ledger and changes nothing. Bad vendor data (a missing field, an unknown stage, work on an
unknown project) is parked at once with its payload and the reason, never retried by itself. A
fault (the database or a vendor away) is retried by redelivery, and parked once the configured
number of deliveries is spent. Nothing a vendor sends makes a consumer fail."""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from attrs import frozen

from application.approve_work import approve_work
from application.billing_ports import BillingPorts
from application.commands import ApproveWork, CreateServiceEngagement
from application.create_engagement import ProvisioningPorts, create_service_engagement
from application.crm_ports import CrmDeal, CrmDeals
from application.errors import VendorError
from application.exception_hooks import resolve_moot
from application.ports import Clock, IdGenerator, UnitOfWorkFactory
from application.psa_work_ports import ApprovedWork
from domain.errors import (
    ConcurrentUpdate,
    DomainError,
    EngagementExists,
    ErpUnavailable,
    RequestInProgress,
    StorageUnavailable,
)
from domain.exception_case import ExceptionCase, OwnerRole, ReasonCode, Workflow
from domain.principal import EVERY_LEGAL_ENTITY, CallingSystem, Principal

# Salesforce's standard opportunity stages; a firm with its own sets them in its CRM mapping.
SALESFORCE_STAGES = frozenset(
    {
        "Prospecting",
        "Qualification",
        "Needs Analysis",
        "Value Proposition",
        "Id. Decision Makers",
        "Perception Analysis",
        "Proposal/Price Quote",
        "Negotiation/Review",
        "Closed Won",
        "Closed Lost",
    }
)
PAYLOAD_KEPT = 16_000  # characters of a parked payload: enough to read it, bounded in the store
REQUEST_ID = re.compile(r"[^A-Za-z0-9._:-]")
# Worth delivering again: the database or a vendor away, or another caller's transaction.
FAULTS = (StorageUnavailable, ConcurrentUpdate, RequestInProgress, ErpUnavailable, VendorError)
CRM_EVENTS = Principal("crm-change-events", CallingSystem.CRM, EVERY_LEGAL_ENTITY)
PSA_EVENTS = Principal("psa-work-events", CallingSystem.PSA, EVERY_LEGAL_ENTITY)


class Outcome(enum.Enum):
    DONE = "done"  # took effect now, or had before: acknowledge
    IGNORED = "ignored"  # nothing for o2c in it: acknowledge
    PARKED = "parked"  # in the exception queue with its payload: acknowledge
    RETRY = "retry"  # a fault: deliver it again later


@frozen
class VendorMessage:
    subject: str
    event_id: str  # the vendor's id for the event, or the broker's message id
    payload: bytes
    delivery: int  # 1 on the first delivery
    max_deliveries: int


class Rejected(Exception):
    """Vendor data o2c cannot act on; parked as it is, with why."""

    def __init__(self, detail: str, business_key: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.business_key = business_key


@frozen
class Parking:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def park(
        self,
        message: VendorMessage,
        workflow: Workflow,
        reason: ReasonCode,
        owner: OwnerRole,
        detail: str,
        business_key: str,
    ) -> None:
        key = (business_key or message.event_id or message.subject)[:128]
        with self.uow_factory() as uow:
            if any(
                c.payload.get("event_id") == message.event_id
                for c in uow.exceptions.open_cases(key)
            ):
                return  # parked before, by an earlier delivery
            uow.exceptions.add(
                ExceptionCase.park(
                    exception_id=self.ids.new_id(),
                    workflow=workflow,
                    business_key=key,
                    reason_code=reason,
                    owner_role=owner,
                    detail=detail[:2000],
                    payload={
                        "subject": message.subject,
                        "event_id": message.event_id,
                        "deliveries": message.delivery,
                        "payload": message.payload.decode("utf-8", "replace")[:PAYLOAD_KEPT],
                    },
                    now=self.clock.now(),
                )
            )
            uow.commit()


def receive(
    message: VendorMessage,
    handle: Callable[[VendorMessage], Outcome],
    parking: Parking,
    workflow: Workflow,
    owner: OwnerRole,
) -> Outcome:
    """What became of the message: never an exception, whatever the vendor sent."""
    try:
        return handle(message)
    except Rejected as rejected:
        reason, detail, key = (
            ReasonCode.VENDOR_EVENT_REJECTED,
            rejected.detail,
            rejected.business_key,
        )
    except FAULTS as fault:
        if message.delivery < message.max_deliveries:
            return Outcome.RETRY
        reason, key = ReasonCode.VENDOR_EVENT_UNDELIVERED, ""
        detail = f"still failing after {message.delivery} deliveries: {fault}"
        owner = OwnerRole.INTEGRATION_SUPPORT
    except DomainError as refused:  # the process API refused what the vendor sent
        reason, key, detail = ReasonCode.VENDOR_EVENT_REJECTED, "", refusal(refused)
    except Exception as fault:
        if message.delivery < message.max_deliveries:
            return Outcome.RETRY
        reason, key = ReasonCode.VENDOR_EVENT_UNDELIVERED, ""
        detail = f"still failing after {message.delivery} deliveries: {type(fault).__name__}"
        owner = OwnerRole.INTEGRATION_SUPPORT
    try:
        parking.park(message, workflow, reason, owner, detail, key)
    except (StorageUnavailable, DomainError):
        return Outcome.RETRY  # not parked yet: deliver it again
    return Outcome.PARKED


def refusal(refused: DomainError) -> str:
    """The process API's refusal, naming the field the vendor's data filled."""
    where = f" ({refused.field})" if refused.field and refused.field not in refused.message else ""
    return f"{refused.message}{where}"


def request_id(prefix: str, event_id: str) -> str:
    return f"{prefix}-{REQUEST_ID.sub('_', event_id)}"[:128]


def json_object(message: VendorMessage) -> dict[str, Any]:
    try:
        document = json.loads(message.payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Rejected(f"the event is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise Rejected("the event is not a JSON object")
    return document


def text_field(document: Mapping[str, Any], name: str, where: str) -> str:
    value = document.get(name)
    if not isinstance(value, str) or not value.strip():
        raise Rejected(f"{where}{name} is missing or not text")
    return value.strip()


@frozen
class ClosedWonEvents:
    crm: CrmDeals
    provisioning: ProvisioningPorts
    won_stages: frozenset[str] = frozenset({"Closed Won"})
    known_stages: frozenset[str] = SALESFORCE_STAGES

    def handle(self, message: VendorMessage) -> Outcome:
        event = json_object(message)
        header = event.get("ChangeEventHeader")
        if not isinstance(header, dict):
            raise Rejected("the change event has no ChangeEventHeader")
        if header.get("entityName", "Opportunity") != "Opportunity":
            return Outcome.IGNORED
        change, changed = header.get("changeType"), header.get("changedFields") or []
        if change not in ("CREATE", "UPDATE"):
            return Outcome.IGNORED
        if change == "UPDATE" and (not isinstance(changed, list) or "StageName" not in changed):
            return Outcome.IGNORED
        stage = text_field(event, "StageName", "")
        records = header.get("recordIds")
        if (
            not isinstance(records, list)
            or not records
            or not all(isinstance(r, str) for r in records)
        ):
            raise Rejected("ChangeEventHeader.recordIds is missing")
        if stage not in self.known_stages:
            raise Rejected(f"StageName {stage[:64]!r} is not a stage o2c knows", records[0][:128])
        if stage not in self.won_stages:
            return Outcome.IGNORED
        event_id = change_event_id(header) or message.event_id
        outcomes = [self.open_engagement(event_id, record) for record in records]
        return Outcome.DONE if Outcome.DONE in outcomes else Outcome.IGNORED

    def open_engagement(self, event_id: str, opportunity_id: str) -> Outcome:
        deal = self.crm.deal(opportunity_id)
        if deal is None:
            raise Rejected(
                f"the CRM has no opportunity {opportunity_id[:64]!r}", opportunity_id[:128]
            )
        if not deal.is_won:
            return Outcome.IGNORED  # the stage moved on again before o2c read it
        command = engagement_request(deal, request_id(f"cdc-{opportunity_id}", event_id))
        try:
            create_service_engagement(command, self.provisioning)
        except EngagementExists:
            return Outcome.DONE  # opened before, from another event for the same deal
        except FAULTS:
            raise
        except DomainError as refused:
            raise Rejected(refusal(refused), opportunity_id[:128]) from None
        ports = self.provisioning
        moot(ports.uow_factory, ports.clock, opportunity_id, Workflow.CLOSED_WON_TO_ENGAGEMENT)
        return Outcome.DONE


def change_event_id(header: Mapping[str, Any]) -> str:
    """A change event's own identity: its transaction and its place in it, the same however
    often the event is published."""
    key, number = header.get("transactionKey"), header.get("sequenceNumber")
    if isinstance(key, str) and key and isinstance(number, int):
        return f"{key}:{number}"
    return ""


def engagement_request(deal: CrmDeal, request: str) -> CreateServiceEngagement:
    return CreateServiceEngagement(
        request_id=request,
        opportunity_id=deal.opportunity_id,
        account_id=deal.account_id,
        account_name=deal.account_name,
        legal_entity_code=deal.legal_entity_code,
        currency=deal.currency,
        billing_method=deal.billing_method,
        start_date=deal.start_date,
        end_date=deal.end_date,
        contract_value_amount=deal.contract_value,
        contract_value_currency=deal.currency,
        rate_card=deal.rate_card,
        work_packages=deal.work_packages,
        caller=CRM_EVENTS,
        customer_country=deal.customer_country,
        customer_vat_number=deal.customer_vat_number,
        payment_terms_days=deal.payment_terms_days,
    )


WORK_FIELDS = ("resource", "role", "hours", "category", "cost_amount", "cost_currency")


@frozen
class ApprovedWorkEvents:
    """A PSA's approved item, in o2c's words: kind, source_id, project_id and day, and the
    fields of its kind (hours and role; category and cost; milestone_code)."""

    billing: BillingPorts

    def handle(self, message: VendorMessage) -> Outcome:
        event = json_object(message)
        given = {name: str(event.get(name) or "") for name in (*WORK_FIELDS, "milestone_code")}
        work = ApprovedWork(
            source_id=text_field(event, "source_id", ""),
            kind=text_field(event, "kind", ""),
            project_id=text_field(event, "project_id", ""),
            day=text_field(event, "day", ""),
            resource=given["resource"],
            role=given["role"],
            hours=given["hours"],
            category=given["category"],
            cost_amount=given["cost_amount"],
            cost_currency=given["cost_currency"],
            milestone_code=given["milestone_code"],
        )
        return self.stage(work, str(event.get("event_id") or message.event_id))

    def stage(self, work: ApprovedWork, event_id: str) -> Outcome:
        """The item staged on the work package whose PSA project it was approved on."""
        with self.billing.uow_factory() as uow:
            engagement = uow.engagements.get_by_psa_project(work.project_id)
        if engagement is None:
            raise Rejected(
                f"no engagement has PSA project {work.project_id[:64]!r}", work.source_id[:128]
            )
        package = next(
            wp for wp in engagement.work_packages if wp.psa_project_id == work.project_id
        )
        command = ApproveWork(
            request_id=request_id("psa", event_id),
            source_system="psa",
            source_id=work.source_id,
            engagement_id=engagement.id,
            work_package_code=package.code,
            kind=work.kind,
            day=work.day,
            caller=PSA_EVENTS,
            resource=work.resource,
            role=work.role,
            hours=work.hours,
            category=work.category,
            cost_amount=work.cost_amount,
            cost_currency=work.cost_currency,
            milestone_code=work.milestone_code,
        )
        try:
            approve_work(command, self.billing)
        except FAULTS:
            raise
        except DomainError as refused:
            raise Rejected(refusal(refused), work.source_id[:128]) from None
        billing = self.billing
        moot(billing.uow_factory, billing.clock, work.source_id, Workflow.APPROVED_WORK_TO_STAGING)
        return Outcome.DONE


def moot(uow_factory: UnitOfWorkFactory, clock: Clock, key: str, workflow: Workflow) -> None:
    """The key's open cases of the workflow, parked by an earlier event, are moot now."""
    with uow_factory() as uow:
        if resolve_moot(
            uow, key[:128], workflow, "a later vendor event for it succeeded", clock.now()
        ):
            uow.commit()
