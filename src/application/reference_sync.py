"""SyncReferenceData: each ERP's master data copied into o2c, and the customer master checked
against the CRM.

Every ERP o2c is given is read whole (its legal entities, then each entity's tax codes, cost
centres and customers) before anything is written, so an ERP that fails half way changes
nothing and is read again next time. What is held is then made exactly what the ERP reported:
new records added, changed ones updated, those it no longer reports marked removed, and the rest
left alone, so running it again changes nothing.

Each customer an ERP keeps for a CRM account that o2c has engagements for is compared with the
CRM's account. Where they disagree (the name, the tax registration, or a legal entity the ERP's
entity does not serve) sales operations gets an exception, one per account and ERP entity while
it is open."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from attrs import define, field, frozen

from application.erp_ports import ErpLedger
from application.errors import VendorError
from application.ports import Clock, ErpMasterData, IdGenerator, UnitOfWork, UnitOfWorkFactory
from application.reference_ports import CrmAccount, CrmAccounts, ErpReferenceData
from domain.customer_master import CustomerView, Disagreement, disagreements
from domain.erp_routing import Erp
from domain.exception_case import ExceptionCase, OwnerRole, ReasonCode, Workflow

KINDS = ("legal_entity", "tax_code", "cost_centre", "customer")
EVERY_ENTITY = ""  # the scope of the ERP's list of legal entities

Place = tuple[str, str]  # (ERP, the ERP's legal entity)


@frozen
class HeldRecord:
    """One record as o2c holds it: its payload is the ERP's fields, as text."""

    erp: str
    erp_legal_entity: str
    kind: str
    key: str
    external_id: str
    payload: Mapping[str, str]
    synced_at: dt.datetime | None = None
    removed_at: dt.datetime | None = None


@frozen
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.removed + other.removed,
        )


@frozen
class ReferenceFilter:
    erp: str = ""
    erp_legal_entity: str = ""
    kind: str = ""
    external_id: str = ""
    include_removed: bool = False


class ReferenceStore(Protocol):
    def replace(
        self,
        erp: str,
        kind: str,
        erp_legal_entity: str,
        records: Sequence[HeldRecord],
        now: dt.datetime,
    ) -> Counts:
        """Make what is held of this kind for the ERP's entity (every entity: EVERY_ENTITY)
        exactly these records, in one transaction, and count what changed."""
        ...

    def page(self, where: ReferenceFilter, after: str, limit: int) -> list[HeldRecord]:
        """Records in (erp, entity, kind, key) order, after the one whose `place` is `after`."""
        ...

    def engagement_legal_entities(self, account_ids: Sequence[str]) -> dict[str, frozenset[str]]:
        """The legal entities of each account's engagements, for the accounts that have any."""
        ...


def place_of(record: HeldRecord) -> str:
    """A record's place in the listing order, as one string."""
    return "\x1f".join((record.erp, record.erp_legal_entity, record.kind, record.key))


@frozen
class ErpSync:
    erp: str
    synced: bool
    detail: str = ""  # why not, when not
    counts: Mapping[str, Counts] = field(factory=dict)


@frozen
class SyncReport:
    erps: tuple[ErpSync, ...]
    accounts_compared: int
    parked: tuple[str, ...]  # the exception ids parked by this run, one per disagreeing customer
    already_open: int  # disagreements whose exception is still open from an earlier run
    # (account, ERP, ERP entity) of each customer that disagrees with the CRM, parked or not
    disagreeing: tuple[tuple[str, str, str], ...] = ()


