"""In-memory fakes of the ports: no network, no disk, transaction-like staging."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import threading
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import attrs
from support.platform_invoices import FakePlatformInvoices

from application.call_records import CallRecordFilter, Cursor
from application.errors import VendorRejected, VendorUnavailable
from application.exception_listing import ExceptionCursor, ExceptionFilter
from application.ports import (
    CustomerRequest,
    EngagementLink,
    InvoiceFilter,
    LegalEntity,
    ProjectRequest,
    RequestRecord,
    RouteChange,
)
from domain.audit import Refusal
from domain.billable_event import BillableEvent, BillableEventStatus
from domain.billing.agreement import BillingAgreement
from domain.call_record import CallRecord
from domain.engagement import Engagement
from domain.erp_posting import ErpPosting
from domain.erp_routing import RouteBook
from domain.errors import ConcurrentUpdate
from domain.events import Event
from domain.exception_case import UNRESOLVED, ExceptionCase
from domain.intercompany import IntercompanyCharge
from domain.invoicing.billed_work import BilledWork
from domain.invoicing.invoice import Invoice, InvoiceStatus
from domain.invoicing.lines import ChargeKey
from domain.invoicing.numbering import DocumentSequence, Series
from domain.money import Money
from domain.ownership import System
from domain.requests import RequestKey
from domain.saga import UNFINISHED, Saga, SagaStep


@attrs.define
class Store:
    engagements: dict[str, Engagement] = attrs.field(factory=dict)
    billable_events: dict[str, BillableEvent] = attrs.field(factory=dict)
    exceptions: dict[str, ExceptionCase] = attrs.field(factory=dict)
    saga_steps: list[SagaStep] = attrs.field(factory=list)
    sagas: dict[str, Saga] = attrs.field(factory=dict)
    requests: dict[RequestKey, RequestRecord] = attrs.field(factory=dict)
    published: list[Event] = attrs.field(factory=list)
    refusals: list[Refusal] = attrs.field(factory=list)
    call_records: list[CallRecord] = attrs.field(factory=list)
    billing_agreements: dict[str, BillingAgreement] = attrs.field(factory=dict)
    invoices: dict[str, Invoice] = attrs.field(factory=dict)
    billed_work: dict[ChargeKey, BilledWork] = attrs.field(factory=dict)
    sequences: dict[tuple[str, Series], DocumentSequence] = attrs.field(factory=dict)
    erp_routes: dict[str, RouteBook] = attrs.field(factory=dict)
    route_changes: list[RouteChange] = attrs.field(factory=list)
    erp_postings: dict[tuple[str, str], ErpPosting] = attrs.field(factory=dict)
    intercompany_charges: dict[str, IntercompanyCharge] = attrs.field(factory=dict)
    platform_accounts: dict[tuple[str, str], Any] = attrs.field(factory=dict)
    platform_invoices: dict[tuple[str, str], Any] = attrs.field(factory=dict)


def clone(item: Any) -> Any:
    """A detached copy, built through the constructor so it also works on ORM-mapped classes."""
    changes: dict[str, Any] = {"events": []}
    if isinstance(item, Engagement):
        changes["work_packages"] = [attrs.evolve(wp) for wp in item.work_packages]
        changes["erp_customer_accounts"] = [attrs.evolve(a) for a in item.erp_customer_accounts]
    if isinstance(item, ExceptionCase):
        changes["payload"] = copy.deepcopy(item.payload)
        changes["attempt_log"] = [attrs.evolve(a) for a in item.attempt_log]
    if isinstance(item, Saga):
        changes["context"] = copy.deepcopy(item.context)
    return attrs.evolve(item, **changes)


def state(item: Any) -> dict[str, Any]:
    """A deep snapshot. Once the ORM maps the classes, attrs.asdict() reads an engagement's
    instrumented work-package list as empty, so lists are walked here."""
    values = attrs.asdict(
        item, recurse=False, filter=lambda f, _: f.name not in ("events", "version")
    )
    return {name: snapshot(value) for name, value in values.items()}


def snapshot(value: Any) -> Any:
    if isinstance(value, list):
        return [snapshot(element) for element in value]
    if attrs.has(type(value)):
        return attrs.asdict(value)
    return copy.deepcopy(value)


class _Repo:
    def __init__(self, table: dict[str, Any]) -> None:
        self.table = table
        self.pending: dict[str, Any] = {}
        self.seen: list[Any] = []
        self.as_loaded: dict[str, dict[str, Any]] = {}

    def add(self, item: Any) -> None:
        self.pending[item.id] = item
        self.seen.append(item)

    def get(self, item_id: str) -> Any:
        if item_id in self.pending:
            return self.pending[item_id]
        if item_id not in self.table:
            return None
        return self.add_copy(self.table[item_id])

    def find(self, predicate: Any) -> Any:
        for item in [*self.pending.values(), *self.table.values()]:
            if predicate(item):
                return self.get(item.id)
        return None

    def add_copy(self, item: Any) -> Any:
        loaded = clone(item)
        self.as_loaded[loaded.id] = state(loaded)
        self.pending[loaded.id] = loaded
        self.seen.append(loaded)
        return loaded

    def natural_key(self, item: Any) -> object:
        return None

    def commit(self) -> None:
        self.check()
        self.write()

    def changed(self) -> dict[str, Any]:
        """Like a database session, a unit of work writes only what it changed."""
        staged = self.pending.items()
        return {i: item for i, item in staged if self.as_loaded.get(i) != state(item)}

    def moves_version(self, item_id: str, item: Any) -> bool:
        return True

    def check(self) -> None:
        for item_id, item in self.changed().items():
            stored = self.table.get(item_id)
            moved = stored is not None and stored.version != item.version
            if moved and self.moves_version(item_id, item):
                raise ConcurrentUpdate(f"{item_id} changed meanwhile")
        owners = {self.natural_key(item): item.id for item in self.table.values()}
        for item in self.changed().values():
            owner = owners.setdefault(self.natural_key(item), item.id)
            if owner != item.id and self.natural_key(item) is not None:
                raise ConcurrentUpdate(f"{item.id} has the natural key of {owner}")

    def write(self) -> None:
        for item_id, item in self.changed().items():
            if item_id in self.table and self.moves_version(item_id, item):
                item.version += 1
            self.table[item_id] = self.stored_as(item_id, item)
            self.as_loaded[item_id] = state(item)

    def stored_as(self, item_id: str, item: Any) -> Any:
        return clone(item)


class FakeEngagements(_Repo):
    """As in the database, an engagement's ERP customer accounts are written on their own: they
    move no version, and another change of the engagement leaves them as they are."""

    def natural_key(self, item: Any) -> object:
        return item.opportunity_id

    def moves_version(self, item_id: str, item: Any) -> bool:
        return without_accounts(self.as_loaded.get(item_id)) != without_accounts(state(item))

    def stored_as(self, item_id: str, item: Any) -> Any:
        stored, loaded = self.table.get(item_id), self.as_loaded.get(item_id)
        if stored is None or loaded is None:
            return clone(item)
        accounts_changed = loaded["erp_customer_accounts"] != state(item)["erp_customer_accounts"]
        base = clone(item if self.moves_version(item_id, item) else stored)
        accounts = clone(item if accounts_changed else stored).erp_customer_accounts
        return attrs.evolve(base, erp_customer_accounts=accounts)

    def get_by_opportunity(self, opportunity_id: str) -> Engagement | None:
        found: Engagement | None = self.find(lambda e: e.opportunity_id == opportunity_id)
        return found

    def get_by_psa_project(self, project_id: str) -> Engagement | None:
        found: Engagement | None = self.find(
            lambda e: any(wp.psa_project_id == project_id for wp in e.work_packages)
        )
        return found


def without_accounts(loaded: dict[str, Any] | None) -> dict[str, Any] | None:
    if loaded is None:
        return None
    return {name: value for name, value in loaded.items() if name != "erp_customer_accounts"}


class FakeBillableEvents(_Repo):
    def get_by_source(self, system: System, source_id: str) -> BillableEvent | None:
        found: BillableEvent | None = self.find(
            lambda e: (e.source_system, e.source_id) == (system, source_id)
        )
        return found

    def of_sources(self, sources: Collection[tuple[System, str]]) -> list[BillableEvent]:
        found = (self.get_by_source(system, source_id) for system, source_id in set(sources))
        return [event for event in found if event is not None]

    def staged(self, engagement_ids: Collection[str], through: dt.date) -> list[BillableEvent]:
        known = {**self.table, **self.pending}.values()
        ids = [e.id for e in known if e.engagement_id in engagement_ids]
        events = [self.get(i) for i in ids]
        waiting = [
            e for e in events if e.status is BillableEventStatus.STAGED and e.work_date <= through
        ]
        return sorted(waiting, key=lambda e: (e.work_date, e.id))

    def of_ids(self, event_ids: Collection[str]) -> list[BillableEvent]:
        found = (self.get(i) for i in sorted(set(event_ids)))
        return [event for event in found if event is not None]

    def of_engagement(self, engagement_id: str) -> list[BillableEvent]:
        known = {**self.table, **self.pending}.values()
        events = [self.get(e.id) for e in known if e.engagement_id == engagement_id]
        return sorted(events, key=lambda e: (e.work_date, e.id))

    def staged_total(self, engagement_id: str, currency: str) -> Money:
        events = {**self.table, **self.pending}.values()
        amounts = [
            event.amount
            for event in events
            if event.engagement_id == engagement_id
            and event.status is BillableEventStatus.STAGED
            and event.amount.currency == currency
        ]
        return sum(amounts, Money.of(0, currency))

    def natural_key(self, item: Any) -> object:
        return (item.source_system, item.source_id)


class FakeExceptions(_Repo):
    def open_cases(self, business_key: str) -> list[ExceptionCase]:
        known = [*self.pending.values(), *self.table.values()]
        ids = dict.fromkeys(c.id for c in known if c.business_key == business_key)
        cases = [self.get(i) for i in ids]
        return sorted(
            (c for c in cases if c.status in UNRESOLVED), key=lambda c: (c.created_at, c.id)
        )

    def page(
        self, where: ExceptionFilter, after: ExceptionCursor | None, limit: int
    ) -> list[ExceptionCase]:
        known = dict.fromkeys([*self.pending, *self.table])
        cases = sorted((self.get(i) for i in known), key=lambda c: (c.created_at, c.id))
        start = (after.created_at, after.exception_id) if after else None
        return [
            c
            for c in cases
            if case_matches(c, where) and (start is None or (c.created_at, c.id) > start)
        ][:limit]


def case_matches(case: ExceptionCase, where: ExceptionFilter) -> bool:
    wanted = {
        "owner_role": where.owner_role,
        "workflow": where.workflow,
        "business_key": where.business_key or None,
        "status": where.status,
    }
    return (
        all(value is None or getattr(case, name) == value for name, value in wanted.items())
        and (where.created_after is None or case.created_at >= where.created_after)
        and (where.created_before is None or case.created_at < where.created_before)
    )


class FakeSagaLog:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.staged: list[SagaStep] = []

    def add(self, step: SagaStep) -> None:
        self.staged.append(step)

    def steps(self, saga_id: str) -> list[SagaStep]:
        return [s for s in [*self.store.saga_steps, *self.staged] if s.saga_id == saga_id]


class FakeAuditTrail:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.staged: list[Refusal] = []

    def add(self, refusal: Refusal) -> None:
        self.staged.append(refusal)

    def refusals(self, business_key: str) -> list[Refusal]:
        return [r for r in self.store.refusals if r.business_key == business_key]


class FakeCallRecords:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.staged: list[CallRecord] = []

    def add(self, record: CallRecord) -> None:
        self.staged.append(record)

    def newest_first(
        self, matching: CallRecordFilter, after: Cursor | None, limit: int
    ) -> list[CallRecord]:
        found = [r for r in self.store.call_records if matches(r, matching, after)]
        return sorted(found, key=lambda r: (r.recorded_at, r.id), reverse=True)[:limit]


def matches(record: CallRecord, matching: CallRecordFilter, after: Cursor | None) -> bool:
    subject = record.caller.subject if record.caller else ""
    wanted = (
        (matching.subject, subject),
        (matching.method, record.method),
        (matching.business_key, record.business_key),
        (matching.code, record.code),
        (matching.reason, record.reason),
    )
    position = (record.recorded_at, record.id)
    return (
        all(want == have for want, have in wanted if want)
        and (matching.since is None or record.recorded_at >= matching.since)
        and (matching.until is None or record.recorded_at < matching.until)
        and (after is None or position < (after.recorded_at, after.record_id))
    )


class FakeRequestLedger:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.staged: dict[RequestKey, RequestRecord] = {}
        self.claimed: set[RequestKey] = set()

    def claim(self, key: RequestKey, fingerprint: str, now: dt.datetime) -> RequestRecord | None:
        existing = self.get(key)
        if existing is not None:
            return existing
        self.staged[key] = RequestRecord(key, fingerprint, None, now)
        self.claimed.add(key)
        return None

    def get(self, key: RequestKey) -> RequestRecord | None:
        return self.staged[key] if key in self.staged else self.store.requests.get(key)

    def complete(self, key: RequestKey, result: Mapping[str, object]) -> None:
        record = self.get(key)
        assert record is not None
        self.staged[key] = attrs.evolve(record, result=dict(result))

    def claim_all(
        self, claims: Sequence[tuple[RequestKey, str]], now: dt.datetime
    ) -> dict[RequestKey, RequestRecord]:
        found = {key: self.claim(key, print_, now) for key, print_ in claims}
        return {key: record for key, record in found.items() if record is not None}

    def complete_all(self, results: Mapping[RequestKey, Mapping[str, object]]) -> None:
        for key, result in results.items():
            self.complete(key, result)

    def release(self, keys: Collection[RequestKey]) -> None:
        for key in keys:
            if key in self.claimed:
                self.claimed.discard(key)
                del self.staged[key]

    def check(self) -> None:
        """Like the key's primary key: of two units of work claiming it at once, one commits."""
        for key in self.claimed & self.store.requests.keys():
            raise ConcurrentUpdate(f"request {key.request_id} was claimed meanwhile")

    def commit(self) -> None:
        self.store.requests.update(self.staged)
        self.claimed.clear()


