from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from google.type import date_pb2

from adapters.messaging import headers
from adapters.messaging.event_codec import (
    UnknownEvent,
    decode,
    default_source,
    encode,
    encoder_for,
    stream_subjects,
)
from adapters.outbox import Stamp
from adapters.proto_values import enum_number
from domain import events
from domain.billable_event import BillableEventKind
from domain.billing.charges import ChargeKind
from domain.billing.outcomes import RatedCharge
from domain.erp_routing import Erp, ErpRoute, ErpTarget, RouteMode
from domain.invoicing.invoice import InvoiceStatus
from domain.money import Money
from o2c.v1 import (
    billing_pb2,
    common_pb2,
    envelope_pb2,
    erp_routing_pb2,
    events_pb2,
    exceptions_pb2,
    invoicing_pb2,
)

from .builders import (
    a_credit_note_issued,
    a_dual_write_pilot_set,
    a_failed_provisioning,
    a_first_erp_route_set,
    a_parked_exception,
    a_payment_applied,
    a_rated_expense,
    an_engagement_activated,
    an_engagement_amended,
    an_invoice_finalised,
    staged_time,
    time_held_over_the_cap,
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
    (a_rated_expense(), "o2c.v1.billing.billable_event_rated", events_pb2.BillableEventRated),
    (
        time_held_over_the_cap(),
        "o2c.v1.billing.billable_event_held_over_cap",
        events_pb2.BillableEventHeldOverCap,
    ),
    (an_engagement_amended(), "o2c.v1.engagement.amended", events_pb2.EngagementAmended),
    (an_invoice_finalised(), "o2c.v1.invoice.finalised", events_pb2.InvoiceFinalised),
    (a_credit_note_issued(), "o2c.v1.invoice.credit_note_issued", events_pb2.CreditNoteIssued),
    (a_payment_applied(), "o2c.v1.invoice.payment_applied", events_pb2.PaymentApplied),
    (a_first_erp_route_set(), "o2c.v1.erp.route_set", events_pb2.ErpRouteSet),
    (a_dual_write_pilot_set(), "o2c.v1.erp.route_set", events_pb2.ErpRouteSet),
]
ENUMS = {
    "source_system": common_pb2.SourceSystem,
    "workflow": exceptions_pb2.Workflow,
    "reason_code": exceptions_pb2.ReasonCode,
    "owner_role": exceptions_pb2.OwnerRole,
    "kind": billing_pb2.BillableEventKind,
    "status": invoicing_pb2.InvoiceStatus,
}
# The wire says which ids a list holds where the domain says what they are to the invoice.
WIRE_NAMES = {
    "billable_event_ids": "source_ids",
    "released_billable_event_ids": "releases",
}


def as_domain_value(value: Any) -> Any:
    if isinstance(value, Timestamp):
        return value.ToDatetime(tzinfo=dt.UTC)
    if isinstance(value, common_pb2.Money):
        return Money.parse(value.amount, value.currency_code, "amount")
    if isinstance(value, date_pb2.Date):
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, erp_routing_pb2.ErpRoute):
        return erp_route(value)
    if isinstance(value, billing_pb2.Charge):
        kind = enum_text(billing_pb2.ChargeKind, value.kind)
        return RatedCharge(kind, value.quantity, as_domain_value(value.amount))
    if isinstance(value, str | int | float):
        return value
    return tuple(as_domain_value(item) for item in value)


def erp_route(message: erp_routing_pb2.ErpRoute) -> ErpRoute | None:
    """The route a message holds; None for an unset one (a legal entity's first has no
    previous route)."""
    if not message.legal_entity_code:
        return None
    shadow = erp_target(message.shadow) if message.HasField("shadow") else None
    route = ErpRoute(
        message.legal_entity_code,
        as_domain_value(message.effective_from),
        erp_target(message.primary),
        shadow,
    )
    assert enum_text(erp_routing_pb2.ErpRouteMode, message.mode) == route.mode.value
    return route


def erp_target(message: erp_routing_pb2.ErpTarget) -> ErpTarget:
    return ErpTarget(Erp(enum_text(erp_routing_pb2.Erp, message.erp)), message.erp_legal_entity)


