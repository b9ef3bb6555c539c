"""In-memory fakes of the ports: no network, no disk, transaction-like staging."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

import attrs

from application.errors import VendorRejected, VendorUnavailable
from application.ports import (
    CustomerRequest,
    EngagementLink,
    LegalEntity,
    ProjectRequest,
    RequestRecord,
)
from domain.audit import Refusal
from domain.billable_event import BillableEvent
from domain.engagement import Engagement
from domain.errors import ConcurrentUpdate
from domain.events import Event
from domain.exception_case import ExceptionCase
from domain.ownership import System
from domain.saga import SagaStep

ABANDONED_AT = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@attrs.define
class Store:
    engagements: dict[str, Engagement] = attrs.field(factory=dict)
    billable_events: dict[str, BillableEvent] = attrs.field(factory=dict)
    exceptions: dict[str, ExceptionCase] = attrs.field(factory=dict)
    saga_steps: list[SagaStep] = attrs.field(factory=list)
    requests: dict[tuple[str, str], RequestRecord] = attrs.field(factory=dict)
    published: list[Event] = attrs.field(factory=list)
    refusals: list[Refusal] = attrs.field(factory=list)


def clone(item: Any) -> Any:
    """A detached copy, built through the constructor so it also works on ORM-mapped classes."""
    changes: dict[str, Any] = {"events": []}
    if isinstance(item, Engagement):
        changes["work_packages"] = [attrs.evolve(wp) for wp in item.work_packages]
    if isinstance(item, ExceptionCase):
        changes["payload"] = copy.deepcopy(item.payload)
    return attrs.evolve(item, **changes)


class _Repo:
    def __init__(self, table: dict[str, Any]) -> None:
        self.table = table
        self.staged: dict[str, Any] = {}
        self.seen: list[Any] = []

    def add(self, item: Any) -> None:
        self.staged[item.id] = item
        self.seen.append(item)

    def get(self, item_id: str) -> Any:
        if item_id in self.staged:
            return self.staged[item_id]
        if item_id not in self.table:
            return None
        return self.add_copy(self.table[item_id])

    def find(self, predicate: Any) -> Any:
        for item in [*self.staged.values(), *self.table.values()]:
            if predicate(item):
                return self.get(item.id)
        return None

    def add_copy(self, item: Any) -> Any:
        loaded = clone(item)
        self.staged[loaded.id] = loaded
        self.seen.append(loaded)
        return loaded

    def commit(self) -> None:
        for item_id, item in self.staged.items():
            stored = self.table.get(item_id)
            if stored is not None and stored.version != item.version:
                raise ConcurrentUpdate(f"{item_id} changed meanwhile")
        for item_id, item in self.staged.items():
            if item_id in self.table:
                item.version += 1
            self.table[item_id] = clone(item)


class FakeEngagements(_Repo):
    def get_by_opportunity(self, opportunity_id: str) -> Engagement | None:
        found: Engagement | None = self.find(lambda e: e.opportunity_id == opportunity_id)
        return found


class FakeBillableEvents(_Repo):
    def get_by_source(self, system: System, source_id: str) -> BillableEvent | None:
        found: BillableEvent | None = self.find(
            lambda e: (e.source_system, e.source_id) == (system, source_id)
        )
        return found

    def commit(self) -> None:
        for item in self.staged.values():
            for other in self.table.values():
                same = (other.source_system, other.source_id) == (
                    item.source_system,
                    item.source_id,
                )
                if same and other.id != item.id:
                    raise ConcurrentUpdate("source already staged")
        super().commit()


class FakeExceptions(_Repo):
    def open_cases(self, business_key: str) -> list[ExceptionCase]:
        return [c for c in self.table.values() if c.business_key == business_key]


class FakeSagaLog:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.staged: list[SagaStep] = []

    def add(self, step: SagaStep) -> None:
        self.staged.append(step)

    def steps(self, saga_id: str) -> list[SagaStep]:
        return [s for s in self.store.saga_steps if s.saga_id == saga_id]


class FakeAuditTrail:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.staged: list[Refusal] = []

    def add(self, refusal: Refusal) -> None:
        self.staged.append(refusal)

    def refusals(self, business_key: str) -> list[Refusal]:
        return [r for r in self.store.refusals if r.business_key == business_key]


class FakeRequestLedger:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.staged: dict[tuple[str, str], RequestRecord] = {}

    def claim(
        self, operation: str, request_id: str, fingerprint: str, now: dt.datetime
    ) -> RequestRecord | None:
        existing = self.get(operation, request_id)
        if existing is not None:
            return existing
        self.staged[(operation, request_id)] = RequestRecord(
            operation, request_id, fingerprint, None, now
        )
        return None

    def get(self, operation: str, request_id: str) -> RequestRecord | None:
        key = (operation, request_id)
        return self.staged[key] if key in self.staged else self.store.requests.get(key)

    def complete(self, operation: str, request_id: str, result: Mapping[str, object]) -> None:
        record = self.get(operation, request_id)
        assert record is not None
        self.staged[(operation, request_id)] = attrs.evolve(record, result=dict(result))

    def abandon(self, operation: str, request_id: str) -> None:
        record = self.get(operation, request_id)
        if record is not None and record.result is None:
            self.staged[(operation, request_id)] = attrs.evolve(record, claimed_at=ABANDONED_AT)

    def take_over(
        self, operation: str, request_id: str, claimed_before: dt.datetime, now: dt.datetime
    ) -> bool:
        record = self.get(operation, request_id)
        if record is None or record.result is not None or record.claimed_at >= claimed_before:
            return False
        self.staged[(operation, request_id)] = attrs.evolve(record, claimed_at=now)
        return True

    def commit(self) -> None:
        self.store.requests.update(self.staged)


class FakeUnitOfWork:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.engagements = FakeEngagements(store.engagements)
        self.billable_events = FakeBillableEvents(store.billable_events)
        self.exceptions = FakeExceptions(store.exceptions)
        self.saga_log = FakeSagaLog(store)
        self.requests = FakeRequestLedger(store)
        self.audit = FakeAuditTrail(store)
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
        repos = (self.engagements, self.billable_events, self.exceptions)
        events = [event for repo in repos for item in repo.seen for event in item.events]
        for repo in repos:
            repo.commit()
        self.store.saga_steps.extend(self.saga_log.staged)
        self.store.refusals.extend(self.audit.staged)
        self.requests.commit()
        self.store.published.extend(events)
        for repo in repos:
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


class FakeErp:
    def __init__(self, entities: dict[str, LegalEntity], customers: dict[str, str] | None = None):
        self.entities = entities
        self.customers = dict(customers or {})
        self.created: dict[str, CustomerRequest] = {}
        self.removed: list[str] = []
        self.failures: list[Exception] = []

    def legal_entity(self, legal_entity_code: str) -> LegalEntity | None:
        return self.entities.get(legal_entity_code)

    def find_customer(self, account_id: str, erp_legal_entity: str) -> str | None:
        return self.customers.get(account_id)

    def upsert_customer(self, request: CustomerRequest) -> str:
        if self.failures:
            raise self.failures.pop(0)
        number = f"C-{request.external_id}"
        self.created[number] = request
        return number

    def remove_customer(self, customer_number: str) -> None:
        self.removed.append(customer_number)
        self.created.pop(customer_number, None)


class FakePsa:
    def __init__(self) -> None:
        self.projects: dict[str, ProjectRequest] = {}
        self.removed: list[str] = []
        self.failures: dict[str, list[Exception]] = {}

    def fail(self, work_package_code: str, *errors: Exception) -> None:
        self.failures[work_package_code] = list(errors)

    def create_project(self, request: ProjectRequest) -> str:
        code = request.external_id.rsplit(":", 1)[1]
        pending = self.failures.get(code, [])
        if pending:
            raise pending.pop(0)
        project_id = f"P-{request.external_id}"
        self.projects[project_id] = request
        return project_id

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
