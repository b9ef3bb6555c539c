from __future__ import annotations

from .builders import a_parked_exception


def park_exceptions(uow_factory, count: int) -> list[str]:
    event_ids = []
    for _ in range(count):
        with uow_factory() as uow:
            case = a_parked_exception()
            event_ids.append(case.events[0].event_id)
            uow.exceptions.add(case)
            uow.commit()
    return event_ids


def test_pending_messages_come_oldest_first_up_to_the_limit(uow_factory, outbox_store):
    event_ids = park_exceptions(uow_factory, 5)

    pending = outbox_store.pending(limit=3)

    assert [message.event_id for message in pending] == event_ids[:3]
    assert pending[0].subject == "o2c.v1.test.ExceptionParked"
    assert isinstance(pending[0].payload, bytes)


def test_published_messages_are_no_longer_pending(uow_factory, outbox_store):
    event_ids = park_exceptions(uow_factory, 4)

    outbox_store.mark_published(event_ids[:2])

    assert [message.event_id for message in outbox_store.pending(limit=10)] == event_ids[2:]


def test_marking_nothing_as_published_changes_nothing(uow_factory, outbox_store):
    event_ids = park_exceptions(uow_factory, 2)

    outbox_store.mark_published([])

    assert [message.event_id for message in outbox_store.pending(limit=10)] == event_ids


def test_an_empty_outbox_has_nothing_pending(outbox_store):
    assert outbox_store.pending(limit=100) == []
