"""The legacy ERP's master data, kept by its own users and only read by o2c (see
simulators/legacy_erp.py):

- hr_operating_units: the operating units (organization_id is the ORG_ID every other table
  carries, text here as elsewhere in this simulator), each on a ledger (set_of_books_id) and
  under a legal entity (default_legal_context_id).
- gl_ledgers: a ledger's currency and its chart of accounts (chart_of_accounts_id, the
  accounting flexfield structure: id_flex_num of GL#).
- xle_entity_profiles: the legal entities. EBS finds a legal entity's country from the address
  of its registration; one `country` column here stands for that.
- zx_party_tax_profile, zx_regimes_b, zx_rates_b, zx_rates_tl: E-Business Tax. A rate belongs
  to a content owner (a party tax profile: an operating unit's, party_type_code OU), to a regime
  (whose country_code is the jurisdiction's), has an exact percentage_rate and an active_flag;
  its name is in the _tl table per language.
- fnd_flex_value_sets, fnd_id_flex_segments, fnd_segment_attribute_values, fnd_flex_values,
  fnd_flex_values_tl: the segments of each chart of accounts and their values. The cost-centre
  segment is the one qualified FA_COST_CTR; its values (summary_flag N) are the cost centres,
  enabled_flag Y or N, described in the _tl table.
- hz_parties and hz_cust_accounts (in legacy_erp_schema): a customer made in the ERP's own forms
  has an ORIG_SYSTEM_REFERENCE defaulted to its account id, as EBS's customer API does.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, UniqueConstraint

from simulators.legacy_erp_schema import DecimalText, metadata

operating_units = Table(
    "hr_operating_units",
    metadata,
    Column("organization_id", String(30), primary_key=True),
    Column("name", String(240), nullable=False, unique=True),
    Column("set_of_books_id", Integer, nullable=False),
    Column("default_legal_context_id", Integer, nullable=False),
)

ledgers = Table(
    "gl_ledgers",
    metadata,
    Column("ledger_id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(30), nullable=False, unique=True),
    Column("chart_of_accounts_id", Integer),
    Column("currency_code", String(15), nullable=False),
)

legal_entities = Table(
    "xle_entity_profiles",
    metadata,
    Column("legal_entity_id", Integer, primary_key=True, autoincrement=True),
    Column("legal_entity_identifier", String(30), nullable=False, unique=True),
    Column("name", String(240), nullable=False),
    Column("country", String(2), nullable=False),
)

party_tax_profiles = Table(
    "zx_party_tax_profile",
    metadata,
    Column("party_tax_profile_id", Integer, primary_key=True, autoincrement=True),
    Column("party_id", String(30), nullable=False),
    Column("party_type_code", String(30), nullable=False),
    UniqueConstraint("party_id", "party_type_code", name="zx_party_tax_profile_u1"),
)

tax_regimes = Table(
    "zx_regimes_b",
    metadata,
    Column("tax_regime_id", Integer, primary_key=True, autoincrement=True),
    Column("tax_regime_code", String(30), nullable=False, unique=True),
    Column("country_code", String(2)),
)

tax_rates = Table(
    "zx_rates_b",
    metadata,
    Column("tax_rate_id", Integer, primary_key=True, autoincrement=True),
    Column("tax_regime_code", String(30), nullable=False),
    Column("tax_rate_code", String(50), nullable=False),
    Column("content_owner_id", Integer, nullable=False),
    Column("percentage_rate", DecimalText()),
    Column("active_flag", String(1), nullable=False, server_default="Y"),
    UniqueConstraint("content_owner_id", "tax_regime_code", "tax_rate_code", name="zx_rates_b_u2"),
)

tax_rate_names = Table(
    "zx_rates_tl",
    metadata,
    Column("tax_rate_id", Integer, primary_key=True),
    Column("language", String(4), primary_key=True),
    Column("tax_rate_name", String(150)),
)

value_sets = Table(
    "fnd_flex_value_sets",
    metadata,
    Column("flex_value_set_id", Integer, primary_key=True, autoincrement=True),
    Column("flex_value_set_name", String(60), nullable=False, unique=True),
)

flex_segments = Table(
    "fnd_id_flex_segments",
    metadata,
    Column("application_id", Integer, primary_key=True),
    Column("id_flex_code", String(4), primary_key=True),
    Column("id_flex_num", Integer, primary_key=True),
    Column("application_column_name", String(30), primary_key=True),
    Column("segment_name", String(30), nullable=False),
    Column("flex_value_set_id", Integer, nullable=False),
)

segment_qualifiers = Table(
    "fnd_segment_attribute_values",
    metadata,
    Column("application_id", Integer, primary_key=True),
    Column("id_flex_code", String(4), primary_key=True),
    Column("id_flex_num", Integer, primary_key=True),
    Column("application_column_name", String(30), primary_key=True),
    Column("segment_attribute_type", String(30), primary_key=True),
    Column("attribute_value", String(1), nullable=False),
)

flex_values = Table(
    "fnd_flex_values",
    metadata,
    Column("flex_value_id", Integer, primary_key=True, autoincrement=True),
    Column("flex_value_set_id", Integer, nullable=False),
    Column("flex_value", String(150), nullable=False),
    Column("enabled_flag", String(1), nullable=False),
    Column("summary_flag", String(1), nullable=False, server_default="N"),
    UniqueConstraint("flex_value_set_id", "flex_value", name="fnd_flex_values_u1"),
)

flex_value_names = Table(
    "fnd_flex_values_tl",
    metadata,
    Column("flex_value_id", Integer, primary_key=True),
    Column("language", String(4), primary_key=True),
    Column("description", String(240)),
)