class _KeyedRepo:
    """Billing's stores: items under a key of their own; a change committed meanwhile is found
    by comparing what was loaded with what is stored now, and a second item under a key (or a
    natural key) taken is refused, as a primary key or unique constraint would."""

    def __init__(self, table: dict[Any, Any]) -> None:
        self.table = table
        self.pending: dict[Any, Any] = {}
        self.seen: list[Any] = []
        self.as_loaded: dict[Any, dict[str, Any]] = {}
        self.removed: set[Any] = set()

    def key_of(self, item: Any) -> Any:
        return item.id

    def natural_key(self, item: Any) -> object:
        return None

    def add(self, item: Any) -> None:
        self.pending[self.key_of(item)] = item
        self.seen.append(item)

    def load(self, key: Any) -> Any:
        if key in self.pending:
            return self.pending[key]
        if key not in self.table or key in self.removed:
            return None
        loaded = copy_of(self.table[key])
        self.as_loaded[key] = keyed_state(loaded)
        self.add(loaded)
        return loaded

    def all_where(self, predicate: Any) -> list[Any]:
        keys = dict.fromkeys([*self.table, *self.pending])
        loaded = [self.load(key) for key in keys]
        return [item for item in loaded if item is not None and predicate(item)]

    def remove(self, item: Any) -> None:
        key = self.key_of(item)
        self.pending.pop(key, None)
        self.removed.add(key)

    def changed(self) -> dict[Any, Any]:
        staged = self.pending.items()
        return {k: item for k, item in staged if self.as_loaded.get(k) != keyed_state(item)}

    def check(self) -> None:
        for key in self.changed():
            stored = self.table.get(key)
            if key not in self.as_loaded and stored is not None:
                raise ConcurrentUpdate(f"{key} is taken")
            if key in self.as_loaded and (
                stored is None or keyed_state(stored) != self.as_loaded[key]
            ):
                raise ConcurrentUpdate(f"{key} changed meanwhile")
        owners = {self.natural_key(item): key for key, item in self.table.items()}
        for key, item in self.changed().items():
            natural = self.natural_key(item)
            if natural is not None and owners.setdefault(natural, key) != key:
                raise ConcurrentUpdate(f"{key} has the natural key of {owners[natural]}")

    def write(self) -> None:
        for key in self.removed:
            self.table.pop(key, None)
        for key, item in self.changed().items():
            if key in self.table and hasattr(item, "row_version"):
                item.row_version += 1
            self.table[key] = copy_of(item)
            self.as_loaded[key] = keyed_state(item)


