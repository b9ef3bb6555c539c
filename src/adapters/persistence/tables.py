"""The schema: one MetaData, a table per aggregate, and the outbox, ledger and sandbox tables.

Migrations under `migrations/versions` must create exactly this; a test compares the two.
"""

from __future__ import annotations

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
    String,
    Table,
    Text,
    UniqueConstraint,
)

from adapters.persistence.column_types import (
    RateCardJson,
    UtcDateTime,
    declared_column,
    hours_column,
    money_columns,
    stored_by_value,
    utc_now,
)
from adapters.persistence.saga_columns import RequestKeyJson
from domain.billable_event import BillableEventStatus
from domain.engagement import BillingMethod, EngagementStatus
from domain.exception_case import ExceptionStatus, OwnerRole, ReasonCode, Workflow
from domain.ownership import System
from domain.principal import MAX_SUBJECT_LENGTH
from domain.saga import SagaStatus, StepOutcome, Verdict
from o2c.v1 import audit_pb2, billing_pb2, engagement_pb2, exceptions_pb2

OPPORTUNITY = engagement_pb2.ClosedWonOpportunity
ENGAGEMENT = engagement_pb2.ServiceEngagement
WORK_PACKAGE = engagement_pb2.WorkPackage
TIME_ENTRY = billing_pb2.TimeEntry
BUSINESS_KEY = (exceptions_pb2.ParkedException, "business_key")
REQUEST_IDS = (
    (engagement_pb2.CreateServiceEngagementRequest, "request_id"),
    (billing_pb2.ApproveBillableEventRequest, "request_id"),
)

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


engagements = Table(
    "engagements",
    metadata,
    id_column(primary_key=True),
    declared_column("opportunity_id", (OPPORTUNITY, "opportunity_id"), nullable=False, unique=True),
    declared_column("account_id", (OPPORTUNITY, "account_id"), nullable=False),
    declared_column("account_name", (OPPORTUNITY, "account_name"), nullable=False),
    declared_column("legal_entity_code", (OPPORTUNITY, "legal_entity_code"), nullable=False),
    declared_column("currency", (OPPORTUNITY, "currency_code"), nullable=False),
    Column("billing_method", stored_by_value(BillingMethod), nullable=False),
    Column("rate_card", RateCardJson, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    *money_columns("contract_value"),
    Column("status", stored_by_value(EngagementStatus), nullable=False),
    declared_column("erp_legal_entity", (ENGAGEMENT, "erp_legal_entity")),
    declared_column("tax_registration", (ENGAGEMENT, "tax_registration")),
    declared_column("erp_customer_number", (engagement_pb2.ErpCustomerAccount, "customer_number")),
    id_column("exception_id"),
    version_column(),
)

work_packages = Table(
    "work_packages",
    metadata,
    id_column("engagement_id", ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True),
    declared_column("code", (WORK_PACKAGE, "code"), primary_key=True),
    Column("position", Integer, nullable=False),
    declared_column("name", (WORK_PACKAGE, "name"), nullable=False),
    declared_column("region", (WORK_PACKAGE, "region"), nullable=False),
    declared_column("psa_project_id", (WORK_PACKAGE, "psa_project_id")),
)

billable_events = Table(
    "billable_events",
    metadata,
    id_column(primary_key=True),
    Column("source_system", stored_by_value(System), nullable=False),
    declared_column("source_id", (TIME_ENTRY, "source_id"), nullable=False),
    id_column("engagement_id", ForeignKey("engagements.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    declared_column("resource", (TIME_ENTRY, "resource"), nullable=False),
    declared_column("role", (TIME_ENTRY, "role"), nullable=False),
    Column("work_date", Date, nullable=False),
    hours_column(),
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
    Column("workflow", stored_by_value(Workflow, length=64), nullable=False),
    declared_column("business_key", BUSINESS_KEY, nullable=False),
    Column("reason_code", stored_by_value(ReasonCode, length=64), nullable=False),
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
    Column("external_id", String(255), nullable=False, default=""),
)

sagas = Table(
    "sagas",
    metadata,
    id_column(primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("business_key", String(255), nullable=False, index=True),
    Column("context", JSON, nullable=False),
    Column("request", RequestKeyJson),
    Column("owner", String(128), nullable=False),
    Column("lease_expires_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("status", stored_by_value(SagaStatus), nullable=False),
    Column("verdict", stored_by_value(Verdict)),
    id_column("exception_id"),
    version_column(),
    Index(None, "status", "lease_expires_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    sequence_column(),
    id_column(nullable=False, unique=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("writer", String(32), nullable=False),
    Column("operation", String(64), nullable=False),
    declared_column("business_key", BUSINESS_KEY, nullable=False, index=True),
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
    # Null on rows written before the event envelope (migration 0005), which had no sequence.
    Column("aggregate_type", String(64)),
    id_column("aggregate_id"),
    Column("aggregate_sequence", BigInteger),
    Column("headers", JSON),
    UniqueConstraint("aggregate_type", "aggregate_id", "aggregate_sequence"),
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
    Column("caller", String(MAX_SUBJECT_LENGTH), primary_key=True),
    Column("operation", String(64), primary_key=True),
    declared_column("request_id", *REQUEST_IDS, primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("result", JSON(none_as_null=True)),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("completed_at", UtcDateTime),
)

CALL = audit_pb2.CallRecord
CALLER = audit_pb2.CallPrincipal

call_records = Table(
    "call_records",
    metadata,
    id_column(primary_key=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    declared_column("subject", (CALLER, "subject")),
    declared_column("calling_system", (CALLER, "calling_system")),
    declared_column("method", (CALL, "method"), nullable=False),
    declared_column("request_id", (CALL, "request_id"), nullable=False),
    declared_column("business_key", (CALL, "business_key"), nullable=False, index=True),
    declared_column("code", (CALL, "code"), nullable=False),
    declared_column("reason", (CALL, "reason"), nullable=False),
    Index(None, "recorded_at", "id"),
    Index(None, "subject", "recorded_at"),
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
