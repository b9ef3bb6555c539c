"""Domain events to protobuf messages in their envelope on their JetStream subjects, and back."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from importlib import metadata
from types import MappingProxyType
from typing import Any

from attrs import frozen
from google.protobuf.message import DecodeError, Message
from google.protobuf.timestamp_pb2 import Timestamp

from adapters.erp_route_values import erp_route_message
from adapters.messaging.headers import envelope_headers
from adapters.outbox import EventEncoder, OutboxMessage, Stamp
from adapters.proto_values import (
    SYSTEM_ENUMS,
    date_message,
    enum_number,
    money_message,
    owner_role_number,
    reason_code_number,
    workflow_number,
)
from domain import events
from domain.billing.agreement import EngagementAmended
from domain.billing.outcomes import (
    BillableEventHeldOverCap,
    BillableEventOutcome,
    BillableEventRated,
    RatedCharge,
)
from domain.erp_routing import ErpRouteSet
from domain.invoicing.events import CreditNoteIssued, InvoiceFinalised, PaymentApplied
from domain.ownership import System
from o2c.v1 import (
    billing_pb2,
    common_pb2,
    envelope_pb2,
    events_pb2,
    exceptions_pb2,
    invoicing_pb2,
)

SUBJECT_PREFIX = "o2c.v1"
INVALID_TOKEN = frozenset(" \t\r\n*>")


class UnknownEvent(LookupError):
    pass


class UndecodableMessage(ValueError):
    pass


@frozen
class Route:
    subject: str
    message_type: type[Message]
    build: Callable[[Any], Message]


def encode(
    event: events.Event, stamp: Stamp, *, prefix: str = SUBJECT_PREFIX, source: str = ""
) -> OutboxMessage:
    route = route_of(type(event))
    message = route.build(event)
    message.envelope.CopyFrom(envelope(event, stamp, route, source or default_source()))
    payload = message.SerializeToString(deterministic=True)
    headers = envelope_headers(message.envelope)
    return OutboxMessage(event.event_id, f"{prefix}.{route.subject}", payload, headers)


def envelope(
    event: events.Event, stamp: Stamp, route: Route, source: str
) -> envelope_pb2.EventEnvelope:
    return envelope_pb2.EventEnvelope(
        event_id=event.event_id,
        event_type=route.message_type.DESCRIPTOR.full_name,
        source=source,
        business_key=_business_key(event.key),
        correlation_id=stamp.correlation_id or event.event_id,
        aggregate_type=event.aggregate.type,
        aggregate_id=event.aggregate.id,
        aggregate_sequence=stamp.sequence,
        occurred_at=_timestamp(event.occurred_at),
    )


@functools.cache
def default_source() -> str:
    try:
        return f"o2c/{metadata.version('o2c')}"
    except metadata.PackageNotFoundError:
        return "o2c"


def subjects_under(prefix: str) -> str:
    """The wildcard for every event subject under `prefix`, e.g. "o2c.v1.>"."""
    return f"{prefix}.>"


def stream_subjects(prefix: str) -> tuple[str, ...]:
    """The subjects a stream must take for every event published under `prefix`."""
    return (subjects_under(checked_prefix(prefix)),)


def encoder_for(prefix: str) -> EventEncoder:
    return functools.partial(encode, prefix=checked_prefix(prefix))


def checked_prefix(prefix: str) -> str:
    """A prefix of plain subject tokens, e.g. "o2c.v1" or "acme.o2c.v1"; refused at start-up
    rather than by the broker on the first publish."""
    if not all(_is_plain_token(token) for token in prefix.split(".")):
        raise ValueError(
            f"O2C_SUBJECT_PREFIX {prefix!r} is not a NATS subject prefix: use dot-separated "
            "tokens without spaces or wildcards, e.g. 'o2c.v1'"
        )
    return prefix


def _is_plain_token(token: str) -> bool:
    return bool(token) and token.isprintable() and not INVALID_TOKEN & set(token)


def decode(subject: str, payload: bytes, prefix: str = SUBJECT_PREFIX) -> Message:
    message_type = _message_type_of(subject, prefix)
    try:
        return message_type.FromString(payload)
    except DecodeError as error:
        raise UndecodableMessage(f"{subject}: payload is not a {message_type.__name__}") from error


def route_of(event_type: type[events.Event]) -> Route:
    try:
        return ROUTES[event_type]
    except KeyError:
        raise UnknownEvent(f"no subject for event type {event_type.__name__}") from None


def _message_type_of(subject: str, prefix: str) -> type[Message]:
    suffix = subject.removeprefix(prefix + ".")
    route = next((route for route in ROUTES.values() if route.subject == suffix), None)
    if suffix == subject or route is None:
        raise UnknownEvent(f"no event is published on subject {subject!r}")
    return route.message_type


def _timestamp(moment: dt.datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))
    return stamp


def _business_key(key: events.BusinessKey) -> envelope_pb2.BusinessKey:
    kind = enum_number(envelope_pb2.BusinessKeyKind, "BUSINESS_KEY_KIND", key.kind)
    return envelope_pb2.BusinessKey(kind=kind, value=key.value)


def _source_system(system: str) -> common_pb2.SourceSystem.ValueType:
    try:
        return SYSTEM_ENUMS[System(system)]
    except ValueError:
        raise UnknownEvent(f"no source system enum value for {system!r}") from None


def _engagement_activated(event: events.EngagementActivated) -> Message:
    return events_pb2.EngagementActivated(
        engagement_id=event.engagement_id,
        opportunity_id=event.opportunity_id,
        erp_legal_entity=event.erp_legal_entity,
        erp_customer_number=event.erp_customer_number,
        psa_project_ids=event.psa_project_ids,
    )


def _engagement_provisioning_failed(event: events.EngagementProvisioningFailed) -> Message:
    return events_pb2.EngagementProvisioningFailed(
        engagement_id=event.engagement_id,
        opportunity_id=event.opportunity_id,
        reason=event.reason,
    )


def _exception_parked(event: events.ExceptionParked) -> Message:
    return events_pb2.ExceptionParked(
        exception_id=event.exception_id,
        workflow=workflow_number(event.workflow),
        business_key=event.business_key,
        reason_code=reason_code_number(event.reason_code),
        owner_role=owner_role_number(event.owner_role),
        detail=event.detail,
    )


def _exception_assigned(event: events.ExceptionAssigned) -> Message:
    return events_pb2.ExceptionAssigned(**_case_of(event), assignee=event.assignee)


def _exception_retry_started(event: events.ExceptionRetryStarted) -> Message:
    return events_pb2.ExceptionRetryStarted(**_case_of(event), attempt=event.attempt)


def _exception_retry_failed(event: events.ExceptionRetryFailed) -> Message:
    return events_pb2.ExceptionRetryFailed(
        **_case_of(event), attempt=event.attempt, detail=event.detail
    )


def _exception_resolved(event: events.ExceptionResolved) -> Message:
    return events_pb2.ExceptionResolved(
        **_case_of(event),
        resolution=enum_number(
            exceptions_pb2.ExceptionResolution, "EXCEPTION_RESOLUTION", event.resolution
        ),
        note=event.note,
        resolved_by=event.by,
        seconds_to_resolution=event.seconds_to_resolution,
    )


def _exception_discarded(event: events.ExceptionDiscarded) -> Message:
    return events_pb2.ExceptionDiscarded(
        **_case_of(event),
        reason=event.note,
        discarded_by=event.by,
        seconds_to_resolution=event.seconds_to_resolution,
    )


def _case_of(event: events.ExceptionOutcome) -> dict[str, Any]:
    return {
        "exception_id": event.exception_id,
        "workflow": workflow_number(event.workflow),
        "business_key": event.business_key,
    }


def _billable_event_staged(event: events.BillableEventStaged) -> Message:
    return events_pb2.BillableEventStaged(
        billable_event_id=event.billable_event_id,
        engagement_id=event.engagement_id,
        source_system=_source_system(event.source_system),
        source_id=event.source_id,
        role=event.role,
        hours=event.hours,
        amount=money_message(event.amount),
    )


def _billable_event_rated(event: BillableEventRated) -> Message:
    return events_pb2.BillableEventRated(
        **_outcome_keys(event),
        kind=enum_number(billing_pb2.BillableEventKind, "BILLABLE_EVENT_KIND", event.kind),
        charges=[_charge(charge) for charge in event.charges],
        billed=money_message(event.billed),
    )


def _billable_event_held_over_cap(event: BillableEventHeldOverCap) -> Message:
    return events_pb2.BillableEventHeldOverCap(
        **_outcome_keys(event), held=money_message(event.held), hours=event.hours
    )


def _outcome_keys(event: BillableEventOutcome) -> dict[str, Any]:
    return {
        "billable_event_id": event.billable_event_id,
        "engagement_id": event.engagement_id,
        "work_package_code": event.work_package_code,
        "source_system": _source_system(event.source_system),
        "source_id": event.source_id,
    }


def _charge(charge: RatedCharge) -> billing_pb2.Charge:
    return billing_pb2.Charge(
        kind=enum_number(billing_pb2.ChargeKind, "CHARGE_KIND", charge.kind),
        quantity=charge.quantity,
        amount=money_message(charge.amount),
    )


def _engagement_amended(event: EngagementAmended) -> Message:
    return events_pb2.EngagementAmended(
        engagement_id=event.engagement_id,
        version=event.version,
        effective_on=date_message(event.effective_on),
        reason=event.reason,
        work_package_codes=event.work_package_codes,
    )


def _invoice_finalised(event: InvoiceFinalised) -> Message:
    return events_pb2.InvoiceFinalised(
        invoice_id=event.invoice_id,
        invoice_number=event.invoice_number,
        engagement_id=event.engagement_id,
        legal_entity_code=event.legal_entity_code,
        customer_number=event.customer_number,
        issued_on=date_message(event.issued_on),
        due_on=date_message(event.due_on),
        net=money_message(event.net),
        tax=money_message(event.tax),
        total=money_message(event.total),
        billable_event_ids=event.source_ids,
    )


def _credit_note_issued(event: CreditNoteIssued) -> Message:
    return events_pb2.CreditNoteIssued(
        invoice_id=event.invoice_id,
        invoice_number=event.invoice_number,
        credit_note_id=event.credit_note_id,
        credit_note_number=event.credit_note_number,
        net=money_message(event.net),
        tax=money_message(event.tax),
        total=money_message(event.total),
        released_billable_event_ids=event.releases,
    )


def _payment_applied(event: PaymentApplied) -> Message:
    return events_pb2.PaymentApplied(
        invoice_id=event.invoice_id,
        invoice_number=event.invoice_number,
        payment_id=event.payment_id,
        received=money_message(event.received),
        applied=money_message(event.applied),
        unapplied=money_message(event.unapplied),
        balance=money_message(event.balance),
        status=enum_number(invoicing_pb2.InvoiceStatus, "INVOICE_STATUS", event.status),
    )


def _erp_route_set(event: ErpRouteSet) -> Message:
    message = events_pb2.ErpRouteSet(
        legal_entity_code=event.legal_entity_code,
        set_by=event.set_by,
        route=erp_route_message(event.route),
    )
    if event.previous is not None:
        message.previous.CopyFrom(erp_route_message(event.previous))
    return message


ROUTES: Mapping[type[events.Event], Route] = MappingProxyType(
    {
        events.EngagementActivated: Route(
            "engagement.activated", events_pb2.EngagementActivated, _engagement_activated
        ),
        events.EngagementProvisioningFailed: Route(
            "engagement.provisioning_failed",
            events_pb2.EngagementProvisioningFailed,
            _engagement_provisioning_failed,
        ),
        events.ExceptionParked: Route(
            "exception.parked", events_pb2.ExceptionParked, _exception_parked
        ),
        events.ExceptionAssigned: Route(
            "exception.assigned", events_pb2.ExceptionAssigned, _exception_assigned
        ),
        events.ExceptionRetryStarted: Route(
            "exception.retry_started", events_pb2.ExceptionRetryStarted, _exception_retry_started
        ),
        events.ExceptionRetryFailed: Route(
            "exception.retry_failed", events_pb2.ExceptionRetryFailed, _exception_retry_failed
        ),
        events.ExceptionResolved: Route(
            "exception.resolved", events_pb2.ExceptionResolved, _exception_resolved
        ),
        events.ExceptionDiscarded: Route(
            "exception.discarded", events_pb2.ExceptionDiscarded, _exception_discarded
        ),
        events.BillableEventStaged: Route(
            "billing.billable_event_staged", events_pb2.BillableEventStaged, _billable_event_staged
        ),
        BillableEventRated: Route(
            "billing.billable_event_rated", events_pb2.BillableEventRated, _billable_event_rated
        ),
        BillableEventHeldOverCap: Route(
            "billing.billable_event_held_over_cap",
            events_pb2.BillableEventHeldOverCap,
            _billable_event_held_over_cap,
        ),
        EngagementAmended: Route(
            "engagement.amended", events_pb2.EngagementAmended, _engagement_amended
        ),
        InvoiceFinalised: Route(
            "invoice.finalised", events_pb2.InvoiceFinalised, _invoice_finalised
        ),
        CreditNoteIssued: Route(
            "invoice.credit_note_issued", events_pb2.CreditNoteIssued, _credit_note_issued
        ),
        PaymentApplied: Route(
            "invoice.payment_applied", events_pb2.PaymentApplied, _payment_applied
        ),
        ErpRouteSet: Route("erp.route_set", events_pb2.ErpRouteSet, _erp_route_set),
    }
)