def copy_of(item: Any) -> Any:
    """A detached copy whose dicts and lists are its own."""
    fields = {f.name for f in attrs.fields(type(item)) if f.init}
    changes = {
        name: copy.copy(value)
        for name in fields
        if isinstance(value := getattr(item, name), dict | list)
    }
    if "events" in fields:
        changes["events"] = []
    return attrs.evolve(item, **changes)


def keyed_state(item: Any) -> dict[str, Any]:
    values = attrs.asdict(item, recurse=False, filter=lambda f, _: f.name != "events")
    return {name: copy.deepcopy(value) for name, value in values.items()}


class FakeBillingAgreements(_KeyedRepo):
    def key_of(self, item: Any) -> Any:
        return item.engagement_id

    def get(self, engagement_id: str) -> BillingAgreement | None:
        found: BillingAgreement | None = self.load(engagement_id)
        return found

    def engagement_ids(self) -> list[str]:
        return sorted(self.table)


class FakeInvoices(_KeyedRepo):
    def natural_key(self, item: Any) -> object:
        return None if item.number is None else str(item.number)

    def get(self, invoice_id: str) -> Invoice | None:
        found: Invoice | None = self.load(invoice_id)
        return found

    def get_by_number(self, number: str) -> Invoice | None:
        found = self.all_where(lambda i: i.number is not None and str(i.number) == number)
        return found[0] if found else None

    def drafts(self, engagement_ids: Collection[str]) -> list[Invoice]:
        return self.sorted_where(
            lambda i: i.status is InvoiceStatus.DRAFT and i.engagement_id in engagement_ids
        )

    def remove_draft(self, invoice: Invoice) -> None:
        invoice.check_draft("status")
        self.remove(invoice)

    def page(self, where: InvoiceFilter, after: str, limit: int) -> list[Invoice]:
        return self.sorted_where(lambda i: i.id > after and invoice_matches(i, where))[:limit]

    def sorted_where(self, predicate: Any) -> list[Invoice]:
        return sorted(self.all_where(predicate), key=lambda i: i.id)


