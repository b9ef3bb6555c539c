"""Ports: what the use cases need from persistence, vendors, the clock and the broker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Protocol, Self

from attrs import field, frozen

from application.exception_listing import ExceptionCursor, ExceptionFilter
from application.platform_invoice_ports import PlatformInvoices
from domain.audit import Refusal
from domain.billable_event import BillableEvent
from domain.billing.agreement import BillingAgreement
from domain.engagement import Engagement
from domain.erp_posting import ErpPosting
from domain.erp_routing import ErpRoute, RouteBook
from domain.exception_case import ExceptionCase
from domain.intercompany import IntercompanyCharge
from domain.invoicing.billed_work import BilledWork
from domain.invoicing.invoice import Invoice, InvoiceStatus
from domain.invoicing.lines import ChargeKey
from domain.invoicing.numbering import DocumentSequence, Series
from domain.money import Money
from domain.ownership import System
from domain.requests import RequestKey
from domain.saga import Saga, SagaStep


class EngagementRepository(Protocol):
    def add(self, engagement: Engagement) -> None: ...
    def get(self, engagement_id: str) -> Engagement | None: ...
    def get_by_opportunity(self, opportunity_id: str) -> Engagement | None: ...
    def get_by_psa_project(self, project_id: str) -> Engagement | None:
        """The engagement one of whose work packages has this PSA project."""
        ...


class BillableEventRepository(Protocol):
    def add(self, event: BillableEvent) -> None: ...
    def get(self, event_id: str) -> BillableEvent | None: ...
    def get_by_source(self, system: System, source_id: str) -> BillableEvent | None: ...
    def of_sources(self, sources: Collection[tuple[System, str]]) -> list[BillableEvent]:
        """The events staged under any of these (source system, source id), in one look."""
        ...

    def staged_total(self, engagement_id: str, currency: str) -> Money:
        """The sum of the engagement's staged amounts, added up exactly by the store."""
        ...

    def staged(self, engagement_ids: Collection[str], through: dt.date) -> list[BillableEvent]:
        """The engagements' events with charges waiting for an invoice (status staged) whose
        day is on or before `through`, in (work date, id) order."""
        ...

    def of_ids(self, event_ids: Collection[str]) -> list[BillableEvent]: ...
    def of_engagement(self, engagement_id: str) -> list[BillableEvent]:
        """All the engagement's events, in (work date, id) order."""
        ...


class BillingAgreementRepository(Protocol):
    """One agreement per engagement. `get` holds the agreement for the rest of the
    transaction where the database can (SELECT ... FOR UPDATE), so that concurrent ratings
    of one engagement take turns instead of failing."""

    def add(self, agreement: BillingAgreement) -> None: ...
    def get(self, engagement_id: str) -> BillingAgreement | None: ...
    def engagement_ids(self) -> list[str]:
        """Every engagement that has an agreement, in id order."""
        ...

    def engagement_ids_after(self, after: str, limit: int) -> list[str]:
        """The next `limit` of them after `after`, in id order: a cycle's chunks, keyset."""
        ...

    def get_many(self, engagement_ids: Collection[str]) -> dict[str, BillingAgreement]:
        """The agreements there are, held like `get`, in one statement."""
        ...


class BillingChunks(Protocol):
    def engagements(self, engagement_ids: Collection[str]) -> list[Engagement]:
        """The engagements there are, with their work packages, in one round of statements."""
        ...

    def staged(self, engagement_ids: Collection[str], through: dt.date) -> list[BillableEvent]:
        """Their events staged by `through`, in one statement, held by the chunk alone: only
        `write_invoiced` writes them back."""
        ...

    def write_invoiced(self, events: Sequence[BillableEvent]) -> None:
        """Writes those of `events` (read by `staged`) marked invoiced, set-based, each checked
        to be the version read."""
        ...

    def write_billed(self, records: Sequence[BilledWork]) -> None:
        """Inserts new billed-work records, set-based."""
        ...


@frozen
class InvoiceFilter:
    """Empty values match everything; `legal_entity_codes` None means every legal entity."""

    engagement_id: str = ""
    legal_entity_code: str = ""
    status: InvoiceStatus | None = None
    legal_entity_codes: frozenset[str] | None = None


