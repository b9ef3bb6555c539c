"""The legacy ERP's master data tables as o2c reads them: only the columns it uses. The ERP's
users keep them; see simulators/legacy_erp_reference_schema.py for the whole of them."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table

from adapters.vendors.legacy_erp.tables import DecimalText, metadata

operating_units = Table(
    "hr_operating_units",
    metadata,
    Column("organization_id", String(30), primary_key=True),
    Column("set_of_books_id", Integer),
    Column("default_legal_context_id", Integer),
)

ledgers = Table(
    "gl_ledgers",
    metadata,
    Column("ledger_id", Integer, primary_key=True),
    Column("chart_of_accounts_id", Integer),
    Column("currency_code", String(15)),
)

legal_entities = Table(
    "xle_entity_profiles",
    metadata,
    Column("legal_entity_id", Integer, primary_key=True),
    Column("name", String(240)),
    Column("country", String(2)),
)

party_tax_profiles = Table(
    "zx_party_tax_profile",
    metadata,
    Column("party_tax_profile_id", Integer, primary_key=True),
    Column("party_id", String(30)),
    Column("party_type_code", String(30)),
)

tax_regimes = Table(
    "zx_regimes_b",
    metadata,
    Column("tax_regime_code", String(30), primary_key=True),
    Column("country_code", String(2)),
)

tax_rates = Table(
    "zx_rates_b",
    metadata,
    Column("tax_rate_id", Integer, primary_key=True),
    Column("tax_regime_code", String(30)),
    Column("tax_rate_code", String(50)),
    Column("content_owner_id", Integer),
    Column("percentage_rate", DecimalText()),
    Column("active_flag", String(1)),
)

tax_rate_names = Table(
    "zx_rates_tl",
    metadata,
    Column("tax_rate_id", Integer, primary_key=True),
    Column("language", String(4), primary_key=True),
    Column("tax_rate_name", String(150)),
)

flex_segments = Table(
    "fnd_id_flex_segments",
    metadata,
    Column("application_id", Integer, primary_key=True),
    Column("id_flex_code", String(4), primary_key=True),
    Column("id_flex_num", Integer, primary_key=True),
    Column("application_column_name", String(30), primary_key=True),
    Column("flex_value_set_id", Integer),
)

segment_qualifiers = Table(
    "fnd_segment_attribute_values",
    metadata,
    Column("application_id", Integer, primary_key=True),
    Column("id_flex_code", String(4), primary_key=True),
    Column("id_flex_num", Integer, primary_key=True),
    Column("application_column_name", String(30), primary_key=True),
    Column("segment_attribute_type", String(30), primary_key=True),
    Column("attribute_value", String(1)),
)

flex_values = Table(
    "fnd_flex_values",
    metadata,
    Column("flex_value_id", Integer, primary_key=True),
    Column("flex_value_set_id", Integer),
    Column("flex_value", String(150)),
    Column("enabled_flag", String(1)),
    Column("summary_flag", String(1)),
)

flex_value_names = Table(
    "fnd_flex_values_tl",
    metadata,
    Column("flex_value_id", Integer, primary_key=True),
    Column("language", String(4), primary_key=True),
    Column("description", String(240)),
)