def enum_text(enum_type: Any, value: int) -> str:
    """OWNER_ROLE_SALES_OPS -> "sales-ops", WORKFLOW_CLOSED_WON_TO_ENGAGEMENT -> "closed_won…"."""
    prefix = enum_type.DESCRIPTOR.values[0].name.removesuffix("UNSPECIFIED")
    return enum_type.Name(value).removeprefix(prefix).lower()


def fields_of(message: Message) -> dict[str, Any]:
    values = {
        WIRE_NAMES.get(f.name, f.name): as_domain_value(getattr(message, f.name))
        for f in message.DESCRIPTOR.fields
        if f.name != "envelope"
    }
    for name, enum_type in ENUMS.items():
        if name in values:
            values[name] = enum_text(enum_type, values[name])
    return values


def domain_fields_of(event: events.Event) -> dict[str, Any]:
    values = attrs.asdict(event, recurse=False)
    del values["event_id"], values["occurred_at"]
    if "owner_role" in values:
        values["owner_role"] = values["owner_role"].replace("-", "_")
        values["reason_code"] = values["reason_code"].lower()
    return values


@pytest.mark.parametrize(("event", "subject", "message_type"), EXPECTED)
def test_each_event_encodes_to_its_protobuf_on_its_subject_and_decodes_back_unchanged(
    event: events.Event, subject: str, message_type: type[Message]
) -> None:
    encoded = encode(event, Stamp(1))

    decoded = decode(encoded.subject, encoded.payload)

    assert (encoded.event_id, encoded.subject) == (event.event_id, subject)
    assert isinstance(decoded, message_type)
    assert fields_of(decoded) == domain_fields_of(event)
    assert decoded.envelope.event_id == event.event_id
    assert decoded.envelope.occurred_at.ToDatetime(tzinfo=dt.UTC) == event.occurred_at


def test_the_envelope_says_what_happened_to_which_business_object_and_where_in_its_history():
    activated = an_engagement_activated(7)

    envelope = decode_envelope(activated, Stamp(3, correlation_id="req-42"))

    assert envelope == envelope_pb2.EventEnvelope(
        event_id=activated.event_id,
        event_type="o2c.v1.EngagementActivated",
        source=default_source(),
        business_key=envelope_pb2.BusinessKey(
            kind=envelope_pb2.BUSINESS_KEY_KIND_OPPORTUNITY, value="006-OPP-7"
        ),
        correlation_id="req-42",
        aggregate_type="engagement",
        aggregate_id="ENG-7",
        aggregate_sequence=3,
        occurred_at=envelope.occurred_at,
    )
    assert default_source().startswith("o2c/")


@pytest.mark.parametrize(
    ("event", "kind", "value", "aggregate"),
    [
        (a_failed_provisioning(), "OPPORTUNITY", "006-OPP-2", ("engagement", "ENG-2")),
        (a_parked_exception(), "OPPORTUNITY", "006-OPP-2", ("exception", "EXC-1")),
        (staged_time(4), "SOURCE_RECORD", "psa:TC-4", ("billable_event", "BE-4")),
        (a_rated_expense(5), "SOURCE_RECORD", "psa:EXP-5", ("billable_event", "BE-5")),
        (time_held_over_the_cap(6), "SOURCE_RECORD", "psa:TC-6", ("billable_event", "BE-6")),
        (an_engagement_amended(), "ENGAGEMENT", "ENG-1", ("engagement", "ENG-1")),
        (an_invoice_finalised(), "INVOICE", "JP01-INV-2026-000001", ("invoice", "INV-ID-1")),
        (a_credit_note_issued(), "INVOICE", "KW01-INV-2026-000007", ("invoice", "INV-ID-2")),
        (a_payment_applied(), "INVOICE", "GB01-INV-2026-000012", ("invoice", "INV-ID-3")),
        (a_dual_write_pilot_set(), "LEGAL_ENTITY", "DE01", ("erp_routes", "DE01")),
    ],
)
def test_each_event_is_keyed_by_the_business_object_a_user_knows_and_by_its_aggregate(
    event: events.Event, kind: str, value: str, aggregate: tuple[str, str]
) -> None:
    envelope = decode_envelope(event, Stamp(1))

    assert (
        envelope_pb2.BusinessKeyKind.Name(envelope.business_key.kind) == f"BUSINESS_KEY_KIND_{kind}"
    )
    assert envelope.business_key.value == value
    assert (envelope.aggregate_type, envelope.aggregate_id) == aggregate


