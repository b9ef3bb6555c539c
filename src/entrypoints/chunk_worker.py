"""A replica's share of the billing cycle: the chunks it takes from the work-queue stream."""

from __future__ import annotations

from collections.abc import Callable

from adapters.messaging.chunk_queue import BillingChunk
from application.billing_chunks import bill_chunk
from application.billing_ports import BillingPorts


def chunk_biller(billing: BillingPorts) -> Callable[[BillingChunk], object]:
    def bill(chunk: BillingChunk) -> object:
        return bill_chunk(billing, chunk.engagement_ids, chunk.as_of, chunk.cycle_id)

    return bill
