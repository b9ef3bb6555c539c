"""The legacy ERP for tests: its own database (a SQLite file, or a PostgreSQL schema of the
test's own, dropped afterwards), its import job running, and o2c's adapter watched by the
database's session accounting."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from attrs import frozen
from contracts.ledgers import LedgerWorld, ReferenceSeed

from adapters.vendors.legacy_erp.ledger import LegacyErpLedger
from adapters.vendors.legacy_erp.settings import LegacyErpSettings
from application.erp_ports import LedgerPayment
from domain.money import Money
from simulators import legacy_erp_reference as back_office
from simulators.legacy_erp import ImportRules, LegacyErp, customer_accounts
from support.databases import postgres_schema_url

ALL_PERIODS_OPEN = ImportRules()
FAST = LegacyErpSettings(
    url="", import_wait=5.0, poll_every=0.01, session_wait=5.0, customers_per_page=100
)


@frozen
class LegacyWorld:
    erp: LegacyErp
    ledger: LegacyErpLedger

    def receive_payment(self, payment: LedgerPayment, erp_legal_entity: str) -> None:
        self.erp.receive_payment(
            org_id=erp_legal_entity,
            receipt_number=payment.payment_id,
            trx_number=payment.document_number,
            amount=payment.amount.amount,
            currency_code=payment.amount.currency,
            receipt_date=payment.received_on,
        )

    def set_credit(
        self, erp_legal_entity: str, external_id: str, limit: Money | None, on_hold: bool
    ) -> None:
        """The account profile's credit hold and its overall limit in the limit's currency (the
        account's own, when there is no limit)."""
        currency = (
            limit.currency
            if limit is not None
            else self.account_currency(erp_legal_entity, external_id)
        )
        self.erp.set_credit(
            org_id=erp_legal_entity,
            orig_system_reference=external_id,
            currency_code=currency,
            overall_credit_limit=None if limit is None else limit.amount,
            credit_hold=on_hold,
        )

    def seed_reference(self, seed: ReferenceSeed) -> None:
        """The operating unit, its tax rates, cost centres and customers, kept in the ERP's
        forms by its users."""
        org_id = seed.legal_entity.erp_legal_entity
        with self.erp.back_office() as connection:
            back_office.keep_operating_unit(
                connection,
                organization_id=org_id,
                name=seed.legal_entity.name,
                country=seed.legal_entity.country,
                currency_code=seed.legal_entity.currency,
            )
            for tax in seed.tax_codes:
                back_office.keep_tax_rate(
                    connection,
                    organization_id=org_id,
                    tax_rate_code=tax.code,
                    tax_rate_name=tax.description,
                    percentage_rate=tax.percent,
                    country_code=tax.country,
                )
            for centre in seed.cost_centres:
                back_office.keep_cost_centre(
                    connection,
                    organization_id=org_id,
                    flex_value=centre.code,
                    description=centre.name,
                    enabled=centre.active,
                )
            for customer in seed.customers:
                back_office.create_customer(
                    connection,
                    org_id=org_id,
                    party_name=customer.name,
                    tax_reference=customer.tax_registration,
                    country=customer.country,
                    currency_code=customer.currency,
                )

    def account_currency(self, org_id: str, external_id: str) -> str:
        return next(
            row["currency_code"]
            for row in self.erp.rows(customer_accounts)
            if (row["org_id"], row["orig_system_reference"]) == (org_id, external_id)
        )

    def adapter(self, **settings: Any) -> LegacyErpLedger:
        """Another adapter on the same database, watched like the first."""
        ledger = LegacyErpLedger(attrs.evolve(self.ledger.settings, **settings))
        self.erp.watch(ledger.database.engine)
        return ledger


def database_urls(backend: str, scratch: os.PathLike[str]) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{scratch}/legacy_erp.db"
    else:
        yield from postgres_schema_url()


@contextlib.contextmanager
def legacy_erp(
    backend: str,
    scratch: os.PathLike[str],
    *,
    max_sessions: int = 4,
    rules: ImportRules = ALL_PERIODS_OPEN,
    running: bool = True,
    **settings: Any,
) -> Iterator[LegacyWorld]:
    urls = database_urls(backend, scratch)
    url = next(urls)
    erp = LegacyErp(url, max_sessions=max_sessions, rules=rules).install()
    ledger = LegacyErpLedger(attrs.evolve(FAST, url=url, max_sessions=max_sessions, **settings))
    erp.watch(ledger.database.engine)
    if running:
        erp.start(every=0.02)
    try:
        yield LegacyWorld(erp, ledger)
    finally:
        erp.stop()
        ledger.close()
        urls.close()


def legacy_ledger(request: pytest.FixtureRequest, backend: str) -> LedgerWorld:
    """The contract suite's builder: the adapter against the simulator on `backend`."""
    stack = contextlib.ExitStack()
    request.addfinalizer(stack.close)
    world = stack.enter_context(legacy_erp(backend, request.getfixturevalue("tmp_path")))
    return LedgerWorld(world.ledger, world.receive_payment, world.set_credit, world.seed_reference)
