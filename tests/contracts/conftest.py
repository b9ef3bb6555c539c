"""Every implementation of every port, one `pytest.param` each.

A contract suite asks for its port by fixture name (`erp`, `psa`, `crm`, `uow_factory`) and runs
once per implementation listed below. To plug in an adapter — NetSuite against its wire-format
simulator, say — write a builder `def netsuite_erp(request) -> NetSuiteErp` (it may ask
`request.getfixturevalue(...)` for any fixture it needs, e.g. the simulator's) and add
`pytest.param(netsuite_erp, id="netsuite")` to ERPS. Nothing else changes. (A unit of work that
can have two transactions open at once goes into INTERLEAVING_UNITS_OF_WORK as well.)

A suite for another port follows the same pattern. A repository reached through the unit of
work (the saga store, the request ledger) needs only its test module, `test_saga_store_contract.py`
say: its tests ask for `uow_factory`, which already runs on the fakes and on SQL on both
databases. A port of its own (a billing engine, say) takes three steps:
  1. BILLING_ENGINES = [pytest.param(fake_billing, id="fake"), *on_each_database(...)];
  2. a fixture `billing_engine` over them, returning `request.param(request)`;
  3. test_billing_engine_contract.py: one test per promise, named as the sentence it proves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from attrs import frozen
from integration.persistence.builders import encode_for_tests
from sqlalchemy import Engine
from support.certinia import a_certinia_world
from support.databases import empty_tables, migrated_engine
from support.dynamics365 import cash_application, credit_management, ledger_for, master_data
from support.kantata import a_kantata_world
from support.legacy_erp import legacy_ledger
from support.netsuite import a_netsuite_world
from support.salesforce import a_salesforce_world
from support.zuora import a_zuora_world
from unit.fakes import FakeCrm, FakeErp, FakePsa, FakeUnitOfWork, Store

from adapters.persistence.engine import session_factory
from adapters.persistence.uow import SqlAlchemyUnitOfWork
from adapters.vendors.sandbox.billing_platform import SandboxBillingPlatform
from adapters.vendors.sandbox.crm import SandboxCrm
from adapters.vendors.sandbox.erp import SandboxErp
from adapters.vendors.sandbox.ledger import SandboxLedger
from adapters.vendors.sandbox.psa import SandboxPsa
from adapters.vendors.sandbox.records import SandboxRecords
from application.ports import UnitOfWorkFactory
from contracts.builders import LEGAL_ENTITIES
from contracts.ledgers import LedgerWorld, ReferenceSeed
from contracts.vendor_worlds import CrmWorld, PsaWorkWorld
from simulators.dynamics365 import Dynamics365Simulator

OnDatabase = Callable[[pytest.FixtureRequest, str], Any]


def on_sqlite(name: str, build: OnDatabase) -> Any:
    return pytest.param(functools.partial(build, backend="sqlite"), id=f"{name}-sqlite")


def on_postgresql(name: str, build: OnDatabase) -> Any:
    return pytest.param(
        functools.partial(build, backend="postgresql"),
        id=f"{name}-postgresql",
        marks=pytest.mark.postgres,
    )


def on_each_database(name: str, build: OnDatabase) -> list[Any]:
    return [on_sqlite(name, build), on_postgresql(name, build)]


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    yield from migrated_engine("sqlite", tmp_path_factory.mktemp("contracts"))


@pytest.fixture(scope="session")
def postgresql_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    yield from migrated_engine("postgresql", tmp_path_factory.mktemp("contracts"))


def empty_database(request: pytest.FixtureRequest, backend: str) -> Engine:
    """Migrated once per session, emptied for each test that uses it."""
    engine: Engine = request.getfixturevalue(f"{backend}_database")
    empty_tables(engine)
    return engine


def fake_erp(_request: pytest.FixtureRequest) -> FakeErp:
    return FakeErp(dict(LEGAL_ENTITIES))


def sandbox_erp(request: pytest.FixtureRequest, backend: str) -> SandboxErp:
    return SandboxErp(SandboxRecords(empty_database(request, backend), "erp"), LEGAL_ENTITIES)


def sandbox_psa(request: pytest.FixtureRequest, backend: str) -> SandboxPsa:
    return SandboxPsa(SandboxRecords(empty_database(request, backend), "psa"))


def sandbox_crm(request: pytest.FixtureRequest, backend: str) -> SandboxCrm:
    return SandboxCrm(SandboxRecords(empty_database(request, backend), "crm"))


def fake_units_of_work(_request: pytest.FixtureRequest) -> UnitOfWorkFactory:
    store = Store()
    return lambda: FakeUnitOfWork(store)


def sql_units_of_work(request: pytest.FixtureRequest, backend: str) -> UnitOfWorkFactory:
    sessions = session_factory(empty_database(request, backend))
    return functools.partial(SqlAlchemyUnitOfWork, sessions, encode_for_tests)


def sandbox_ledger(request: pytest.FixtureRequest, backend: str) -> LedgerWorld:
    ledger = SandboxLedger(SandboxRecords(empty_database(request, backend), "erp"))

    def seed_reference(seed: ReferenceSeed) -> None:
        ledger.keep_reference(seed.legal_entity, seed.tax_codes, seed.cost_centres, seed.customers)

    return LedgerWorld(ledger, ledger.receive_payment, ledger.set_credit, seed_reference)


def netsuite_ledger(request: pytest.FixtureRequest) -> LedgerWorld:
    world = a_netsuite_world(page_limit=100)
    request.addfinalizer(world.close)
    return LedgerWorld(world.ledger, world.receive_payment, world.set_credit, world.seed_reference)


def dynamics365_ledger(request: pytest.FixtureRequest) -> LedgerWorld:
    simulator = Dynamics365Simulator(page_size=100).start()
    request.addfinalizer(simulator.stop)
    ledger = ledger_for(simulator)
    request.addfinalizer(ledger.close)
    return LedgerWorld(
        ledger,
        cash_application(simulator),
        credit_management(simulator),
        master_data(simulator),
    )


ERPS = [pytest.param(fake_erp, id="fake"), *on_each_database("sandbox", sandbox_erp)]
# Each ERP's ledger adapter, against the sandbox or its wire-format simulator.
LEDGERS = [
    *on_each_database("sandbox", sandbox_ledger),
    pytest.param(dynamics365_ledger, id="dynamics365"),
    pytest.param(netsuite_ledger, id="netsuite"),
    *on_each_database("legacy", legacy_ledger),
]
PSAS = [
    pytest.param(lambda _: FakePsa(), id="fake"),
    *on_each_database("sandbox", sandbox_psa),
    pytest.param(lambda request: kantata_psa_work_world(request).psa, id="kantata"),
    pytest.param(lambda request: certinia_psa_work_world(request).psa, id="certinia"),
]


def sandbox_crm_world(request: pytest.FixtureRequest, backend: str) -> CrmWorld:
    crm = sandbox_crm(request, backend)
    return CrmWorld(crm, crm.close_deal, crm.payment_status, crm.keep_account)


def salesforce_crm_world(request: pytest.FixtureRequest) -> CrmWorld:
    world = a_salesforce_world()
    request.addfinalizer(world.close)
    return CrmWorld(world.crm, world.close_deal, world.payment_status, world.keep_account)


def sandbox_psa_work_world(request: pytest.FixtureRequest, backend: str) -> PsaWorkWorld:
    psa = sandbox_psa(request, backend)
    return PsaWorkWorld(psa, psa.approve, psa.invoice_of)


def kantata_psa_work_world(request: pytest.FixtureRequest) -> PsaWorkWorld:
    world = a_kantata_world()
    request.addfinalizer(world.close)
    return PsaWorkWorld(world.psa, world.approve, world.invoice_of)


def certinia_psa_work_world(request: pytest.FixtureRequest) -> PsaWorkWorld:
    world = a_certinia_world()
    request.addfinalizer(world.close)
    return PsaWorkWorld(world.psa, world.approve, world.invoice_of)


# Each CRM's deals and payment status, and each PSA's approved work, against the sandbox or
# the vendor's wire-format simulator.
CRM_WORLDS = [
    *on_each_database("sandbox", sandbox_crm_world),
    pytest.param(salesforce_crm_world, id="salesforce"),
]
PSA_WORK_WORLDS = [
    *on_each_database("sandbox", sandbox_psa_work_world),
    pytest.param(kantata_psa_work_world, id="kantata"),
    pytest.param(certinia_psa_work_world, id="certinia"),
]
CRMS = [
    pytest.param(lambda _: FakeCrm(), id="fake"),
    *on_each_database("sandbox", sandbox_crm),
    pytest.param(lambda request: salesforce_crm_world(request).crm, id="salesforce"),
]
UNITS_OF_WORK = [
    pytest.param(fake_units_of_work, id="fake"),
    *on_each_database("sql", sql_units_of_work),
]
# SQLite takes its write lock at BEGIN: a second unit of work open at once waits, never interleaves.
INTERLEAVING_UNITS_OF_WORK = [
    pytest.param(fake_units_of_work, id="fake"),
    on_postgresql("sql", sql_units_of_work),
]


@pytest.fixture(params=ERPS)
def erp(request: pytest.FixtureRequest) -> Any:
    return request.param(request)


@pytest.fixture(params=LEDGERS)
def ledger_world(request: pytest.FixtureRequest) -> LedgerWorld:
    world: LedgerWorld = request.param(request)
    return world


@pytest.fixture(params=PSAS)
def psa(request: pytest.FixtureRequest) -> Any:
    return request.param(request)


@pytest.fixture(params=CRM_WORLDS)
def crm_world(request: pytest.FixtureRequest) -> CrmWorld:
    world: CrmWorld = request.param(request)
    return world


@pytest.fixture(params=PSA_WORK_WORLDS)
def psa_work_world(request: pytest.FixtureRequest) -> PsaWorkWorld:
    world: PsaWorkWorld = request.param(request)
    return world


@pytest.fixture(params=CRMS)
def crm(request: pytest.FixtureRequest) -> Any:
    return request.param(request)


@pytest.fixture(params=UNITS_OF_WORK)
def uow_factory(request: pytest.FixtureRequest) -> UnitOfWorkFactory:
    factory: UnitOfWorkFactory = request.param(request)
    return factory


@pytest.fixture(params=INTERLEAVING_UNITS_OF_WORK)
def interleaving_uow_factory(request: pytest.FixtureRequest) -> UnitOfWorkFactory:
    """For promises about two units of work open at once in one thread."""
    factory: UnitOfWorkFactory = request.param(request)
    return factory


@frozen
class BillingPlatformWorld:
    """A billing platform, and its own bill run making an invoice (`issue_invoice(account_key,
    invoice_date, amount, **details) -> number`), which o2c only reads."""

    platform: Any
    issue_invoice: Callable[..., str]


def sandbox_billing_platform(request: pytest.FixtureRequest, backend: str) -> BillingPlatformWorld:
    platform = SandboxBillingPlatform(SandboxRecords(empty_database(request, backend), "billing"))
    return BillingPlatformWorld(platform, platform.issue_invoice)


def zuora_billing_platform(request: pytest.FixtureRequest) -> BillingPlatformWorld:
    world = a_zuora_world()
    request.addfinalizer(world.close)
    return BillingPlatformWorld(world.platform, world.issue_invoice)


BILLING_PLATFORMS = [
    *on_each_database("sandbox", sandbox_billing_platform),
    pytest.param(zuora_billing_platform, id="zuora"),
]


@pytest.fixture(params=BILLING_PLATFORMS)
def billing_platform(request: pytest.FixtureRequest) -> BillingPlatformWorld:
    world: BillingPlatformWorld = request.param(request)
    return world