def invoice_matches(invoice: Invoice, where: InvoiceFilter) -> bool:
    code = invoice.legal_entity.code
    return (
        (not where.engagement_id or invoice.engagement_id == where.engagement_id)
        and (not where.legal_entity_code or code == where.legal_entity_code)
        and (where.status is None or invoice.status is where.status)
        and (where.legal_entity_codes is None or code in where.legal_entity_codes)
    )


class FakeBilledWork(_KeyedRepo):
    def key_of(self, item: Any) -> Any:
        return item.key

    def get_many(self, keys: Collection[ChargeKey]) -> dict[ChargeKey, BilledWork]:
        found = (self.load(key) for key in keys)
        return {record.key: record for record in found if record is not None}

    def of_sources(self, source_ids: Collection[str]) -> list[BilledWork]:
        found = self.all_where(lambda r: r.source_id in source_ids)
        return sorted(found, key=lambda r: (r.source_id, r.kind.value))


class FakeErpPostings:
    """Unique per (document number, ERP), as the table's key is."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.staged: dict[tuple[str, str], ErpPosting] = {}

    def add(self, posting: ErpPosting) -> None:
        key = (posting.document_number, posting.erp)
        if key in self.store.erp_postings or key in self.staged:
            raise ConcurrentUpdate(f"{posting.document_number} is posted to {posting.erp}")
        self.staged[key] = posting

    def of_document(self, document_number: str) -> list[ErpPosting]:
        return [p for p in self.all() if p.document_number == document_number]

    def of_invoice(self, invoice_id: str) -> list[ErpPosting]:
        return [p for p in self.all() if p.invoice_id == invoice_id]

    def all(self) -> list[ErpPosting]:
        return [*self.store.erp_postings.values(), *self.staged.values()]

    def commit(self) -> None:
        self.store.erp_postings.update(self.staged)
        self.staged.clear()


class FakeIntercompanyCharges:
    """One charge per number, as the table's key is."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.staged: dict[str, IntercompanyCharge] = {}

    def add(self, charge: IntercompanyCharge) -> None:
        if charge.number in self.store.intercompany_charges or charge.number in self.staged:
            raise ConcurrentUpdate(f"intercompany charge {charge.number} exists")
        self.staged[charge.number] = charge

    def get(self, number: str) -> IntercompanyCharge | None:
        return self.staged.get(number) or self.store.intercompany_charges.get(number)

    def of_invoice(self, invoice_id: str) -> list[IntercompanyCharge]:
        return [c for c in self.all() if c.invoice_id == invoice_id]

    def involving(self, legal_entity_code: str | None) -> list[IntercompanyCharge]:
        return [
            c
            for c in self.all()
            if legal_entity_code is None
            or legal_entity_code in (c.delivering_legal_entity, c.contracting_legal_entity)
        ]

    def all(self) -> list[IntercompanyCharge]:
        merged = {**self.store.intercompany_charges, **self.staged}
        return [merged[number] for number in sorted(merged)]

    def commit(self) -> None:
        self.store.intercompany_charges.update(self.staged)
        self.staged.clear()


