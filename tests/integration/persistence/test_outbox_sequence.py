"""Each aggregate's events are numbered 1, 2, 3… in commit order, in the row and the envelope."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from adapters.messaging.event_codec import decode, encoder_for
from adapters.messaging.headers import AGGREGATE_SEQUENCE
from adapters.persistence import outbox_writer
from adapters.persistence.tables import outbox
from adapters.persistence.uow import SqlAlchemyUnitOfWork
from domain.engagement import Engagement
from domain.errors import ConcurrentUpdate
from domain.events import EngagementActivated

from .builders import NOW, a_parked_exception, an_engagement


def milestone_reached(engagement: Engagement, number: int) -> EngagementActivated:
    """An event of the engagement's own history, told apart by its customer number."""
    return EngagementActivated(
        occurred_at=NOW,
        engagement_id=engagement.id,
        opportunity_id=engagement.opportunity_id,
        erp_legal_entity="GLOBEX UK LTD",
        erp_customer_number=f"C-{number}",
        psa_project_ids=(),
    )


def an_engagement_on_file(uow_factory) -> Engagement:
    engagement = an_engagement()
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()
    return engagement


def record(uow_factory, engagement: Engagement, *numbers: int) -> None:
    with uow_factory() as uow:
        loaded = uow.engagements.get(engagement.id)
        loaded.events.extend(milestone_reached(engagement, number) for number in numbers)
        uow.commit()


def sequences(engine) -> list[tuple[str, str, int]]:
    query = select(
        outbox.c.aggregate_type, outbox.c.aggregate_id, outbox.c.aggregate_sequence
    ).order_by(outbox.c.seq)
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def test_an_aggregates_events_are_numbered_one_two_three_across_commits(engine, uow_factory):
    engagement = an_engagement_on_file(uow_factory)

    record(uow_factory, engagement, 1, 2)
    record(uow_factory, engagement, 3)

    assert sequences(engine) == [("engagement", engagement.id, n) for n in (1, 2, 3)]


def test_each_aggregate_counts_its_own_events(engine, uow_factory):
    first, second = an_engagement_on_file(uow_factory), an_engagement_on_file(uow_factory)
    case = a_parked_exception()

    record(uow_factory, first, 1)
    with uow_factory() as uow:
        uow.exceptions.add(case)
        uow.engagements.get(second.id).events.append(milestone_reached(second, 1))
        uow.engagements.get(first.id).events.append(milestone_reached(first, 2))
        uow.commit()

    assert sorted(sequences(engine)) == sorted(
        [
            ("engagement", first.id, 1),
            ("engagement", first.id, 2),
            ("engagement", second.id, 1),
            ("exception", case.id, 1),
        ]
    )


def test_a_writer_that_numbered_from_a_stale_last_sequence_loses_instead_of_duplicating(
    engine, uow_factory, monkeypatch: pytest.MonkeyPatch
):
    engagement = an_engagement_on_file(uow_factory)
    record(uow_factory, engagement, 1)
    monkeypatch.setattr(outbox_writer, "last_sequences", lambda _session, _aggregates: {})

    with pytest.raises(ConcurrentUpdate):
        record(uow_factory, engagement, 2)

    assert sequences(engine) == [("engagement", engagement.id, 1)]


def test_the_envelope_and_the_headers_carry_the_number_the_outbox_row_has(engine, sessions):
    def uow_factory() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(sessions, encoder_for("o2c.v1"))

    engagement = an_engagement_on_file(uow_factory)
    record(uow_factory, engagement, 1, 2)

    query = select(outbox.c.subject, outbox.c.payload, outbox.c.headers).order_by(outbox.c.seq)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    envelopes = [decode(row.subject, bytes(row.payload)).envelope for row in rows]
    assert [e.aggregate_sequence for e in envelopes] == [1, 2]
    assert [e.aggregate_id for e in envelopes] == [engagement.id] * 2
    assert [row.headers[AGGREGATE_SEQUENCE] for row in rows] == ["1", "2"]