def test_an_event_that_starts_its_own_process_is_correlated_with_itself():
    event = staged_time()

    assert decode_envelope(event, Stamp(1)).correlation_id == event.event_id


def test_the_headers_carry_the_envelope_so_consumers_need_not_decode_to_route_or_deduplicate():
    event = an_engagement_activated(5)

    encoded = encode(event, Stamp(2, correlation_id="req-9"))

    assert encoded.headers == {
        headers.MSG_ID: event.event_id,
        headers.EVENT_TYPE: "o2c.v1.EngagementActivated",
        headers.EVENT_SOURCE: default_source(),
        headers.BUSINESS_KEY: "opportunity:006-OPP-5",
        headers.CORRELATION_ID: "req-9",
        headers.AGGREGATE: "engagement:ENG-5",
        headers.AGGREGATE_SEQUENCE: "2",
        headers.OCCURRED_AT: "2026-11-27T09:30:15.123456Z",
    }


def test_a_business_key_with_a_line_break_cannot_forge_a_header_and_reads_back_unchanged():
    forged = attrs.evolve(a_parked_exception(), business_key="006-X\r\nNats-Msg-Id: other")

    encoded = encode(forged, Stamp(1))

    assert "\r" not in encoded.headers[headers.BUSINESS_KEY]
    assert "\n" not in encoded.headers[headers.BUSINESS_KEY]
    assert headers.header_value(dict(encoded.headers), headers.BUSINESS_KEY) == (
        "opportunity:006-X\r\nNats-Msg-Id: other"
    )


def field(number: int, text: str) -> bytes:
    """One string field on the wire, as the first event layout wrote it."""
    data = text.encode()
    return bytes([number << 3 | 2, len(data)]) + data


def test_an_event_published_before_the_envelope_still_decodes_with_an_empty_envelope() -> None:
    payload = field(1, "9d4b-event") + field(3, "EXC-1") + field(4, "closed_won_to_engagement")

    decoded = decode("o2c.v1.exception.parked", payload + field(5, "006-OPP-2"))

    assert decoded.exception_id == "EXC-1"
    assert decoded.business_key == "006-OPP-2"
    assert not decoded.HasField("envelope")


def test_money_travels_as_a_decimal_string_in_the_currencys_minor_units() -> None:
    decoded = decode(*_subject_and_payload(staged_time()))

    assert decoded.amount == common_pb2.Money(currency_code="USD", amount="1125.00")
    assert decoded.source_system == common_pb2.SOURCE_SYSTEM_PSA


def test_an_invoice_in_yen_or_dinars_travels_in_exactly_the_currencys_minor_digits() -> None:
    finalised = decode(*_subject_and_payload(an_invoice_finalised()))
    credited = decode(*_subject_and_payload(a_credit_note_issued()))

    assert finalised.total == common_pb2.Money(currency_code="JPY", amount="165000")
    assert credited.total == common_pb2.Money(currency_code="KWD", amount="120.500")
    assert credited.tax == common_pb2.Money(currency_code="KWD", amount="0.000")


def test_an_invoices_dates_travel_as_calendar_dates() -> None:
    decoded = decode(*_subject_and_payload(an_invoice_finalised()))

    assert decoded.issued_on == date_pb2.Date(year=2026, month=11, day=30)
    assert decoded.due_on == date_pb2.Date(year=2026, month=12, day=30)


def test_rated_work_names_its_kind_and_each_charges_kind_with_the_api_enums() -> None:
    decoded = decode(*_subject_and_payload(a_rated_expense()))

    assert decoded.kind == billing_pb2.BILLABLE_EVENT_KIND_EXPENSE
    assert decoded.source_system == common_pb2.SOURCE_SYSTEM_PSA
    assert [charge.kind for charge in decoded.charges] == [
        billing_pb2.CHARGE_KIND_RETAINER_DRAWDOWN,
        billing_pb2.CHARGE_KIND_RETAINER_OVERAGE,
    ]
    assert decoded.billed == common_pb2.Money(currency_code="GBP", amount="45.50")