@define
class ReferenceSync:
    """One run at a time in a process: the schedule and the RPC take turns."""

    store: ReferenceStore
    ledgers: Mapping[str, ErpLedger]
    crm: CrmAccounts | None
    uow_factory: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    master_data: ErpMasterData  # where a legal entity without a route book posts by default
    default_erp: str = Erp.SANDBOX.value
    _lock: threading.Lock = field(factory=threading.Lock, init=False)

    def run(self, account_id: str = "") -> SyncReport:
        """Every ERP's master data; the customers of every account, or of this one."""
        with self._lock:
            return self.run_once(account_id)

    def run_once(self, account_id: str) -> SyncReport:
        results, customers = [], []
        for name in sorted(self.ledgers):
            result, read = self.sync_erp(name, self.ledgers[name])
            results.append(result)
            customers += read
        if account_id:
            customers = [c for c in customers if c.external_id == account_id]
        compared, parked, disagreeing = self.compare(customers)
        already_open = len(disagreeing) - len(parked)
        return SyncReport(tuple(results), compared, tuple(parked), already_open, disagreeing)

    def sync_erp(self, name: str, ledger: ErpLedger) -> tuple[ErpSync, list[HeldRecord]]:
        if not isinstance(ledger, ErpReferenceData):
            return ErpSync(name, False, "keeps no master data o2c can read"), []
        try:
            read = read_whole(name, ledger)
        except VendorError as error:  # nothing written: read again next time
            return ErpSync(name, False, str(error)), []
        now = self.clock.now()
        counts = {kind: Counts() for kind in KINDS}
        for (kind, entity), records in read.items():
            counts[kind] += self.store.replace(name, kind, entity, records, now)
        customers = [r for (kind, _), rs in read.items() if kind == "customer" for r in rs]
        return ErpSync(name, True, counts=counts), customers

    def compare(
        self, customers: Sequence[HeldRecord]
    ) -> tuple[int, list[str], tuple[tuple[str, str, str], ...]]:
        ours = self.store.engagement_legal_entities(
            sorted({c.external_id for c in customers if c.external_id})
        )
        linked = [c for c in customers if c.external_id in ours]
        if self.crm is None or not linked:
            return 0, [], ()
        accounts = self.crm.accounts(sorted({c.external_id for c in linked}))
        compared = [c for c in linked if c.external_id in accounts]
        with self.uow_factory() as uow:
            places = self.places_of(uow)
            found = [(c, judged(c, accounts[c.external_id], ours, places)) for c in compared]
            disagreeing = [(c, d) for c, d in found if d]
            fresh = [(c, d) for c, d in disagreeing if not open_for(uow, c)]
            parked = [self.park(uow, c, d) for c, d in fresh]
            uow.commit()
        found_at = tuple((c.external_id, c.erp, c.erp_legal_entity) for c, _ in disagreeing)
        return len({c.external_id for c in compared}), parked, found_at

    def places_of(self, uow: UnitOfWork) -> Mapping[str, set[Place]]:
        """Every ERP entity each legal entity posts to, has posted to or will: its routes, past
        and future, or else its default ERP."""
        return DefaultPlaces(
            {
                book.legal_entity_code: {
                    (t.erp.value, t.erp_legal_entity) for r in book.routes for t in r.targets
                }
                for book in uow.erp_routes.all()
                if book.routes
            },
            self.default_place,
        )

    def default_place(self, code: str) -> set[Place]:
        entity = self.master_data.legal_entity(code)
        if entity is None:
            return set()
        return {(Erp(self.default_erp).value, entity.erp_legal_entity)}

    def park(self, uow: UnitOfWork, customer: HeldRecord, found: Sequence[Disagreement]) -> str:
        exception_id = self.ids.new_id()
        fields = ", ".join(f"{d.field} (CRM {d.crm!r}, ERP {d.erp!r})" for d in found)
        uow.exceptions.add(
            ExceptionCase.park(
                exception_id=exception_id,
                workflow=Workflow.CUSTOMER_MASTER_SYNC,
                business_key=customer.external_id,
                reason_code=ReasonCode.CUSTOMER_MASTER_MISMATCH,
                owner_role=OwnerRole.SALES_OPS,
                detail=(
                    f"the CRM account {customer.external_id} and customer {customer.key} in "
                    f"{customer.erp}/{customer.erp_legal_entity} disagree on {fields}"
                ),
                payload={
                    "account_id": customer.external_id,
                    "erp": customer.erp,
                    "erp_legal_entity": customer.erp_legal_entity,
                    "erp_customer_id": customer.key,
                    "disagreements": [
                        {"field": d.field, "crm": d.crm, "erp": d.erp} for d in found
                    ],
                },
                now=self.clock.now(),
            )
        )
        return exception_id


def read_whole(erp: str, reference: ErpReferenceData) -> dict[tuple[str, str], list[HeldRecord]]:
    entities = reference.legal_entities()
    read = {
        ("legal_entity", EVERY_ENTITY): [
            held(erp, e.erp_legal_entity, "legal_entity", e.erp_legal_entity, "", e)
            for e in entities
        ]
    }
    for entity in entities:
        code = entity.erp_legal_entity
        read[("tax_code", code)] = [
            held(erp, code, "tax_code", t.code, "", t) for t in reference.tax_codes(code)
        ]
        read[("cost_centre", code)] = [
            held(erp, code, "cost_centre", c.code, "", c) for c in reference.cost_centres(code)
        ]
        read[("customer", code)] = [
            held(erp, code, "customer", c.erp_id, c.external_id, c)
            for c in reference.customers(code)
        ]
    return read


def held(
    erp: str, entity: str, kind: str, key: str, external_id: str, record: object
) -> HeldRecord:
    fields = {
        name: str(value).lower() if isinstance(value, bool) else str(value)
        for name, value in vars_of(record).items()
        if name != "erp_legal_entity"
    }
    return HeldRecord(erp, entity, kind, key, external_id, fields)


def vars_of(record: object) -> dict[str, object]:
    names = getattr(type(record), "__attrs_attrs__", ())
    return {a.name: getattr(record, a.name) for a in names}


class DefaultPlaces(dict[str, set[Place]]):
    """The routed legal entities' places, and each other entity's default ERP when asked."""

    def __init__(self, routed: Mapping[str, set[Place]], default: Callable[[str], set[Place]]):
        super().__init__(routed)
        self.default = default

    def __missing__(self, code: str) -> set[Place]:
        self[code] = self.default(code)
        return self[code]


def judged(
    customer: HeldRecord,
    account: CrmAccount,
    ours: Mapping[str, frozenset[str]],
    places: Mapping[str, set[Place]],
) -> tuple[Disagreement, ...]:
    """The CRM places the account in its own legal entity and its engagements'; the ERP, in
    the legal entities (routed, or the CRM's) whose ERP entity the customer lives in."""
    codes = frozenset(({account.legal_entity_code} | ours[customer.external_id]) - {""})
    where = (customer.erp, customer.erp_legal_entity)
    served = frozenset(code for code in sorted(codes | set(places)) if where in places[code])
    return disagreements(
        CustomerView(account.name, account.tax_registration, codes),
        CustomerView(customer.payload["name"], customer.payload["tax_registration"], served),
    )


def open_for(uow: UnitOfWork, customer: HeldRecord) -> bool:
    return any(
        case.reason_code is ReasonCode.CUSTOMER_MASTER_MISMATCH
        and case.payload.get("erp") == customer.erp
        and case.payload.get("erp_legal_entity") == customer.erp_legal_entity
        for case in uow.exceptions.open_cases(customer.external_id)
    )
