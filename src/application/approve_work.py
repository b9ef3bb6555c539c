"""ApproveBillableEvent(s): approved work from its system of record, rated by its work
package's terms and staged for invoicing, once per (source system, source id).

A repeat with the same details answers "already staged"; a repeat of work that a credit note
released is its re-approval, and the next billing cycle bills it again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from attrs import evolve, frozen

from application.approval_books import Books
from application.billing_ports import BillingPorts
from application.commands import ApproveWork
from application.fees import schedule_fees
from application.parsing import fields_under, parse_date, parse_money, parse_quantity, required
from application.pipeline import Pipeline
from application.ports import UnitOfWork
from domain.audit import Refusal
from domain.billable_event import BillableEvent, BillableEventStatus
from domain.billing.agreement import BillingAgreement
from domain.billing.rating import Rated
from domain.billing.terms import BillingTerms
from domain.billing.work import (
    ExpenseIncurred,
    MilestoneCompleted,
    TimeWorked,
    UsageRecorded,
    Work,
)
from domain.engagement import Engagement
from domain.errors import (
    DomainError,
    InvalidField,
    OwnershipViolation,
    SourceSystemMismatch,
    TooManyItems,
)
from domain.invoicing.billed_work import BilledWorkStatus
from domain.ownership import System
from domain.principal import Principal
from domain.requests import RequestKey
from domain.unit_price import UnitPrice

OPERATION = "ApproveBillableEvent"
MAX_BATCH = 1000
KINDS = {"time": "time_entry", "expense": "expense", "milestone": "milestone", "usage": "usage"}
OWNED_DATA = {
    "time": "time_approval",
    "expense": "expense_approval",
    "milestone": "milestone_completion",
    "usage": "usage_record",
}


@frozen
class Approval:
    event: BillableEvent
    already_staged: bool
    reapproved: bool


@frozen
class ItemOutcome:
    approval: Approval | None
    error: DomainError | None


def approve_many(cmds: Sequence[ApproveWork], ports: BillingPorts) -> list[ItemOutcome]:
    """Each item on its own: its own idempotency key, its own transaction, its own answer."""
    if len(cmds) > MAX_BATCH:
        raise TooManyItems(f"at most {MAX_BATCH} events per call, got {len(cmds)}", field="items")
    return [approve_item(cmd, ports) for cmd in cmds]


def approve_item(cmd: ApproveWork, ports: BillingPorts) -> ItemOutcome:
    try:
        return ItemOutcome(approve_work(cmd, ports), None)
    except DomainError as error:
        return ItemOutcome(None, error)


def approve_work(cmd: ApproveWork, ports: BillingPorts) -> Approval:
    with fields_under(cmd.field_prefix), keyed_by_source(cmd.source_id):
        kind, system, key = admit(cmd, ports)
        pipeline = Pipeline(ports.uow_factory, ports.clock)
        answer = pipeline.run(key, as_sent(cmd), lambda uow: approve(uow, cmd, kind, system, ports))
    with ports.uow_factory() as uow:
        event = uow.billable_events.get(str(answer["billable_event_id"]))
    assert event is not None
    return Approval(event, bool(answer["already_staged"]), bool(answer.get("reapproved")))


def admit(cmd: ApproveWork, ports: BillingPorts) -> tuple[str, System, RequestKey]:
    """What is checked before any transaction: the kind, the writer, the idempotency key."""
    kind = kind_of(cmd.kind)
    system = source_system(cmd.source_system)
    check_system_of_record(cmd, kind, system, cmd.caller, ports)
    return (
        kind,
        system,
        RequestKey(cmd.caller.subject, OPERATION, required(cmd.request_id, "request_id")),
    )


def as_sent(cmd: ApproveWork) -> ApproveWork:
    """A batch item and a single call are one request under one key."""
    return evolve(cmd, field_prefix="")


@contextmanager
def keyed_by_source(source_id: str) -> Iterator[None]:
    """Rating knows the work by o2c's own event id; the caller knows it by its source id."""
    try:
        yield
    except DomainError as error:
        if "source_id" in error.keys:
            error.keys["source_id"] = source_id
        raise


def approve(
    uow: UnitOfWork,
    cmd: ApproveWork,
    kind: str,
    system: System,
    ports: BillingPorts,
    books: Books | None = None,
) -> dict[str, object]:
    """`books`: what a batch looked up once for all its items; a single call looks up its own."""
    books = books or Books(uow)
    where = KINDS[kind] + "."
    source_id = required(cmd.source_id, where + "source_id")
    engagement_id = required(cmd.engagement_id, where + "engagement_id")
    engagement = books.engagement(engagement_id, cmd.caller, where + "engagement_id")
    agreement = books.agreement(engagement)
    code = package_code(cmd, engagement, agreement, where)
    prior = books.prior(system, source_id)
    if prior is not None:
        work = work_of(cmd, kind, prior.id, agreement.terms_of(code, where + "work_package_code"))
        prior.check_same_work(engagement.id, code, cmd.resource, work, where + "source_id")
        return again(uow, prior)
    event_id = ports.ids.new_id()
    terms = agreement.terms_of(code, where + "work_package_code")
    work = work_of(cmd, kind, event_id, terms)
    schedule_fees(uow, engagement, agreement, work.day, ports.ids, ports.clock, only=code)
    rated = rate(agreement, code, work, kind)
    event = BillableEvent.approve(
        event_id=event_id,
        source_system=system,
        source_id=source_id,
        engagement_id=engagement.id,
        work_package_code=code,
        resource=cmd.resource.strip(),
        work=work,
        rated=rated,
        currency=terms.currency,
        unit_price=unit_price(terms, work),
        now=ports.clock.now(),
    )
    books.stage(event)
    return {"billable_event_id": event.id, "already_staged": False, "reapproved": False}


