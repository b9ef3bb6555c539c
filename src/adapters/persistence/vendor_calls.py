"""The vendor call log in SQL: batches written in a transaction of their own."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, insert

from adapters.persistence.tables import vendor_calls
from adapters.vendors.call_log import VendorCall

COLUMNS = vendor_calls.c


class VendorCallWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self, calls: Sequence[VendorCall]) -> None:
        with self.engine.begin() as connection:
            connection.execute(insert(vendor_calls), [row_of(call) for call in calls])


def row_of(call: VendorCall) -> dict[str, object]:
    return {
        "called_at": call.called_at,
        "system": cut(call.system, "system"),
        "operation": cut(call.operation, "operation"),
        "status": cut(call.status, "status"),
        "latency_ms": call.latency_ms,
        "attempt": call.attempt,
        "correlation_id": cut(call.correlation_id, "correlation_id"),
        "business_key": cut(call.business_key, "business_key"),
    }


def cut(text: str, column: str) -> str:
    return text[: getattr(COLUMNS[column].type, "length", None)]
