"""A customer's credit standing for the CRM: from the ERP the legal entity's route names today
(or the default ERP), live within the deadline; from the last answer, saying how old, when the
ERP is slow or away; unavailable when there is no recent answer; not found when the ERP does
not know the customer."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from support.billing_api import ReferenceData
from support.builders import integration

from application.billing_ports import BillingPorts
from application.commands import ErpTargetLine, SetErpRoute
from application.credit_check import CreditChecks
from application.erp_ports import CustomerCredit
from application.erp_routes import set_erp_route
from application.errors import VendorUnavailable
from domain.errors import ErpUnavailable, InvalidField, LegalEntityNotAllowed, NotFound
from domain.money import Money
from domain.ownership import OwnershipMatrix
from unit.fakes import FakeUnitOfWork, SequentialIds

OPS = integration("crm")


class CreditLedger:
    def __init__(self, erp: str) -> None:
        self.erp = erp
        self.customers: dict[tuple[str, str], CustomerCredit] = {}
        self.slow = threading.Event()
        self.away = False
        self.asked: list[tuple[str, str]] = []

    def customer_credit(self, erp_legal_entity, customer_external_id):
        self.asked.append((erp_legal_entity, customer_external_id))
        if self.away:
            raise VendorUnavailable(self.erp, "503 Service Unavailable")
        if self.slow.is_set():
            threading.Event().wait(0.5)
        return self.customers.get((erp_legal_entity, customer_external_id))


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


ACME = CustomerCredit(usd("50000.00"), usd("12500.00"), False, "USD")


@pytest.fixture
def ledgers():
    return {erp: CreditLedger(erp) for erp in ("sandbox", "netsuite")}


@pytest.fixture
def checks(store, clock, erp, ledgers):
    return CreditChecks(
        lambda: FakeUnitOfWork(store),
        clock,
        ledgers,
        erp,
        deadline_seconds=0.2,
        cache_seconds=300,
    )


def test_without_a_route_the_default_erp_answers_live_under_the_master_datas_code(checks, ledgers):
    ledgers["sandbox"].customers[("USMF", "001-ACME")] = ACME

    answer = checks.check("US01", "001-ACME", OPS)

    assert (answer.credit, answer.cached) == (ACME, False)
    assert (answer.target.erp.value, answer.target.erp_legal_entity) == ("sandbox", "USMF")


def test_the_erp_the_route_names_today_answers(checks, ledgers, store, clock):
    ports = BillingPorts(
        lambda: FakeUnitOfWork(store),
        clock,
        SequentialIds("r"),
        OwnershipMatrix.default(),
        reference=ReferenceData(),
    )
    today = clock.now().date().isoformat()
    set_erp_route(
        SetErpRoute(
            "r-1", "US01", today, ErpTargetLine("netsuite", "US-SUB-1"), integration("admin")
        ),
        ports,
    )
    ledgers["netsuite"].customers[("US-SUB-1", "001-ACME")] = ACME

    answer = checks.check("US01", "001-ACME", OPS)

    assert answer.target.erp.value == "netsuite" and answer.credit == ACME
    assert ledgers["sandbox"].asked == []


def test_a_slow_erp_is_answered_from_its_last_answer_saying_how_old(checks, ledgers, clock):
    ledgers["sandbox"].customers[("USMF", "001-ACME")] = ACME
    first = checks.check("US01", "001-ACME", OPS)
    clock.sleep(90)
    ledgers["sandbox"].slow.set()

    answer = checks.check("US01", "001-ACME", OPS)

    assert answer.cached and answer.credit == ACME
    assert answer.as_of == first.as_of
    assert answer.age(clock.now()) == dt.timedelta(seconds=90)


def test_an_erp_away_with_no_recent_answer_is_unavailable(checks, ledgers, clock):
    ledgers["sandbox"].customers[("USMF", "001-ACME")] = ACME
    checks.check("US01", "001-ACME", OPS)
    clock.sleep(301)
    ledgers["sandbox"].away = True

    with pytest.raises(ErpUnavailable):
        checks.check("US01", "001-ACME", OPS)


def test_a_customer_the_erp_does_not_know_is_not_found_naming_the_account(checks):
    with pytest.raises(NotFound) as refused:
        checks.check("US01", "001-NOBODY", OPS)

    assert refused.value.field == "account_id"


def test_an_unknown_legal_entity_is_not_found(checks):
    with pytest.raises(NotFound) as refused:
        checks.check("ZZ99", "001-ACME", OPS)

    assert refused.value.field == "legal_entity_code"


def test_a_caller_limited_to_other_entities_may_not_ask(checks):
    with pytest.raises(LegalEntityNotAllowed):
        checks.check("US01", "001-ACME", integration("crm", frozenset({"GB01"})))


@pytest.mark.parametrize(
    ("entity", "account", "field"),
    [("", "001-ACME", "legal_entity_code"), ("US01", " ", "account_id")],
)
def test_a_missing_entity_or_account_is_refused_naming_it(checks, ledgers, entity, account, field):
    with pytest.raises(InvalidField) as refused:
        checks.check(entity, account, OPS)

    assert refused.value.field == field and ledgers["sandbox"].asked == []