class InvoiceRepository(Protocol):
    def add(self, invoice: Invoice) -> None: ...
    def get(self, invoice_id: str) -> Invoice | None: ...
    def get_by_number(self, number: str) -> Invoice | None: ...
    def drafts(self, engagement_ids: Collection[str]) -> list[Invoice]: ...
    def remove_draft(self, invoice: Invoice) -> None: ...
    def page(self, where: InvoiceFilter, after: str, limit: int) -> list[Invoice]:
        """Invoices matching `where` with id greater than `after`, in id order."""
        ...


class BilledWorkRepository(Protocol):
    """Which charges are on which invoice: one record per (source id, charge kind), unique in
    the store, so no charge is ever on two invoices."""

    def add(self, record: BilledWork) -> None: ...
    def get_many(self, keys: Collection[ChargeKey]) -> dict[ChargeKey, BilledWork]: ...
    def of_sources(self, source_ids: Collection[str]) -> list[BilledWork]: ...


class ErpPostings(Protocol):
    """Where each document is posted: unique per (document number, ERP)."""

    def add(self, posting: ErpPosting) -> None: ...
    def of_document(self, document_number: str) -> list[ErpPosting]: ...
    def of_invoice(self, invoice_id: str) -> list[ErpPosting]: ...


class IntercompanyCharges(Protocol):
    """Each charge once, by its number: a second charge for one invoice and delivering entity
    is refused by the store."""

    def add(self, charge: IntercompanyCharge) -> None: ...
    def get(self, number: str) -> IntercompanyCharge | None: ...
    def of_invoice(self, invoice_id: str) -> list[IntercompanyCharge]: ...
    def involving(self, legal_entity_code: str | None) -> list[IntercompanyCharge]:
        """Every charge, or those the entity delivers or contracts, in number order."""
        ...


class DocumentSequences(Protocol):
    def get(self, legal_entity_code: str, series: Series) -> DocumentSequence | None:
        """The sequence, held for the rest of the transaction where the database can."""
        ...

    def add(self, sequence: DocumentSequence) -> None: ...


class ExceptionQueue(Protocol):
    def add(self, case: ExceptionCase) -> None: ...
    def get(self, exception_id: str) -> ExceptionCase | None: ...
    def open_cases(self, business_key: str) -> list[ExceptionCase]:
        """The key's cases not yet resolved nor discarded (open or retrying), oldest first."""
        ...

    def page(
        self, where: ExceptionFilter, after: ExceptionCursor | None, limit: int
    ) -> list[ExceptionCase]:
        """Cases matching `where`, oldest first (ties by id), after the cursor's case."""
        ...


class ErpRouteBooks(Protocol):
    """One route book per legal entity. `get` holds the book for the rest of the transaction
    where the database can, so that two admins setting one entity's route take turns."""

    def add(self, book: RouteBook) -> None: ...
    def get(self, legal_entity_code: str) -> RouteBook | None: ...
    def all(self) -> list[RouteBook]:
        """Every legal entity's book, in legal entity code order."""
        ...


@frozen
class RouteChange:
    """One change of a legal entity's routes, as the audit keeps it. `seq` is its place in
    the audit, given by the store (0 until stored): later changes have higher ones."""

    legal_entity_code: str
    set_by: str
    set_at: dt.datetime
    previous: ErpRoute | None
    route: ErpRoute
    seq: int = 0


class RouteChanges(Protocol):
    def add(self, change: RouteChange) -> None: ...
    def of_entity(self, legal_entity_code: str, after: int, limit: int) -> list[RouteChange]:
        """The legal entity's changes, newest first, older than the one whose `seq` is
        `after` (0 for the newest)."""
        ...


class SagaLog(Protocol):
    def add(self, step: SagaStep) -> None: ...
    def steps(self, saga_id: str) -> list[SagaStep]: ...


class AuditTrail(Protocol):
    def add(self, refusal: Refusal) -> None: ...
    def refusals(self, business_key: str) -> list[Refusal]: ...


@frozen
class RequestRecord:
    key: RequestKey
    fingerprint: str
    result: Mapping[str, object] | None
    claimed_at: dt.datetime

    @property
    def is_complete(self) -> bool:
        return self.result is not None


