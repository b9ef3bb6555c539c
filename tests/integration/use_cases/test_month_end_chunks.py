"""The month-end cycle a chunk at a time, small (`make month-end` runs it at a million events):
every staged event on exactly one invoice, totals the sum of their lines, numbers gapless."""

from __future__ import annotations

import datetime as dt
import functools

import pytest
from attrs import evolve
from sqlalchemy import Engine, func, select, update

from adapters.persistence.billing_chunks import SqlBillingChunks
from adapters.persistence.tables import billable_events, invoices
from adapters.persistence.uow import SqlAlchemyUnitOfWork
from application.billing_chunks import run_month_end
from domain.billable_event import BillableEvent
from domain.errors import ConcurrentUpdate
from entrypoints.month_end import billing_ports, broken_invariants, seed

EVENTS, ENGAGEMENTS, CHUNK = 2_000, 50, 7
TODAY = dt.datetime.now(dt.UTC).date()


class ChunkLost(Exception):
    pass


class CommitFailingOnce(SqlAlchemyUnitOfWork):
    """Writes its chunk, then dies before the commit: the third chunk, once."""

    commits = 0

    def commit(self) -> None:
        CommitFailingOnce.commits += 1
        if CommitFailingOnce.commits == 3:
            self.session.flush()
            raise ChunkLost("the replica died before the commit")
        super().commit()


def test_the_chunked_cycle_bills_every_staged_event_on_exactly_one_invoice(
    engine: Engine,
) -> None:
    seed(engine, EVENTS, ENGAGEMENTS, TODAY)

    tally = run_month_end(billing_ports(engine), TODAY, "cycle-1", CHUNK)

    assert (tally.chunks, tally.invoices) == (8, ENGAGEMENTS)
    assert broken_invariants(engine, EVENTS) == []
    assert run_month_end(billing_ports(engine), TODAY, "cycle-1", CHUNK).invoices == 0


def test_a_chunk_that_fails_half_way_is_billed_once_when_the_cycle_runs_again(
    engine: Engine,
) -> None:
    seed(engine, EVENTS, ENGAGEMENTS, TODAY)
    ports = billing_ports(engine)
    failing = evolve(ports, uow_factory=functools.partial(CommitFailingOnce, *uow_args(ports)))
    CommitFailingOnce.commits = 0

    with pytest.raises(ChunkLost):
        run_month_end(failing, TODAY, "cycle-1", CHUNK)
    again = run_month_end(ports, TODAY, "cycle-1", CHUNK)

    assert again.invoices == ENGAGEMENTS - 2 * CHUNK  # the two chunks committed before
    assert broken_invariants(engine, EVENTS) == []


def test_a_chunk_whose_work_changed_after_it_was_read_is_refused_and_leaves_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(engine, EVENTS, ENGAGEMENTS, TODAY)
    read = SqlBillingChunks.staged

    def read_then_changed(
        chunks: SqlBillingChunks, engagement_ids: list[str], through: dt.date
    ) -> list[BillableEvent]:
        events = read(chunks, engagement_ids, through)
        table = billable_events
        changed = update(table).where(table.c.id == events[0].id)
        chunks.session.execute(changed.values(version=table.c.version + 1))
        return events

    monkeypatch.setattr(SqlBillingChunks, "staged", read_then_changed)
    with pytest.raises(ConcurrentUpdate):
        run_month_end(billing_ports(engine), TODAY, "cycle-1", CHUNK)
    monkeypatch.undo()

    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(invoices)).scalar() == 0
    assert run_month_end(billing_ports(engine), TODAY, "cycle-1", CHUNK).invoices == ENGAGEMENTS
    assert broken_invariants(engine, EVENTS) == []


def uow_args(ports: object) -> tuple[object, ...]:
    factory = ports.uow_factory  # type: ignore[attr-defined]
    return factory.args
