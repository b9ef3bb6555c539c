"""Domain events to protobuf messages on their JetStream subjects, and back to protobuf."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from attrs import frozen
from google.protobuf.message import DecodeError, Message
from google.protobuf.timestamp_pb2 import Timestamp

from adapters.outbox import OutboxMessage
from adapters.proto_values import SYSTEM_ENUMS, money_message
from domain import events
from domain.ownership import System
from o2c.v1 import common_pb2, events_pb2

SUBJECT_PREFIX = "o2c.v1"


class UnknownEvent(LookupError):
    pass


class UndecodableMessage(ValueError):
    pass


@frozen
class Route:
    subject: str
    message_type: type[Message]
    build: Callable[[Any], Message]


def encode(event: events.Event, prefix: str = SUBJECT_PREFIX) -> OutboxMessage:
    route = route_of(type(event))
    payload = route.build(event).SerializeToString(deterministic=True)
    return OutboxMessage(event.event_id, f"{prefix}.{route.subject}", payload)


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


def _source_system(system: str) -> common_pb2.SourceSystem.ValueType:
    try:
        return SYSTEM_ENUMS[System(system)]
    except ValueError:
        raise UnknownEvent(f"no source system enum value for {system!r}") from None


def _engagement_activated(event: events.EngagementActivated) -> Message:
    return events_pb2.EngagementActivated(
        event_id=event.event_id,
        occurred_at=_timestamp(event.occurred_at),
        engagement_id=event.engagement_id,
        opportunity_id=event.opportunity_id,
        erp_legal_entity=event.erp_legal_entity,
        erp_customer_number=event.erp_customer_number,
        psa_project_ids=event.psa_project_ids,
    )


def _engagement_provisioning_failed(event: events.EngagementProvisioningFailed) -> Message:
    return events_pb2.EngagementProvisioningFailed(
        event_id=event.event_id,
        occurred_at=_timestamp(event.occurred_at),
        engagement_id=event.engagement_id,
        opportunity_id=event.opportunity_id,
        reason=event.reason,
    )


def _exception_parked(event: events.ExceptionParked) -> Message:
    return events_pb2.ExceptionParked(
        event_id=event.event_id,
        occurred_at=_timestamp(event.occurred_at),
        exception_id=event.exception_id,
        workflow=event.workflow,
        business_key=event.business_key,
        reason_code=event.reason_code,
        owner_role=event.owner_role,
        detail=event.detail,
    )


def _billable_event_staged(event: events.BillableEventStaged) -> Message:
    return events_pb2.BillableEventStaged(
        event_id=event.event_id,
        occurred_at=_timestamp(event.occurred_at),
        billable_event_id=event.billable_event_id,
        engagement_id=event.engagement_id,
        source_system=_source_system(event.source_system),
        source_id=event.source_id,
        role=event.role,
        hours=event.hours,
        amount=money_message(event.amount),
    )


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
        events.BillableEventStaged: Route(
            "billing.billable_event_staged", events_pb2.BillableEventStaged, _billable_event_staged
        ),
    }
)
