"""The event envelope as NATS headers, so consumers route, order and deduplicate undecoded."""

from __future__ import annotations

from urllib.parse import quote, unquote

from o2c.v1 import envelope_pb2

MSG_ID = "Nats-Msg-Id"
EVENT_TYPE = "O2c-Event-Type"
EVENT_SOURCE = "O2c-Event-Source"
BUSINESS_KEY = "O2c-Business-Key"
CORRELATION_ID = "O2c-Correlation-Id"
AGGREGATE = "O2c-Aggregate"
AGGREGATE_SEQUENCE = "O2c-Aggregate-Sequence"
OCCURRED_AT = "O2c-Occurred-At"

_SAFE = ":/@-._~+"


def envelope_headers(envelope: envelope_pb2.EventEnvelope) -> dict[str, str]:
    """Values that came from callers are percent-encoded: a header holds no line break."""
    return {
        MSG_ID: envelope.event_id,
        EVENT_TYPE: envelope.event_type,
        EVENT_SOURCE: quote(envelope.source, safe=_SAFE),
        BUSINESS_KEY: quote(business_key_text(envelope.business_key), safe=_SAFE),
        CORRELATION_ID: quote(envelope.correlation_id, safe=_SAFE),
        AGGREGATE: quote(f"{envelope.aggregate_type}:{envelope.aggregate_id}", safe=_SAFE),
        AGGREGATE_SEQUENCE: str(envelope.aggregate_sequence),
        OCCURRED_AT: envelope.occurred_at.ToJsonString(),
    }


def business_key_text(key: envelope_pb2.BusinessKey) -> str:
    """ "opportunity:006-ACME-1": the kind's short name, then the value."""
    kind = envelope_pb2.BusinessKeyKind.Name(key.kind).removeprefix("BUSINESS_KEY_KIND_")
    return f"{kind.lower()}:{key.value}"


def header_value(headers: dict[str, str] | None, name: str) -> str:
    return unquote((headers or {}).get(name, ""))
