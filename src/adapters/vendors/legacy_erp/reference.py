"""The legacy ERP's master data as its users keep it: each operating unit with its legal entity's
name and country and its ledger's currency; the E-Business Tax rates an operating unit owns;
the values of the cost-centre segment (qualified FA_COST_CTR) of its ledger's chart of
accounts; and its customer accounts with their parties, a page at a time by account id.

An account's ORIG_SYSTEM_REFERENCE is o2c's external id when o2c made it (or someone linked
it); one made in the ERP's forms keeps the default, its own account id, and has none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, RowMapping, ScalarSelect, select

from adapters.vendors.legacy_erp.reference_tables import (
    flex_segments,
    flex_value_names,
    flex_values,
    ledgers,
    legal_entities,
    operating_units,
    party_tax_profiles,
    segment_qualifiers,
    tax_rate_names,
    tax_rates,
    tax_regimes,
)
from adapters.vendors.legacy_erp.tables import customer_accounts, parties
from application.reference_ports import (
    ErpCostCentre,
    ErpCustomerRecord,
    ErpLegalEntityRecord,
    ErpTaxCode,
)

LANGUAGE = "US"
GL_APPLICATION, ACCOUNTING_FLEXFIELD = 101, "GL#"
COST_CENTRE = "FA_COST_CTR"
ENABLED = "Y"


def legal_entities_of(connection: Connection) -> list[ErpLegalEntityRecord]:
    unit = operating_units.c
    query = (
        select(
            unit.organization_id,
            legal_entities.c.name,
            legal_entities.c.country,
            ledgers.c.currency_code,
        )
        .join(legal_entities, legal_entities.c.legal_entity_id == unit.default_legal_context_id)
        .join(ledgers, ledgers.c.ledger_id == unit.set_of_books_id)
        .order_by(unit.organization_id)
    )
    return [ErpLegalEntityRecord(*row) for row in connection.execute(query)]


def tax_codes_of(connection: Connection, org_id: str) -> list[ErpTaxCode]:
    rate = tax_rates.c
    query = (
        select(
            rate.tax_rate_code,
            tax_rate_names.c.tax_rate_name,
            rate.percentage_rate,
            tax_regimes.c.country_code,
        )
        .join(
            party_tax_profiles, party_tax_profiles.c.party_tax_profile_id == rate.content_owner_id
        )
        .outerjoin(tax_regimes, tax_regimes.c.tax_regime_code == rate.tax_regime_code)
        .outerjoin(
            tax_rate_names,
            (tax_rate_names.c.tax_rate_id == rate.tax_rate_id)
            & (tax_rate_names.c.language == LANGUAGE),
        )
        .where(
            party_tax_profiles.c.party_id == org_id,
            party_tax_profiles.c.party_type_code == "OU",
            rate.active_flag == ENABLED,
        )
        .order_by(rate.tax_rate_code)
    )
    return [
        ErpTaxCode(org_id, code, name or "", percent, country or "")
        for code, name, percent, country in connection.execute(query)
    ]


def cost_centres_of(connection: Connection, org_id: str) -> list[ErpCostCentre]:
    value = flex_values.c
    query = (
        select(value.flex_value, flex_value_names.c.description, value.enabled_flag)
        .where(value.flex_value_set_id == cost_centre_value_set(org_id), value.summary_flag == "N")
        .outerjoin(
            flex_value_names,
            (flex_value_names.c.flex_value_id == value.flex_value_id)
            & (flex_value_names.c.language == LANGUAGE),
        )
        .order_by(value.flex_value)
    )
    return [
        ErpCostCentre(org_id, code, name or "", enabled == ENABLED)
        for code, name, enabled in connection.execute(query)
    ]


def cost_centre_value_set(org_id: str) -> ScalarSelect[Any]:
    """The value set of the segment qualified as the cost centre in the org's chart of accounts."""
    segment, qualifier = flex_segments.c, segment_qualifiers.c
    return (
        select(segment.flex_value_set_id)
        .select_from(operating_units)
        .join(ledgers, ledgers.c.ledger_id == operating_units.c.set_of_books_id)
        .join(segment_qualifiers, qualifier.id_flex_num == ledgers.c.chart_of_accounts_id)
        .join(
            flex_segments,
            (segment.application_id == qualifier.application_id)
            & (segment.id_flex_code == qualifier.id_flex_code)
            & (segment.id_flex_num == qualifier.id_flex_num)
            & (segment.application_column_name == qualifier.application_column_name),
        )
        .where(
            operating_units.c.organization_id == org_id,
            qualifier.application_id == GL_APPLICATION,
            qualifier.id_flex_code == ACCOUNTING_FLEXFIELD,
            qualifier.segment_attribute_type == COST_CENTRE,
            qualifier.attribute_value == ENABLED,
        )
        .scalar_subquery()
    )


def customers_after(
    connection: Connection, org_id: str, after: int, size: int
) -> list[ErpCustomerRecord]:
    """The org's next `size` customer accounts past account id `after`, in account id order."""
    account = customer_accounts.c
    query = (
        select(
            account.cust_account_id,
            account.orig_system_reference,
            account.currency_code,
            parties.c.party_name,
            parties.c.tax_reference,
            parties.c.country,
        )
        .join(parties, parties.c.party_id == account.party_id)
        .where(account.org_id == org_id, account.cust_account_id > after)
        .order_by(account.cust_account_id)
        .limit(size)
    )
    return [customer_of(org_id, row) for row in connection.execute(query).mappings()]


def customer_of(org_id: str, row: RowMapping) -> ErpCustomerRecord:
    erp_id = str(row["cust_account_id"])
    reference = row["orig_system_reference"]
    return ErpCustomerRecord(
        erp_legal_entity=org_id,
        erp_id=erp_id,
        external_id="" if reference == erp_id else reference,
        name=row["party_name"],
        tax_registration=row["tax_reference"] or "",
        country=row["country"] or "",
        currency=row["currency_code"],
    )
