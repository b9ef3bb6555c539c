"""The legacy ERP's master data as its own users keep it, in its forms (see
legacy_erp_reference_schema): operating units with their legal entity and ledger, tax rates,
cost-centre values, and customers made by hand. Keeping one again brings it up to date."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, select

from simulators.legacy_erp_reference_schema import (
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
    value_sets,
)
from simulators.legacy_erp_schema import customer_accounts, parties

LANGUAGE = "US"
GL = {"application_id": 101, "id_flex_code": "GL#"}  # the accounting flexfield
COST_CENTRE, BALANCING = "FA_COST_CTR", "GL_BALANCING"
SEGMENTS = (("SEGMENT1", "Company", BALANCING), ("SEGMENT2", "Cost Center", COST_CENTRE))


def keep_operating_unit(
    connection: Connection, *, organization_id: str, name: str, country: str, currency_code: str
) -> None:
    """The operating unit, its legal entity and its ledger; a new ledger gets a chart of
    accounts of its own, with a company and a cost-centre segment."""
    entity = upsert(
        connection,
        legal_entities,
        {"legal_entity_identifier": organization_id},
        name=name,
        country=country,
    )
    ledger = upsert(connection, ledgers, {"name": organization_id}, currency_code=currency_code)
    chart_of_accounts(connection, ledger, organization_id)
    upsert(
        connection,
        operating_units,
        {"organization_id": organization_id},
        name=name,
        set_of_books_id=ledger,
        default_legal_context_id=entity,
    )
    upsert(connection, party_tax_profiles, {"party_id": organization_id, "party_type_code": "OU"})


def chart_of_accounts(connection: Connection, ledger_id: int, organization_id: str) -> None:
    chart = connection.scalar(
        select(ledgers.c.chart_of_accounts_id).where(ledgers.c.ledger_id == ledger_id)
    )
    if chart is not None:
        return
    connection.execute(
        ledgers.update()
        .where(ledgers.c.ledger_id == ledger_id)
        .values(chart_of_accounts_id=ledger_id)
    )
    for column, segment, qualifier in SEGMENTS:
        name = f"{organization_id} {segment}".upper()
        value_set = upsert(connection, value_sets, {"flex_value_set_name": name})
        key = {**GL, "id_flex_num": ledger_id, "application_column_name": column}
        connection.execute(
            flex_segments.insert().values(**key, segment_name=segment, flex_value_set_id=value_set)
        )
        connection.execute(
            segment_qualifiers.insert().values(
                **key, segment_attribute_type=qualifier, attribute_value="Y"
            )
        )


def keep_tax_rate(
    connection: Connection,
    *,
    organization_id: str,
    tax_rate_code: str,
    tax_rate_name: str,
    percentage_rate: Decimal,
    country_code: str,
    active: bool = True,
) -> None:
    """A rate owned by the operating unit, in its country's regime (a regime of no country when
    none is given)."""
    regime = f"{country_code or 'NO COUNTRY'} TAX"
    upsert(connection, tax_regimes, {"tax_regime_code": regime}, country_code=country_code or None)
    owner = connection.scalar(
        select(party_tax_profiles.c.party_tax_profile_id).where(
            party_tax_profiles.c.party_id == organization_id
        )
    )
    if owner is None:
        raise LookupError(f"no operating unit {organization_id}")
    rate = upsert(
        connection,
        tax_rates,
        {"content_owner_id": owner, "tax_regime_code": regime, "tax_rate_code": tax_rate_code},
        percentage_rate=percentage_rate,
        active_flag="Y" if active else "N",
    )
    key = {"tax_rate_id": rate, "language": LANGUAGE}
    upsert(connection, tax_rate_names, key, tax_rate_name=tax_rate_name)


def keep_cost_centre(
    connection: Connection,
    *,
    organization_id: str,
    flex_value: str,
    description: str,
    enabled: bool,
) -> None:
    """A value of the cost-centre segment of the operating unit's ledger."""
    keep_segment_value(
        connection,
        organization_id=organization_id,
        qualifier=COST_CENTRE,
        flex_value=flex_value,
        description=description,
        enabled=enabled,
    )


def keep_segment_value(
    connection: Connection,
    *,
    organization_id: str,
    qualifier: str,
    flex_value: str,
    description: str,
    enabled: bool = True,
    summary: bool = False,
) -> None:
    """A value (a parent one when `summary`) of the segment qualified `qualifier` (FA_COST_CTR,
    GL_BALANCING) in the chart of accounts of the operating unit's ledger."""
    value_set = segment_value_set(connection, organization_id, qualifier)
    if value_set is None:
        raise LookupError(f"no {qualifier} segment for operating unit {organization_id}")
    value = upsert(
        connection,
        flex_values,
        {"flex_value_set_id": value_set, "flex_value": flex_value},
        enabled_flag="Y" if enabled else "N",
        summary_flag="Y" if summary else "N",
    )
    key = {"flex_value_id": value, "language": LANGUAGE}
    upsert(connection, flex_value_names, key, description=description)


def segment_value_set(connection: Connection, organization_id: str, qualifier: str) -> int | None:
    segment, qualified = flex_segments.c, segment_qualifiers.c
    query = (
        select(segment.flex_value_set_id)
        .select_from(operating_units)
        .join(ledgers, ledgers.c.ledger_id == operating_units.c.set_of_books_id)
        .join(segment_qualifiers, qualified.id_flex_num == ledgers.c.chart_of_accounts_id)
        .join(
            flex_segments,
            (segment.application_id == qualified.application_id)
            & (segment.id_flex_code == qualified.id_flex_code)
            & (segment.id_flex_num == qualified.id_flex_num)
            & (segment.application_column_name == qualified.application_column_name),
        )
        .where(
            operating_units.c.organization_id == organization_id,
            qualified.application_id == GL["application_id"],
            qualified.id_flex_code == GL["id_flex_code"],
            qualified.segment_attribute_type == qualifier,
            qualified.attribute_value == "Y",
        )
    )
    return connection.scalar(query)


def create_customer(
    connection: Connection,
    *,
    org_id: str,
    party_name: str,
    tax_reference: str,
    country: str,
    currency_code: str,
) -> int:
    """A customer made in the ERP's forms: a party and its account in the org, the account's
    ORIG_SYSTEM_REFERENCE defaulted to its own id."""
    party = connection.execute(
        parties.insert().values(
            party_name=party_name, tax_reference=tax_reference or None, country=country or None
        )
    ).inserted_primary_key
    assert party is not None
    placeholder = uuid.uuid4().hex
    account = connection.execute(
        customer_accounts.insert().values(
            party_id=party[0],
            orig_system_reference=placeholder,
            org_id=org_id,
            account_name=party_name,
            currency_code=currency_code,
        )
    ).inserted_primary_key
    assert account is not None
    connection.execute(
        customer_accounts.update()
        .where(customer_accounts.c.cust_account_id == account[0])
        .values(orig_system_reference=str(account[0]))
    )
    return int(account[0])


def upsert(connection: Connection, table: Table, key: dict[str, Any], **values: Any) -> Any:
    """The row under `key`, made or updated with `values`; its (first) primary key column."""
    where = [table.c[name] == value for name, value in key.items()]
    primary = next(iter(table.primary_key.columns))
    found = connection.scalar(select(primary).where(*where))
    if found is None:
        created = connection.execute(table.insert().values(**key, **values)).inserted_primary_key
        assert created is not None
        return created[0]
    if values:
        connection.execute(table.update().where(*where).values(**values))
    return found
