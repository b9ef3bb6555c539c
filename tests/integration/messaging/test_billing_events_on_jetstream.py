"""Billing and invoicing outcomes leave through the outbox relay onto real JetStream, each on its
own subject, in its envelope, readable by a subscriber that knows only the API."""

from __future__ import annotations

import asyncio
import functools

import attrs
from integration.persistence.builders import an_engagement

from adapters.messaging import headers
from adapters.messaging.event_codec import encode, encoder_for
from adapters.messaging.relay import OutboxRelay
from adapters.outbox import Stamp
from adapters.persistence.engine import session_factory
from adapters.persistence.outbox_store import SqlOutboxStore
from adapters.persistence.uow import SqlAlchemyUnitOfWork
from o2c.v1 import common_pb2, envelope_pb2, events_pb2

from .broker import StreamUnderTest
from .builders import an_engagement_amended, an_invoice_finalised, one_of_each_billing_outcome
from .memory_outbox import InMemoryOutbox


async def publish_until_drained(relay: OutboxRelay) -> None:
    try:
        while await relay.publish_pending():
            pass
    finally:
        await relay.close()


def test_each_billing_outcome_reaches_jetstream_on_its_subject_in_its_envelope(
    stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    outcomes = one_of_each_billing_outcome()
    outbox.add(*(stream.encode(event) for event in outcomes))

    asyncio.run(publish_until_drained(stream.relay(outbox)))

    received = stream.read()
    assert [r.subject.removeprefix(f"{stream.prefix}.") for r in received] == [
        "billing.billable_event_rated",
        "billing.billable_event_held_over_cap",
        "engagement.amended",
        "invoice.finalised",
        "invoice.credit_note_issued",
        "invoice.payment_applied",
    ]
    assert [r.msg_id for r in received] == [event.event_id for event in outcomes]
    assert [
        (r.message.envelope.aggregate_type, r.message.envelope.aggregate_id) for r in received
    ] == [(event.aggregate.type, event.aggregate.id) for event in outcomes]
    assert outbox.unpublished == []


def test_a_finalised_invoice_is_found_on_the_stream_by_its_number_and_totals_in_yen(
    stream: StreamUnderTest, outbox: InMemoryOutbox
) -> None:
    finalised = an_invoice_finalised()
    outbox.add(encode(finalised, Stamp(1, correlation_id="cycle-2026-11"), prefix=stream.prefix))

    asyncio.run(publish_until_drained(stream.relay(outbox)))

    [received] = stream.read()
    assert isinstance(received.message, events_pb2.InvoiceFinalised)
    assert received.message.envelope.business_key == envelope_pb2.BusinessKey(
        kind=envelope_pb2.BUSINESS_KEY_KIND_INVOICE, value="JP01-INV-2026-000001"
    )
    assert received.message.total == common_pb2.Money(currency_code="JPY", amount="165000")
    assert list(received.message.billable_event_ids) == ["BE-1", "BE-2"]
    [sent_headers] = stream.headers()
    assert sent_headers[headers.BUSINESS_KEY] == "invoice:JP01-INV-2026-000001"
    assert sent_headers[headers.AGGREGATE] == "invoice:INV-ID-1"
    assert sent_headers[headers.CORRELATION_ID] == "cycle-2026-11"


def test_an_amendment_committed_with_its_engagement_is_relayed_from_the_database_outbox(
    stream: StreamUnderTest, engine
) -> None:
    uow_factory = functools.partial(
        SqlAlchemyUnitOfWork, session_factory(engine), encoder_for(stream.prefix)
    )
    engagement = an_engagement()
    amended = attrs.evolve(an_engagement_amended(), engagement_id=engagement.id)
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()
    with uow_factory() as uow:
        uow.engagements.get(engagement.id).events.append(amended)
        uow.commit()

    asyncio.run(publish_until_drained(stream.relay(SqlOutboxStore(engine))))

    [received] = stream.read()
    assert received.subject == f"{stream.prefix}.engagement.amended"
    assert received.msg_id == amended.event_id
    assert received.message.engagement_id == engagement.id
    assert received.message.envelope.business_key.value == engagement.id
    assert received.message.envelope.aggregate_sequence == 1
    assert list(received.message.work_package_codes) == ["NA-1", "EU-1"]