class FakeDocumentSequences(_KeyedRepo):
    def key_of(self, item: Any) -> Any:
        return (item.legal_entity_code, item.series)

    def get(self, legal_entity_code: str, series: Series) -> DocumentSequence | None:
        found: DocumentSequence | None = self.load((legal_entity_code, series))
        return found


class FakeErpRouteBooks(_KeyedRepo):
    def key_of(self, item: Any) -> Any:
        return item.legal_entity_code

    def get(self, legal_entity_code: str) -> RouteBook | None:
        found: RouteBook | None = self.load(legal_entity_code)
        return found

    def all(self) -> list[RouteBook]:
        return sorted(self.all_where(lambda _: True), key=lambda b: b.legal_entity_code)


class FakeRouteChanges:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.staged: list[RouteChange] = []

    def add(self, change: RouteChange) -> None:
        self.staged.append(change)

    def of_entity(self, legal_entity_code: str, after: int, limit: int) -> list[RouteChange]:
        found = [
            change
            for change in reversed(self.store.route_changes)
            if change.legal_entity_code == legal_entity_code and (not after or change.seq < after)
        ]
        return found[:limit]

    def commit(self) -> None:
        for change in self.staged:
            self.store.route_changes.append(
                attrs.evolve(change, seq=len(self.store.route_changes) + 1)
            )
        self.staged.clear()


