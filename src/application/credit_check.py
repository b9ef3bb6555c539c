"""A customer's credit standing for the CRM during quote approval, from the ERP that owns the
legal entity on the day: its route in effect today, or the default ERP with the master data's
code for the entity.

The ERP is asked within a deadline. When it is slower, or away, the last answer it gave for the
customer is used if it is younger than the cache's age, and the answer says how old it is;
otherwise the caller hears that the ERP is unavailable. A customer the ERP does not know is not
found."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as DeadlinePassed

from attrs import frozen

from application.erp_ports import CustomerCredit, ErpCredit, ErpLedger
from application.errors import VendorError
from application.parsing import required
from application.ports import Clock, ErpMasterData, UnitOfWorkFactory
from domain.erp_routing import Erp, ErpTarget, route_in_effect
from domain.errors import ErpUnavailable, LegalEntityNotAllowed, NotFound
from domain.principal import Principal

CACHE_ENTRIES = 10_000


@frozen
class CreditAnswer:
    credit: CustomerCredit
    target: ErpTarget
    as_of: dt.datetime
    cached: bool

    def age(self, now: dt.datetime) -> dt.timedelta:
        return now - self.as_of


class CreditChecks:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        ledgers: Mapping[str, ErpLedger],
        master_data: ErpMasterData,
        deadline_seconds: float = 2.0,
        cache_seconds: float = 300.0,
        default_erp: str = Erp.SANDBOX.value,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.ledgers = ledgers
        self.master_data = master_data
        self.deadline_seconds = deadline_seconds
        self.cache_seconds = cache_seconds
        self.default_erp = default_erp
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="o2c-credit")
        self._cache: OrderedDict[tuple[str, str, str], tuple[CustomerCredit, dt.datetime]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def check(self, legal_entity_code: str, account_id: str, viewer: Principal) -> CreditAnswer:
        legal_entity_code = required(legal_entity_code, "legal_entity_code")
        account_id = required(account_id, "account_id")
        if not viewer.sees(legal_entity_code):
            raise LegalEntityNotAllowed(
                f"the caller may not act for legal entity {legal_entity_code!r}",
                field="legal_entity_code",
                keys={"legal_entity_code": legal_entity_code},
            )
        target = self.target(legal_entity_code)
        ledger = self.ledgers.get(target.erp.value)
        if not isinstance(ledger, ErpCredit):
            raise ErpUnavailable(
                f"{target.erp.value} answers no credit checks here",
                field="legal_entity_code",
                keys={"erp": target.erp.value},
            )
        key = (target.erp.value, target.erp_legal_entity, account_id)
        asked = self._pool.submit(ledger.customer_credit, target.erp_legal_entity, account_id)
        try:
            credit = asked.result(timeout=self.deadline_seconds)
        except (DeadlinePassed, VendorError) as slow:
            return self.remembered(key, target, slow)
        if credit is None:
            raise NotFound(
                f"{target.erp.value} has no customer {account_id!r} in {target.erp_legal_entity}",
                field="account_id",
                keys={"account_id": account_id},
            )
        now = self.clock.now()
        self.remember(key, credit, now)
        return CreditAnswer(credit, target, now, cached=False)

    def target(self, legal_entity_code: str) -> ErpTarget:
        today = self.clock.now().date()
        with self.uow_factory() as uow:
            book = uow.erp_routes.get(legal_entity_code)
        route = None if book is None else route_in_effect(book.routes, today)
        if route is not None:
            return route.primary
        entity = self.master_data.legal_entity(legal_entity_code)
        if entity is None:
            raise NotFound(
                f"legal entity {legal_entity_code!r} has no ERP",
                field="legal_entity_code",
                keys={"legal_entity_code": legal_entity_code},
            )
        return ErpTarget(Erp(self.default_erp), entity.erp_legal_entity)

    def remembered(
        self, key: tuple[str, str, str], target: ErpTarget, slow: Exception
    ) -> CreditAnswer:
        now = self.clock.now()
        with self._lock:
            found = self._cache.get(key)
        if found is not None and (now - found[1]).total_seconds() <= self.cache_seconds:
            return CreditAnswer(found[0], target, found[1], cached=True)
        reason = "did not answer in time" if isinstance(slow, DeadlinePassed) else str(slow)
        raise ErpUnavailable(
            f"{target.erp.value} {reason}, and no recent answer is kept",
            field="legal_entity_code",
            keys={"erp": target.erp.value},
        )

    def remember(self, key: tuple[str, str, str], credit: CustomerCredit, now: dt.datetime) -> None:
        with self._lock:
            self._cache[key] = (credit, now)
            self._cache.move_to_end(key)
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