QUANTITY_FIELDS = {
    "time": "time_entry.hours",
    "expense": "expense.cost.amount",
    "milestone": "milestone.milestone_code",
    "usage": "usage.quantity",
}


def rate(agreement: BillingAgreement, code: str, work: Work, kind: str) -> Rated:
    """An amount too large for the currency is the quantity's fault: it names that field."""
    try:
        return agreement.rate(code, work, KINDS[kind] + ".work_package_code")
    except InvalidField as error:
        if not error.field:
            error.field = QUANTITY_FIELDS[kind]
            error.message = f"the amount comes to more than an amount may hold: {error.message}"
        raise


def again(uow: UnitOfWork, prior: BillableEvent) -> dict[str, object]:
    """The same work approved again: nothing new, unless a credit note released it."""
    released = [
        record
        for record in uow.billed_work.of_sources([prior.id])
        if record.status is BilledWorkStatus.RELEASED
    ]
    if prior.status is BillableEventStatus.INVOICED and released:
        for record in released:
            record.reapprove()
        prior.stage_again()
        return {"billable_event_id": prior.id, "already_staged": False, "reapproved": True}
    return {"billable_event_id": prior.id, "already_staged": True, "reapproved": False}


def package_code(
    cmd: ApproveWork, engagement: Engagement, agreement: BillingAgreement, where: str
) -> str:
    """The work package named, or the engagement's first one: a caller of the first version
    of the API sent time without naming a work package."""
    code = cmd.work_package_code.strip() or engagement.work_packages[0].code
    agreement.terms_of(code, where + "work_package_code")
    return code


def work_of(cmd: ApproveWork, kind: str, event_id: str, terms: BillingTerms) -> Work:
    where = KINDS[kind] + "."
    if kind == "time":
        required(cmd.resource, where + "resource")
        return TimeWorked(
            source_id=event_id,
            role=required(cmd.role, where + "role"),
            work_date=parse_date(cmd.day, where + "work_date"),
            hours=parse_quantity(cmd.hours, where + "hours"),
        )
    if kind == "expense":
        return ExpenseIncurred(
            source_id=event_id,
            category=required(cmd.category, where + "category"),
            incurred_on=parse_date(cmd.day, where + "incurred_on"),
            cost=parse_money(cmd.cost_amount, cmd.cost_currency, where + "cost"),
        )
    if kind == "milestone":
        return MilestoneCompleted(
            source_id=event_id,
            milestone_code=required(cmd.milestone_code, where + "milestone_code"),
            completed_on=parse_date(cmd.day, where + "completed_on"),
        )
    return UsageRecorded(
        source_id=event_id,
        used_on=parse_date(cmd.day, where + "used_on"),
        quantity=parse_quantity(cmd.quantity, where + "quantity"),
    )


def unit_price(terms: BillingTerms, work: Work) -> UnitPrice | None:
    if not isinstance(work, TimeWorked) or terms.rate_card is None:
        return None
    if not terms.rate_card.covers(work.role, terms.currency):
        return None
    return terms.rate_card.rate_for(work.role, terms.currency, work.work_date)


def check_system_of_record(
    cmd: ApproveWork, kind: str, system: System, caller: Principal, ports: BillingPorts
) -> None:
    """The writer is the system the caller was proven to be; the payload may only agree."""
    try:
        if caller.system.system_of_record is not system:
            raise SourceSystemMismatch(
                f"source_system {system.value} is not the calling system {caller.system.value}",
                field="source_system",
                keys={"source_system": system.value, "calling_system": caller.system.value},
            )
        ports.ownership.check_write(OWNED_DATA[kind], system)
    except OwnershipViolation as refusal:
        audit(refusal, f"{system.value}:{cmd.source_id}", caller, ports)
        raise


def audit(refusal: OwnershipViolation, key: str, caller: Principal, ports: BillingPorts) -> None:
    with ports.uow_factory() as uow:
        uow.audit.add(
            Refusal(
                id=ports.ids.new_id(),
                recorded_at=ports.clock.now(),
                writer=caller.system.value,
                operation=OPERATION,
                business_key=key,
                reason_code=refusal.reason,
                detail=refusal.message,
            )
        )
        uow.commit()


def kind_of(value: str) -> str:
    if value not in KINDS:
        raise InvalidField(
            "the event is a time entry, an expense, a milestone completion or a usage record",
            field="event",
        )
    return value


def source_system(value: str) -> System:
    try:
        return System(value)
    except ValueError:
        raise InvalidField(
            "source_system must name a known system", field="source_system"
        ) from None
