"""ApproveBillableEvents and the import stream in bulk: every item rated by the rules a single
approval uses, in the items' order, and written in a few statements per batch.

Each item keeps its own idempotency key and its own answer. The batch claims all its keys in
one statement, looks up every source staged before in one query, holds each engagement's
agreement once (in engagement order, so two batches take turns instead of deadlocking), and
commits its staged events, their outbox rows and their answers together. An item refused on
the way gives its claim back, so a retry of it runs anew; a second item under a key already
in the batch waits for the next round, where it gets the first one's answer as a retry would.
A lost race (ConcurrentUpdate) runs the batch again from its claims.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from attrs import frozen

from application.approval_books import Books
from application.approve_work import (
    MAX_BATCH,
    Approval,
    ItemOutcome,
    admit,
    approve,
    as_sent,
    keyed_by_source,
)
from application.billing_ports import BillingPorts
from application.commands import ApproveWork
from application.idempotency import check_request_id, fingerprint, replay
from application.parsing import fields_under
from application.pipeline import ATTEMPTS, Answer
from application.ports import RequestRecord, UnitOfWork
from domain.billable_event import BillableEvent
from domain.errors import ConcurrentUpdate, DomainError, TooManyItems
from domain.ownership import System
from domain.requests import RequestKey


@frozen
class Item:
    index: int
    cmd: ApproveWork
    kind: str
    system: System
    key: RequestKey
    print_: str


def approve_in_bulk(cmds: Sequence[ApproveWork], ports: BillingPorts) -> list[ItemOutcome]:
    if len(cmds) > MAX_BATCH:
        raise TooManyItems(f"at most {MAX_BATCH} events per call, got {len(cmds)}", field="items")
    outcomes: dict[int, ItemOutcome] = {}
    items: list[Item] = []
    for index, cmd in enumerate(cmds):
        try:
            items.append(admitted(index, cmd, ports))
        except DomainError as error:
            outcomes[index] = ItemOutcome(None, error)
    for round_ in rounds(items):
        outcomes.update(settle(round_, ports))
    return [outcomes[index] for index in range(len(cmds))]


def admitted(index: int, cmd: ApproveWork, ports: BillingPorts) -> Item:
    with fields_under(cmd.field_prefix), keyed_by_source(cmd.source_id):
        kind, system, key = admit(cmd, ports)
        check_request_id(key.request_id)
        return Item(index, cmd, kind, system, key, fingerprint(as_sent(cmd)))


def rounds(items: Sequence[Item]) -> Iterator[list[Item]]:
    """Each key once per round: a key repeated in a batch is answered as its retry."""
    waiting = list(items)
    while waiting:
        seen: set[RequestKey] = set()
        round_: list[Item] = []
        later: list[Item] = []
        for item in waiting:
            (later if item.key in seen else round_).append(item)
            seen.add(item.key)
        yield round_
        waiting = later


def settle(items: list[Item], ports: BillingPorts) -> dict[int, ItemOutcome]:
    lost = ConcurrentUpdate("another request changed the same data at the same time")
    for _ in range(ATTEMPTS):
        try:
            return settle_once(items, ports)
        except ConcurrentUpdate as error:
            lost = error
    return {item.index: ItemOutcome(None, lost) for item in items}


def settle_once(items: list[Item], ports: BillingPorts) -> dict[int, ItemOutcome]:
    with ports.uow_factory() as uow:
        claims = [(item.key, item.print_) for item in items]
        before = uow.requests.claim_all(claims, ports.clock.now())
        fresh = [item for item in items if item.key not in before]
        books = Books(uow, uow.billable_events.of_sources([source(item) for item in fresh]))
        hold_agreements(books, fresh)
        answers = {item.index: staged_one(uow, item, books, ports) for item in fresh}
        uow.requests.release([i.key for i in fresh if isinstance(answers[i.index], DomainError)])
        uow.requests.complete_all(
            {i.key: a for i in fresh if not isinstance(a := answers[i.index], DomainError)}
        )
        answers |= {i.index: replayed(before[i.key], i) for i in items if i.key in before}
        known = books.known_events()
        events = known | events_of(uow, answers.values(), known)
        uow.commit()
    return {index: outcome(answer, events) for index, answer in answers.items()}


def source(item: Item) -> tuple[System, str]:
    return (item.system, item.cmd.source_id.strip())


def hold_agreements(books: Books, items: Iterable[Item]) -> None:
    """Every engagement of the batch, held in id order; a refused one is refused per item."""
    by_id = {item.cmd.engagement_id: item.cmd.caller for item in items}
    for engagement_id in sorted(by_id):
        try:
            books.agreement(books.engagement(engagement_id, by_id[engagement_id], ""))
        except DomainError:
            continue


def staged_one(
    uow: UnitOfWork, item: Item, books: Books, ports: BillingPorts
) -> Answer | DomainError:
    try:
        with fields_under(item.cmd.field_prefix), keyed_by_source(item.cmd.source_id):
            return approve(uow, item.cmd, item.kind, item.system, ports, books)
    except ConcurrentUpdate:
        raise
    except DomainError as error:
        return error


def replayed(record: RequestRecord, item: Item) -> Answer | DomainError:
    try:
        with fields_under(item.cmd.field_prefix):
            return replay(record, item.print_)
    except DomainError as error:
        return error


def events_of(
    uow: UnitOfWork, answers: Iterable[Answer | DomainError], known: Mapping[str, BillableEvent]
) -> dict[str, BillableEvent]:
    """The events the answers name that the batch has not in hand (its replays')."""
    ids = {str(a["billable_event_id"]) for a in answers if not isinstance(a, DomainError)}
    ids -= known.keys()
    if not ids:
        return {}
    return {event.id: event for event in uow.billable_events.of_ids(ids)}


def outcome(answer: Answer | DomainError, events: dict[str, BillableEvent]) -> ItemOutcome:
    if isinstance(answer, DomainError):
        return ItemOutcome(None, answer)
    approval = Approval(
        events[str(answer["billable_event_id"])],
        bool(answer["already_staged"]),
        bool(answer.get("reapproved")),
    )
    return ItemOutcome(approval, None)
