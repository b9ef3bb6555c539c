from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from adapters.messaging.event_codec import UnknownEvent, decode, encode
from domain import events
from domain.money import Money
from o2c.v1 import common_pb2, events_pb2

from .builders import (
    a_failed_provisioning,
    a_parked_exception,
    an_engagement_activated,
    staged_time,
)

EXPECTED = [
    (an_engagement_activated(), "o2c.v1.engagement.activated", events_pb2.EngagementActivated),
    (
        a_failed_provisioning(),
        "o2c.v1.engagement.provisioning_failed",
        events_pb2.EngagementProvisioningFailed,
    ),
    (a_parked_exception(), "o2c.v1.exception.parked", events_pb2.ExceptionParked),
    (staged_time(), "o2c.v1.billing.billable_event_staged", events_pb2.BillableEventStaged),
]


def as_domain_value(value: Any) -> Any:
    if isinstance(value, Timestamp):
        return value.ToDatetime(tzinfo=dt.UTC)
    if isinstance(value, common_pb2.Money):
        return Money.parse(value.amount, value.currency_code, "amount")
    if isinstance(value, str | int | float):
        return value
    return tuple(value)


def source_system_name(value: int) -> str:
    return common_pb2.SourceSystem.Name(value).removeprefix("SOURCE_SYSTEM_").lower()


def fields_of(message: Message) -> dict[str, Any]:
    values = {f.name: as_domain_value(getattr(message, f.name)) for f in message.DESCRIPTOR.fields}
    if "source_system" in values:
        values["source_system"] = source_system_name(values["source_system"])
    return values


@pytest.mark.parametrize(("event", "subject", "message_type"), EXPECTED)
def test_each_event_encodes_to_its_protobuf_on_its_subject_and_decodes_back_unchanged(
    event: events.Event, subject: str, message_type: type[Message]
) -> None:
    encoded = encode(event)

    decoded = decode(encoded.subject, encoded.payload)

    assert (encoded.event_id, encoded.subject) == (event.event_id, subject)
    assert isinstance(decoded, message_type)
    assert fields_of(decoded) == attrs.asdict(event, recurse=False)


def test_money_travels_as_a_decimal_string_in_the_currencys_minor_units() -> None:
    decoded = decode(*_subject_and_payload(staged_time()))

    assert decoded.amount == common_pb2.Money(currency_code="USD", amount="1125.00")
    assert decoded.source_system == common_pb2.SOURCE_SYSTEM_PSA


def test_a_subject_prefix_can_be_chosen_for_a_separate_stream() -> None:
    encoded = encode(a_parked_exception(), prefix="o2ctest.v1")

    assert encoded.subject == "o2ctest.v1.exception.parked"
    assert decode(encoded.subject, encoded.payload, prefix="o2ctest.v1").exception_id == "EXC-1"


def test_an_event_type_without_a_subject_is_refused_by_name() -> None:
    @attrs.frozen(kw_only=True)
    class InvoicePosted(events.Event):
        invoice_number: str

    with pytest.raises(UnknownEvent, match="InvoicePosted"):
        encode(InvoicePosted(occurred_at=dt.datetime.now(dt.UTC), invoice_number="INV-1"))


def test_a_subject_no_event_is_published_on_is_refused() -> None:
    with pytest.raises(UnknownEvent, match=r"o2c\.v1\.invoice\.posted"):
        decode("o2c.v1.invoice.posted", b"")


def _subject_and_payload(event: events.Event) -> tuple[str, bytes]:
    encoded = encode(event)
    return encoded.subject, encoded.payload
