"""The schema: one MetaData, a table per aggregate, and the outbox, ledger and sandbox tables.

Migrations under `migrations/versions` must create exactly this; a test compares the two.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from adapters.persistence.column_types import (
    RateCardJson,
    UtcDateTime,
    amount_type,
    stored_by_value,
    utc_now,
)
from domain.billable_event import BillableEventStatus
from domain.engagement import BillingMethod, EngagementStatus
from domain.exception_case import ExceptionStatus, OwnerRole
from domain.ownership import System
from domain.saga import StepOutcome

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def id_column(name: str = "id", *constraints: Any, **options: Any) -> Column[str]:
    return Column(name, String(64), *constraints, **options)


def sequence_column() -> Column[int]:
    return Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)


def version_column() -> Column[int]:
    return Column("version", Integer, nullable=False)


def money_columns(prefix: str) -> tuple[Column[str], Column[Decimal]]:
    return (
        Column(f"{prefix}_currency", String(3), nullable=False),
        Column(f"{prefix}_amount", amount_type(), nullable=False),
    )


engagements = Table(
    "engagements",
    metadata,
    id_column(primary_key=True),
    Column("opportunity_id", String(255), nullable=False, unique=True),
    Column("account_id", String(255), nullable=False),
    Column("account_name", String(255), nullable=False),
    Column("legal_entity_code", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("billing_method", stored_by_value(BillingMethod), nullable=False),
    Column("rate_card", RateCardJson, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    *money_columns("contract_value"),
    Column("status", stored_by_value(EngagementStatus), nullable=False),
    Column("erp_legal_entity", String(255)),
    Column("tax_registration", String(255)),
    Column("erp_customer_number", String(255)),
    id_column("exception_id"),
    version_column(),
)

work_packages = Table(
    "work_packages",
    metadata,
    id_column("engagement_id", ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", String(255), nullable=False),
    Column("region", String(64), nullable=False),
    Column("psa_project_id", String(255)),
)

billable_events = Table(
    "billable_events",
    metadata,
    id_column(primary_key=True),
    Column("source_system", stored_by_value(System), nullable=False),
    Column("source_id", String(255), nullable=False),
    id_column("engagement_id", ForeignKey("engagements.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("resource", String(255), nullable=False),
    Column("role", String(255), nullable=False),
    Column("work_date", Date, nullable=False),
    Column("hours", Numeric(12, 6), nullable=False),
    *money_columns("rate"),
    *money_columns("amount"),
    Column("status", stored_by_value(BillableEventStatus), nullable=False),
    Column("approved_at", UtcDateTime, nullable=False),
    version_column(),
    UniqueConstraint("source_system", "source_id"),
)

exceptions = Table(
    "exceptions",
    metadata,
    id_column(primary_key=True),
    Column("workflow", String(64), nullable=False),
    Column("business_key", String(255), nullable=False),
    Column("reason_code", String(64), nullable=False),
    Column("owner_role", stored_by_value(OwnerRole), nullable=False),
    Column("detail", Text, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("status", stored_by_value(ExceptionStatus), nullable=False),
    Column("resolved_at", UtcDateTime),
    version_column(),
    Index(None, "business_key", "status"),
)

saga_steps = Table(
    "saga_steps",
    metadata,
    sequence_column(),
    id_column(nullable=False, unique=True),
    id_column("saga_id", nullable=False, index=True),
    Column("step", String(255), nullable=False),
    Column("outcome", stored_by_value(StepOutcome), nullable=False),
    Column("external_ref", String(255), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("detail", Text, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    sequence_column(),
    id_column(nullable=False, unique=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("writer", String(32), nullable=False),
    Column("operation", String(64), nullable=False),
    Column("business_key", String(255), nullable=False, index=True),
    Column("reason_code", String(64), nullable=False),
    Column("detail", Text, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    sequence_column(),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("subject", String(255), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, default=utc_now),
    Column("published_at", UtcDateTime),
)
Index(
    "ix_outbox_unpublished",
    outbox.c.seq,
    postgresql_where=outbox.c.published_at.is_(None),
    sqlite_where=outbox.c.published_at.is_(None),
)

request_ledger = Table(
    "request_ledger",
    metadata,
    Column("operation", String(64), primary_key=True),
    Column("request_id", String(128), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("result", JSON(none_as_null=True)),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("completed_at", UtcDateTime),
)

sandbox_records = Table(
    "sandbox_records",
    metadata,
    Column("system", String(32), primary_key=True),
    Column("kind", String(64), primary_key=True),
    Column("external_id", String(255), primary_key=True),
    Column("record_id", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("removed_at", UtcDateTime),
    UniqueConstraint("system", "kind", "record_id"),
)