@pytest.mark.parametrize(
    ("domain_enum", "api_enum", "prefix"),
    [
        (BillableEventKind, billing_pb2.BillableEventKind, "BILLABLE_EVENT_KIND"),
        (ChargeKind, billing_pb2.ChargeKind, "CHARGE_KIND"),
        (InvoiceStatus, invoicing_pb2.InvoiceStatus, "INVOICE_STATUS"),
        (Erp, erp_routing_pb2.Erp, "ERP"),
        (RouteMode, erp_routing_pb2.ErpRouteMode, "ERP_ROUTE_MODE"),
    ],
)
def test_every_kind_and_status_an_event_can_carry_has_its_own_api_enum_value(
    domain_enum: Any, api_enum: Any, prefix: str
) -> None:
    unnamed = [value for value in domain_enum if enum_number(api_enum, prefix, value) == 0]

    assert unnamed == []


def test_a_payment_says_what_the_invoice_is_left_owing_and_its_status() -> None:
    decoded = decode(*_subject_and_payload(a_payment_applied()))

    assert decoded.status == invoicing_pb2.INVOICE_STATUS_PARTIALLY_PAID
    assert decoded.balance == common_pb2.Money(currency_code="GBP", amount="200.00")


def test_a_parked_exception_names_its_workflow_reason_and_owner_with_the_api_enums() -> None:
    decoded = decode(*_subject_and_payload(a_parked_exception()))

    assert decoded.workflow == exceptions_pb2.WORKFLOW_CLOSED_WON_TO_ENGAGEMENT
    assert decoded.owner_role == exceptions_pb2.OWNER_ROLE_FINANCE
    assert decoded.reason_code == exceptions_pb2.REASON_CODE_LEGAL_ENTITY_NOT_MAPPED


def test_a_subject_prefix_can_be_chosen_for_a_separate_stream() -> None:
    encoded = encode(a_parked_exception(), Stamp(1), prefix="o2ctest.v1")

    assert encoded.subject == "o2ctest.v1.exception.parked"
    decoded = decode(encoded.subject, encoded.payload, prefix="o2ctest.v1")
    assert decoded.exception_id == "EXC-1"


def test_an_event_type_without_a_subject_is_refused_by_name() -> None:
    @attrs.frozen(kw_only=True)
    class InvoicePosted(events.Event):
        invoice_number: str

        @property
        def aggregate(self) -> events.AggregateRef:
            return events.AggregateRef("invoice", self.invoice_number)

        @property
        def key(self) -> events.BusinessKey:
            return events.BusinessKey(events.BusinessKeyKind.INVOICE, self.invoice_number)

    with pytest.raises(UnknownEvent, match="InvoicePosted"):
        encode(InvoicePosted(occurred_at=dt.datetime.now(dt.UTC), invoice_number="INV-1"), Stamp(1))


def test_a_subject_no_event_is_published_on_is_refused() -> None:
    with pytest.raises(UnknownEvent, match=r"o2c\.v1\.invoice\.posted"):
        decode("o2c.v1.invoice.posted", b"")


def decode_envelope(event: events.Event, stamp: Stamp) -> envelope_pb2.EventEnvelope:
    encoded = encode(event, stamp)
    return decode(encoded.subject, encoded.payload).envelope


def _subject_and_payload(event: events.Event) -> tuple[str, bytes]:
    encoded = encode(event, Stamp(1))
    return encoded.subject, encoded.payload


@pytest.mark.parametrize("prefix", ["", "o2c..v1", "o2c.*", "o2c.>", "o2c v1", "o2c.v1."])
def test_a_subject_prefix_nats_would_refuse_is_refused_at_start_up(prefix: str) -> None:
    with pytest.raises(ValueError, match="O2C_SUBJECT_PREFIX"):
        encoder_for(prefix)
    with pytest.raises(ValueError, match="O2C_SUBJECT_PREFIX"):
        stream_subjects(prefix)


def test_a_chosen_prefix_sets_both_the_subjects_encoded_and_the_stream_subjects() -> None:
    encoded = encoder_for("acme.o2c.v1")(staged_time(), Stamp(1))

    assert encoded.subject == "acme.o2c.v1.billing.billable_event_staged"
    assert stream_subjects("acme.o2c.v1") == ("acme.o2c.v1.>",)