class RequestLedger(Protocol):
    """Idempotency keys: one row per (caller, operation, request id), holding the first answer."""

    def claim(self, key: RequestKey, fingerprint: str, now: dt.datetime) -> RequestRecord | None:
        """Record the key and return None, or return the record already there."""
        ...

    def get(self, key: RequestKey) -> RequestRecord | None: ...
    def complete(self, key: RequestKey, result: Mapping[str, object]) -> None: ...
    def claim_all(
        self, claims: Sequence[tuple[RequestKey, str]], now: dt.datetime
    ) -> dict[RequestKey, RequestRecord]:
        """Claim every (key, fingerprint) at once; the records already there, by key."""
        ...

    def complete_all(self, results: Mapping[RequestKey, Mapping[str, object]]) -> None: ...
    def release(self, keys: Collection[RequestKey]) -> None:
        """Forget claims of this transaction whose work was refused: a retry runs anew."""
        ...


class SagaRepository(Protocol):
    def add(self, saga: Saga) -> None: ...
    def get(self, saga_id: str) -> Saga | None: ...
    def abandoned(self, now: dt.datetime, limit: int) -> list[str]:
        """Unfinished sagas whose owner's lease ran out by `now`, oldest lease first."""
        ...

    def take_over(self, saga_id: str, owner: str, now: dt.datetime, until: dt.datetime) -> bool:
        """Become the owner of an abandoned saga; True for the one caller that wins it."""
        ...


class Transaction(Protocol):
    """One database transaction: rolled back on leaving unless committed."""

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


class UnitOfWork(Transaction, Protocol):
    """One transaction. Publishing events is part of it: the outcome events recorded by the
    aggregates it saw are committed with the state change, and relayed to the broker after."""

    engagements: EngagementRepository
    billable_events: BillableEventRepository
    exceptions: ExceptionQueue
    saga_log: SagaLog
    sagas: SagaRepository
    requests: RequestLedger
    audit: AuditTrail
    billing_agreements: BillingAgreementRepository
    invoices: InvoiceRepository
    billed_work: BilledWorkRepository
    sequences: DocumentSequences
    erp_routes: ErpRouteBooks
    route_changes: RouteChanges
    erp_postings: ErpPostings
    intercompany_charges: IntercompanyCharges
    platform_invoices: PlatformInvoices
    billing_chunks: BillingChunks

    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


@frozen
class LegalEntity:
    code: str
    erp_legal_entity: str
    tax_registration: str | None


class ErpMasterData(Protocol):
    def legal_entity(self, legal_entity_code: str) -> LegalEntity | None: ...
    def find_customer(self, account_id: str, erp_legal_entity: str) -> str | None: ...


@frozen
class CustomerRequest:
    external_id: str
    name: str
    erp_legal_entity: str
    tax_registration: str
    currency: str


class ErpCustomers(Protocol):
    def upsert_customer(self, request: CustomerRequest) -> str:
        """Create or update by external id; return the ERP customer number."""
        ...

    def remove_customer(self, customer_number: str) -> None: ...


@frozen
class ProjectMilestone:
    """A fixed-fee milestone of the work package, for the PSA to track and approve."""

    code: str
    name: str
    amount: Money


def milestones_tuple(value: Iterable[ProjectMilestone]) -> tuple[ProjectMilestone, ...]:
    return tuple(value)


@frozen
class ProjectRequest:
    external_id: str
    engagement_id: str
    opportunity_id: str
    account_id: str
    name: str
    region: str
    start_date: dt.date
    end_date: dt.date
    milestones: tuple[ProjectMilestone, ...] = field(default=(), converter=milestones_tuple)


class Psa(Protocol):
    def create_project(self, request: ProjectRequest) -> str:
        """Create the project shell, or find it by external id; return its PSA id."""
        ...

    def remove_project(self, project_id: str) -> None: ...


@frozen
class EngagementLink:
    opportunity_id: str
    engagement_id: str
    status: str
    exception_id: str | None


class Crm(Protocol):
    def record_engagement(self, link: EngagementLink) -> str:
        """Show the engagement and its status on the opportunity; safe to repeat.

        Returns the CRM record written."""
        ...


class Clock(Protocol):
    def now(self) -> dt.datetime: ...
    def sleep(self, seconds: float) -> None: ...


class IdGenerator(Protocol):
    def new_id(self) -> str: ...
