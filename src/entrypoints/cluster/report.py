"""What must hold after the month-end, read from the database and from the stream itself."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import nats
from attrs import frozen
from nats.js.api import StreamInfo
from sqlalchemy import Engine, func, select

from adapters.messaging.headers import MSG_ID
from adapters.messaging.subscriber import read_messages
from adapters.persistence.tables import billable_events, erp_postings, invoices, outbox
from entrypoints.cluster.scenario import MonthEnd


@frozen
class Report:
    engagements: int
    invoices: int
    invoice_statuses: dict[str, int]
    invoices_posted: int
    chunks_redelivered: int
    engagements_without_invoice: list[str]
    engagements_invoiced_twice: list[str]
    approvals_sent: int
    events_staged: int
    outbox_rows: int
    outbox_pending: int
    stream_messages: int
    stream_replicas: int
    events_missing: int
    events_published_twice: int
    events_not_in_outbox: int
    killed: str
    killed_exit_code: int | None
    calls_failed_over: int

    @property
    def holds(self) -> bool:
        return (
            not self.engagements_without_invoice
            and not self.engagements_invoiced_twice
            and self.events_staged == self.approvals_sent
            and self.invoices_posted == self.invoices
            and self.outbox_pending == 0
            and self.events_missing == 0
            and self.events_published_twice == 0
            and self.events_not_in_outbox == 0
            and self.stream_messages == self.outbox_rows
        )

    def lines(self) -> list[str]:
        return [
            f"replica killed with SIGKILL: {self.killed} "
            f"({self.calls_failed_over} calls failed over)",
            f"engagements: {self.engagements}, invoices: {self.invoices}, without an invoice: "
            f"{len(self.engagements_without_invoice)}, invoiced twice: "
            f"{len(self.engagements_invoiced_twice)}",
            "invoices by status: "
            + ", ".join(f"{status} {n}" for status, n in sorted(self.invoice_statuses.items())),
            f"invoices posted to the (sandbox) ERP: {self.invoices_posted}",
            f"billing chunks redelivered after the kill: {self.chunks_redelivered}",
            f"approvals sent: {self.approvals_sent}, billable events staged: {self.events_staged}",
            f"outbox: {self.outbox_rows} events, {self.outbox_pending} still pending",
            f"stream (kept on {self.stream_replicas} nodes): {self.stream_messages} messages, "
            f"{self.events_missing} events missing, {self.events_published_twice} published twice, "
            f"{self.events_not_in_outbox} not from the outbox",
            "every invoice once, every event once, outbox drained: "
            + ("yes" if self.holds else "NO"),
        ]


def wait_until_settled(engine: Engine, engagement_ids: list[str], timeout: float) -> None:
    """Until the surviving replicas have billed every chunk (the killed one's redelivered),
    posted every invoice (resuming the sagas the killed one owned once their lease ran out) and
    published what it left in the outbox."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _posted(engine, engagement_ids) == len(engagement_ids) and not _pending(engine):
            return
        time.sleep(0.2)


def invoices_in(engine: Engine) -> int:
    """Every invoice of the run's own schema."""
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(invoices)).scalar_one())


def report(
    engine: Engine, nats_url: str, stream: str, month_end: MonthEnd, redelivered: int
) -> Report:
    first_node = nats_url.split(",")[0]
    per_engagement = _invoices_per_engagement(engine, month_end.engagement_ids)
    event_ids = _outbox_event_ids(engine)
    messages = asyncio.run(read_messages(first_node, stream, ">"))
    published = Counter((message.headers or {}).get(MSG_ID, "") for message in messages)
    info = asyncio.run(_stream_info(first_node, stream))
    return Report(
        engagements=len(month_end.engagement_ids),
        invoices=sum(per_engagement.values()),
        invoice_statuses=_statuses(engine, month_end.engagement_ids),
        invoices_posted=_posted(engine, month_end.engagement_ids),
        chunks_redelivered=redelivered,
        engagements_without_invoice=[e for e in month_end.engagement_ids if not per_engagement[e]],
        engagements_invoiced_twice=[e for e, n in per_engagement.items() if n > 1],
        approvals_sent=len(set(month_end.approved_sources)),
        events_staged=_staged(engine, month_end.engagement_ids),
        outbox_rows=len(event_ids),
        outbox_pending=_pending(engine),
        stream_messages=len(messages),
        stream_replicas=int(info.config.num_replicas or 1),
        events_missing=sum(1 for event_id in event_ids if not published[event_id]),
        events_published_twice=sum(1 for count in published.values() if count > 1),
        events_not_in_outbox=len(set(published) - set(event_ids)),
        killed=month_end.killed,
        killed_exit_code=month_end.killed_exit_code,
        calls_failed_over=month_end.calls_failed_over,
    )


def _invoices_per_engagement(engine: Engine, engagement_ids: list[str]) -> Counter[str]:
    query = (
        select(invoices.c.engagement_id, func.count())
        .where(invoices.c.engagement_id.in_(engagement_ids))
        .group_by(invoices.c.engagement_id)
    )
    with engine.connect() as connection:
        return Counter({str(row[0]): int(row[1]) for row in connection.execute(query)})


def _statuses(engine: Engine, engagement_ids: list[str]) -> dict[str, int]:
    query = (
        select(invoices.c.status, func.count())
        .where(invoices.c.engagement_id.in_(engagement_ids))
        .group_by(invoices.c.status)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return {str(getattr(status, "value", status)): int(count) for status, count in rows}


def _posted(engine: Engine, engagement_ids: list[str]) -> int:
    """Invoices of these engagements posted to an ERP."""
    query = (
        select(func.count(erp_postings.c.invoice_id.distinct()))
        .join(invoices, invoices.c.id == erp_postings.c.invoice_id)
        .where(invoices.c.engagement_id.in_(engagement_ids), erp_postings.c.kind == "invoice")
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def _staged(engine: Engine, engagement_ids: list[str]) -> int:
    query = (
        select(func.count())
        .select_from(billable_events)
        .where(billable_events.c.engagement_id.in_(engagement_ids))
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def _outbox_event_ids(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return [str(row[0]) for row in connection.execute(select(outbox.c.event_id))]


def _pending(engine: Engine) -> int:
    query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


async def _stream_info(url: str, stream: str) -> StreamInfo:
    client = await nats.connect(url, allow_reconnect=False, connect_timeout=2)
    try:
        return await client.jetstream(timeout=5).stream_info(stream)
    finally:
        await client.close()