class FakeSagas(_Repo):
    def abandoned(self, now: dt.datetime, limit: int) -> list[str]:
        expired = [
            saga
            for saga in self.table.values()
            if saga.status in UNFINISHED and saga.lease_expires_at <= now
        ]
        return [saga.id for saga in sorted(expired, key=lambda s: s.lease_expires_at)][:limit]

    def take_over(self, saga_id: str, owner: str, now: dt.datetime, until: dt.datetime) -> bool:
        saga = self.get(saga_id)
        if saga is None or saga.status not in UNFINISHED or saga.lease_expires_at > now:
            return False
        saga.owner, saga.lease_expires_at, saga.updated_at = owner, until, now
        return True


class FakeUnitOfWork:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.engagements = FakeEngagements(store.engagements)
        self.billable_events = FakeBillableEvents(store.billable_events)
        self.exceptions = FakeExceptions(store.exceptions)
        self.saga_log = FakeSagaLog(store)
        self.sagas = FakeSagas(store.sagas)
        self.requests = FakeRequestLedger(store)
        self.audit = FakeAuditTrail(store)
        self.call_records = FakeCallRecords(store)
        self.billing_agreements = FakeBillingAgreements(store.billing_agreements)
        self.invoices = FakeInvoices(store.invoices)
        self.billed_work = FakeBilledWork(store.billed_work)
        self.sequences = FakeDocumentSequences(store.sequences)
        self.erp_routes = FakeErpRouteBooks(store.erp_routes)
        self.route_changes = FakeRouteChanges(store)
        self.erp_postings = FakeErpPostings(store)
        self.intercompany_charges = FakeIntercompanyCharges(store)
        self.platform_invoices = FakePlatformInvoices(store)
        self.committed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        repos = (self.engagements, self.billable_events, self.exceptions, self.sagas)
        billing = (
            self.billing_agreements,
            self.invoices,
            self.billed_work,
            self.sequences,
            self.erp_routes,
        )
        aggregates = (*repos, self.billing_agreements, self.invoices, self.erp_routes)
        events = [event for repo in aggregates for item in repo.seen for event in item.events]
        for repo in (*repos, *billing):
            repo.check()
        self.requests.check()
        for repo in (*repos, *billing):
            repo.write()
        self.store.saga_steps.extend(self.saga_log.staged)
        self.store.refusals.extend(self.audit.staged)
        self.store.call_records.extend(self.call_records.staged)
        self.route_changes.commit()
        self.erp_postings.commit()
        self.intercompany_charges.commit()
        self.platform_invoices.commit()
        self.requests.commit()
        self.store.published.extend(events)
        for repo in aggregates:
            for item in repo.seen:
                item.events.clear()
        self.committed = True

    def rollback(self) -> None:
        pass


