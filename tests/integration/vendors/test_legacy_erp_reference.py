"""The legacy ERP's master data beyond the contract (tests/contracts/test_erp_reference_contract):
only active E-Business Tax rates are usable, the cost centres are the values of the segment
qualified FA_COST_CTR and no parent values, customer accounts are read a page at a time by
account id, and an account linked by hand to a CRM account carries that account's id."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from contracts.ledgers import ENTITY, ReferenceSeed
from sqlalchemy import event
from support.databases import BACKENDS
from support.legacy_erp import LegacyWorld, legacy_erp

from application.reference_ports import ErpCostCentre, ErpLegalEntityRecord, ErpTaxCode
from simulators import legacy_erp_reference as back_office
from simulators.legacy_erp import customer_accounts

US = ErpLegalEntityRecord(ENTITY, "Example Consulting Inc.", "US", "USD")


@pytest.fixture(params=BACKENDS)
def legacy(request: pytest.FixtureRequest, tmp_path) -> Iterator[LegacyWorld]:
    with legacy_erp(request.param, tmp_path, running=False, customers_per_page=2) as world:
        world.seed_reference(
            ReferenceSeed(
                US,
                tax_codes=(
                    ErpTaxCode(ENTITY, "US-NY-8875", "NY sales tax", Decimal("8.875"), "US"),
                ),
                cost_centres=(ErpCostCentre(ENTITY, "CC-100", "Consulting East", True),),
            )
        )
        yield world


def test_a_rate_no_longer_active_is_not_a_usable_tax_code(legacy):
    with legacy.erp.back_office() as connection:
        back_office.keep_tax_rate(
            connection,
            organization_id=ENTITY,
            tax_rate_code="US-NY-8500",
            tax_rate_name="NY sales tax before 2026",
            percentage_rate=Decimal("8.5"),
            country_code="US",
            active=False,
        )

    assert [t.code for t in legacy.ledger.tax_codes(ENTITY)] == ["US-NY-8875"]


def test_cost_centres_are_the_cost_centre_segments_own_values_and_no_parent_values(legacy):
    with legacy.erp.back_office() as connection:
        for qualifier, value, summary in (
            (back_office.BALANCING, "101", False),
            (back_office.COST_CENTRE, "CC-ALL", True),
        ):
            back_office.keep_segment_value(
                connection,
                organization_id=ENTITY,
                qualifier=qualifier,
                flex_value=value,
                description=value,
                summary=summary,
            )

    assert [c.code for c in legacy.ledger.cost_centres(ENTITY)] == ["CC-100"]


def test_customer_accounts_are_read_a_page_at_a_time_by_account_id(legacy):
    with legacy.erp.back_office() as connection:
        made = [
            back_office.create_customer(
                connection,
                org_id=ENTITY,
                party_name=f"Customer {n}",
                tax_reference="",
                country="US",
                currency_code="USD",
            )
            for n in range(5)
        ]
    statements: list[str] = []
    engine = legacy.ledger.database.engine
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    customers = legacy.ledger.customers(ENTITY)

    assert [c.erp_id for c in customers] == [str(n) for n in made]
    reads = [s for s in statements if "hz_cust_accounts" in s]
    assert len(reads) == 3
    assert all("LIMIT" in s.upper() and "cust_account_id >" in s for s in reads)


def test_an_account_linked_by_hand_to_a_crm_account_carries_its_id(legacy):
    with legacy.erp.back_office() as connection:
        account = back_office.create_customer(
            connection,
            org_id=ENTITY,
            party_name="Globex",
            tax_reference="US-EIN-98-7654321",
            country="US",
            currency_code="USD",
        )
        connection.execute(
            customer_accounts.update()
            .where(customer_accounts.c.cust_account_id == account)
            .values(orig_system_reference="001-GLOBEX")
        )

    [customer] = legacy.ledger.customers(ENTITY)

    assert (customer.erp_id, customer.external_id) == (str(account), "001-GLOBEX")
    assert (customer.tax_registration, customer.country) == ("US-EIN-98-7654321", "US")
