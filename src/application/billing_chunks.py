"""The finalising billing cycle over every engagement o2c bills, a chunk at a time.

A chunk is the unit of work: its engagements, their agreements and their staged work are
read set-based, billed in the domain, and committed together, so memory stays flat however
many engagements there are, and a chunk can be handed to any replica. A chunk that fails
leaves nothing behind; the work it held stays staged and the next run bills it. Work already
invoiced is no longer staged, and its billed-work record forbids a second invoice, so running
the cycle again bills each charge once. Each chunk holds its legal entities' sequences until
it commits: numbers stay gapless.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from attrs import frozen

from application.billing_access import agreement_for
from application.billing_cycle import bill_engagements, billed_here
from application.billing_ports import BillingPorts
from domain.engagement import EngagementStatus

CHUNK_SIZE = 200


@frozen
class ChunkOutcome:
    invoice_ids: tuple[str, ...]


@frozen
class CycleTally:
    chunks: int
    invoices: int


def bill_chunk(
    ports: BillingPorts, engagement_ids: Sequence[str], as_of: dt.date, cycle_id: str
) -> ChunkOutcome:
    """Finalises the invoices of these engagements' work staged by `as_of`, in one commit."""
    with ports.uow_factory() as uow:
        found = uow.billing_chunks.engagements(engagement_ids)
        active = [e for e in found if e.status is EngagementStatus.ACTIVE]
        ours = billed_here(active, ports)
        held = uow.billing_agreements.get_many([e.id for e in ours])
        agreements = {e.id: held.get(e.id) or agreement_for(uow, e) for e in ours}
        answer = bill_engagements(
            uow,
            active,
            agreements,
            as_of,
            ports,
            finalise=True,
            cycle_id=cycle_id,
            chunk=uow.billing_chunks,
        )
        uow.commit()
    invoice_ids = answer["invoice_ids"]
    assert isinstance(invoice_ids, list)
    return ChunkOutcome(tuple(str(i) for i in invoice_ids))


def engagement_chunks(ports: BillingPorts, size: int = CHUNK_SIZE) -> Iterator[list[str]]:
    """Every engagement with an agreement, `size` at a time, by id (keyset, not offset)."""
    after = ""
    while True:
        with ports.uow_factory() as uow:
            ids = uow.billing_agreements.engagement_ids_after(after, size)
        if not ids:
            return
        yield ids
        after = ids[-1]


def run_month_end(
    ports: BillingPorts, as_of: dt.date, cycle_id: str, chunk_size: int = CHUNK_SIZE
) -> CycleTally:
    chunks = invoices = 0
    for ids in engagement_chunks(ports, chunk_size):
        invoices += len(bill_chunk(ports, ids, as_of, cycle_id).invoice_ids)
        chunks += 1
    return CycleTally(chunks, invoices)