class FakeClock:
    def __init__(self, now: dt.datetime | None = None) -> None:
        self.current = now or dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
        self.slept: list[float] = []

    def now(self) -> dt.datetime:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.current += dt.timedelta(seconds=seconds)


class SequentialIds:
    def __init__(self, prefix: str = "id") -> None:
        self.counter = itertools.count(1)
        self.prefix = prefix

    def new_id(self) -> str:
        return f"{self.prefix}-{next(self.counter)}"


class NewNumbers:
    """A vendor's record numbers: a record removed and created again gets a new one."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.issued: Counter[str] = Counter()

    def new(self, external_id: str) -> str:
        self.issued[external_id] += 1
        count = self.issued[external_id]
        return f"{self.prefix}-{external_id}" + (f"-{count}" if count > 1 else "")


class FakeErp:
    def __init__(
        self,
        entities: dict[str, LegalEntity],
        customers: dict[tuple[str, str], str] | None = None,
    ):
        self.entities = entities
        self.customers = dict(customers or {})  # (ERP legal entity, account) → customer number
        self.created: dict[str, CustomerRequest] = {}
        self.removed: list[str] = []
        self.failures: list[Exception] = []
        self.numbers = NewNumbers("C")
        self.lock = threading.Lock()

    def legal_entity(self, legal_entity_code: str) -> LegalEntity | None:
        return self.entities.get(legal_entity_code)

    def find_customer(self, account_id: str, erp_legal_entity: str) -> str | None:
        return self.customers.get((erp_legal_entity, account_id))

    def upsert_customer(self, request: CustomerRequest) -> str:
        if self.failures:
            raise self.failures.pop(0)
        key = (request.erp_legal_entity, request.external_id)
        with self.lock:
            if key not in self.customers:
                self.customers[key] = self.numbers.new(request.external_id)
            number = self.customers[key]
            self.created[number] = request
        return number

    def remove_customer(self, customer_number: str) -> None:
        self.removed.append(customer_number)
        self.created.pop(customer_number, None)
        for key in [key for key, number in self.customers.items() if number == customer_number]:
            del self.customers[key]


class FakePsa:
    def __init__(self) -> None:
        self.projects: dict[str, ProjectRequest] = {}
        self.removed: list[str] = []
        self.failures: dict[str, list[Exception]] = {}
        self.numbers = NewNumbers("P")
        self.lock = threading.Lock()

    def fail(self, work_package_code: str, *errors: Exception) -> None:
        self.failures[work_package_code] = list(errors)

    def create_project(self, request: ProjectRequest) -> str:
        code = request.external_id.rsplit(":", 1)[1]
        pending = self.failures.get(code, [])
        if pending:
            raise pending.pop(0)
        with self.lock:
            project_id = self.live_project(request.external_id) or self.numbers.new(
                request.external_id
            )
            self.projects[project_id] = request
        return project_id

    def live_project(self, external_id: str) -> str | None:
        live = self.projects.items()
        return next((pid for pid, request in live if request.external_id == external_id), None)

    def remove_project(self, project_id: str) -> None:
        self.removed.append(project_id)
        self.projects.pop(project_id, None)


def unavailable(system: str = "psa") -> VendorUnavailable:
    return VendorUnavailable(system, "503 Service Unavailable")


def rejected(system: str = "psa") -> VendorRejected:
    return VendorRejected(system, "400 REQUIRED_FIELD_MISSING")


class FakeCrm:
    def __init__(self) -> None:
        self.links: dict[str, EngagementLink] = {}
        self.failures: list[Exception] = []

    def record_engagement(self, link: EngagementLink) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.links[link.opportunity_id] = link
        return link.opportunity_id
