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

from adapters.persistence.billing_json import (
    amendments_column,
    charges_column,
    credit_notes_column,
    customer_column,
    document_number_column,
    legal_entity_column,
    lines_column,
    money_column,
    payment_terms_column,
    payments_column,
    states_column,
    terms_column,
    work_column,
)
from adapters.persistence.column_types import (
    BlankAsNull,
    RateCardJson,
    UtcDateTime,
    declared_column,
    hours_column,
    length_check,
    money_columns,
    stored_by_value,
    utc_now,
)
from adapters.persistence.erp_routing_json import route_column, routes_column
from adapters.persistence.saga_columns import RequestKeyJson
from domain.billable_event import BillableEventStatus
from domain.billing.charges import ChargeKind
from domain.engagement import BillingMethod, EngagementStatus
from domain.exception_case import (
    AttemptOutcome,
    ExceptionStatus,
    OwnerRole,
    ReasonCode,
    Resolution,
    Workflow,
)
from domain.invoicing.billed_work import BilledWorkStatus
from domain.invoicing.invoice import InvoiceStatus
from domain.invoicing.numbering import Series
from domain.ownership import System
from domain.principal import MAX_SUBJECT_LENGTH
from domain.saga import SagaStatus, StepOutcome, Verdict
from o2c.v1 import audit_pb2, billing_pb2, engagement_pb2, erp_routing_pb2, exceptions_pb2

OPPORTUNITY = engagement_pb2.ClosedWonOpportunity
ENGAGEMENT = engagement_pb2.ServiceEngagement
WORK_PACKAGE = engagement_pb2.WorkPackage
ERP_ACCOUNT = engagement_pb2.ErpCustomerAccount
TIME_ENTRY = billing_pb2.TimeEntry
BUSINESS_KEY = (exceptions_pb2.ParkedException, "business_key")
ROUTED_ENTITY = (erp_routing_pb2.ErpRoute, "legal_entity_code")
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
AUDIT_KEY_LENGTH = 255


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
    Column("customer_country", String(2), nullable=False, server_default=""),
    Column("customer_vat_number", String(64), nullable=False, server_default=""),
    Column("payment_terms_days", Integer, nullable=False, server_default="30"),
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
    declared_column(
        "delivering_legal_entity_code",
        (WORK_PACKAGE, "delivering_legal_entity_code"),
        nullable=False,
        server_default="",
    ),
)

engagement_erp_accounts = Table(
    "engagement_erp_accounts",
    metadata,
    id_column("engagement_id", ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True),
    Column("erp", String(32), primary_key=True),
    declared_column("erp_legal_entity", (ERP_ACCOUNT, "erp_legal_entity"), primary_key=True),
    declared_column("customer_number", (ERP_ACCOUNT, "customer_number"), nullable=False),
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
    hours_column(nullable=True),
    *money_columns("rate", nullable=True),
    *money_columns("amount"),
    Column("status", stored_by_value(BillableEventStatus), nullable=False),
    Column("approved_at", UtcDateTime, nullable=False),
    version_column(),
    # Null on rows approved before billing terms (migration 0008): they name no work package.
    Column("work_package_code", BlankAsNull(32)),
    Column("work", work_column("billable_events.work")),
    Column("charges", charges_column("billable_events.charges"), nullable=False),
    Column("unit_price", String(40)),
    UniqueConstraint("source_system", "source_id"),
    Index(None, "status", "engagement_id"),
)

billing_agreements = Table(
    "billing_agreements",
    metadata,
    id_column("engagement_id", ForeignKey("engagements.id"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("terms", terms_column("billing_agreements.terms"), nullable=False),
    Column("states", states_column("billing_agreements.states"), nullable=False),
    Column("amendments", amendments_column("billing_agreements.amendments"), nullable=False),
    Column("row_version", Integer, nullable=False),
)

invoices = Table(
    "invoices",
    metadata,
    id_column(primary_key=True),
    id_column("engagement_id", nullable=False, index=True),
    Column("legal_entity_code", String(32), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", stored_by_value(InvoiceStatus), nullable=False),
    Column("number", String(64), unique=True),
    Column("issued_on", Date),
    Column("due_on", Date),
    *money_columns("total"),
    *money_columns("balance"),
    Column("legal_entity", legal_entity_column("invoices.legal_entity"), nullable=False),
    Column("customer", customer_column("invoices.customer"), nullable=False),
    Column("payment_terms", payment_terms_column("invoices.payment_terms"), nullable=False),
    Column("document_number", document_number_column("invoices.document_number")),
    Column("lines", lines_column("invoices.lines"), nullable=False),
    Column("discount", money_column("invoices.discount")),
    Column("credit_notes", credit_notes_column("invoices.credit_notes"), nullable=False),
    Column("payments", payments_column("invoices.payments"), nullable=False),
    version_column(),
    Index(None, "legal_entity_code", "status", "id"),
)

billed_work = Table(
    "billed_work",
    metadata,
    id_column("source_id", primary_key=True),
    Column("kind", stored_by_value(ChargeKind), primary_key=True),
    id_column("invoice_id", nullable=False, index=True),
    Column("status", stored_by_value(BilledWorkStatus), nullable=False),
    id_column("credit_note_id", nullable=False),
    Column("times_invoiced", Integer, nullable=False),
)

document_sequences = Table(
    "document_sequences",
    metadata,
    Column("legal_entity_code", String(32), primary_key=True),
    Column("series", stored_by_value(Series), primary_key=True),
    Column("next_sequence", BigInteger, nullable=False),
    Column("last_issued_on", Date),
    version_column(),
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
    Column("payload_version", Integer, nullable=False, server_default="1"),
    Column("assignee", String(MAX_SUBJECT_LENGTH), nullable=False, server_default=""),
    Column("resolution", stored_by_value(Resolution)),
    Column("resolution_note", Text, nullable=False, server_default=""),
    Column("resolved_by", String(MAX_SUBJECT_LENGTH), nullable=False, server_default=""),
    Index(None, "business_key", "status"),
    Index(None, "created_at", "id"),
)

exception_attempts = Table(
    "exception_attempts",
    metadata,
    id_column("exception_id", ForeignKey("exceptions.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("outcome", stored_by_value(AttemptOutcome), nullable=False),
    Column("detail", Text, nullable=False),
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
    # "<source system>:<source id>" for a refused approval: longer than a parked case's key
    Column(
        "business_key",
        String(AUDIT_KEY_LENGTH),
        length_check("business_key", AUDIT_KEY_LENGTH),
        nullable=False,
        index=True,
    ),
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
    Column("correlation_id", String(64), nullable=False, server_default="", index=True),
    Index(None, "recorded_at", "id"),
    Index(None, "subject", "recorded_at"),
)

erp_postings = Table(
    "erp_postings",
    metadata,
    Column("document_number", String(64), primary_key=True),
    Column("erp", String(32), primary_key=True),
    Column("invoice_id", String(64), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("role", String(32), nullable=False),
    Column("erp_legal_entity", String(64), nullable=False),
    Column("erp_document_id", String(255), nullable=False),
    Column("posted_at", UtcDateTime, nullable=False),
)

intercompany_charges = Table(
    "intercompany_charges",
    metadata,
    Column("number", String(64), primary_key=True),
    Column("invoice_id", String(64), nullable=False, index=True),
    Column("invoice_number", String(64), nullable=False),
    Column("engagement_id", String(64), nullable=False),
    Column("delivering_legal_entity", String(32), nullable=False, index=True),
    Column("contracting_legal_entity", String(32), nullable=False, index=True),
    Column("issued_on", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("share", String(40), nullable=False),
    Column("lines", JSON, nullable=False),
    Column("reverses", String(64), nullable=False, server_default=""),
    Column("credit_note_id", String(64), nullable=False, server_default=""),
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

erp_route_books = Table(
    "erp_route_books",
    metadata,
    declared_column("legal_entity_code", ROUTED_ENTITY, primary_key=True),
    Column("routes", routes_column("erp_route_books.routes"), nullable=False),
    version_column(),
)

erp_route_changes = Table(
    "erp_route_changes",
    metadata,
    sequence_column(),
    declared_column("legal_entity_code", ROUTED_ENTITY, nullable=False, index=True),
    Column("set_by", String(MAX_SUBJECT_LENGTH), nullable=False),
    Column("set_at", UtcDateTime, nullable=False),
    Column("previous_route", route_column("erp_route_changes.previous_route")),
    Column("new_route", route_column("erp_route_changes.new_route"), nullable=False),
)

# Master data read from each ERP, one row per record: the ERP's legal entities, and each
# entity's tax codes, cost centres and customers, as the ERP last reported them. A record the
# ERP no longer reports is kept, marked removed.
erp_reference_data = Table(
    "erp_reference_data",
    metadata,
    Column("erp", String(32), primary_key=True),
    Column("erp_legal_entity", String(64), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("external_id", String(255), nullable=False, index=True),
    Column("payload", JSON, nullable=False),
    Column("synced_at", UtcDateTime, nullable=False),
    Column("removed_at", UtcDateTime),
)

platform_accounts = Table(
    "platform_accounts",
    metadata,
    Column("platform", String(32), primary_key=True),
    Column("engagement_id", String(64), primary_key=True),
    Column("account_key", String(255), nullable=False, index=True),
    Column("legal_entity_code", String(32), nullable=False),
    Column("since", Date, nullable=False),
)

platform_invoices = Table(
    "platform_invoices",
    metadata,
    Column("platform", String(32), primary_key=True),
    Column("number", String(64), primary_key=True),
    Column("account_key", String(255), nullable=False, index=True),
    Column("legal_entity_code", String(32), nullable=False, index=True),
    Column("invoice_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", String(40), nullable=False),
    Column("balance", String(40), nullable=False),
    Column("status", String(64), nullable=False),
    Column("read_at", UtcDateTime, nullable=False),
)

# Each HTTP call o2c made to a vendor system, for lineage (adapters/vendors/call_log.py).
vendor_calls = Table(
    "vendor_calls",
    metadata,
    sequence_column(),
    Column("called_at", UtcDateTime, nullable=False),
    Column("system", String(32), nullable=False),
    Column("operation", String(255), nullable=False),
    Column("status", String(32), nullable=False),
    Column("latency_ms", Integer, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("correlation_id", String(64), nullable=False, index=True),
    Column("business_key", String(255), nullable=False, index=True),
)

# Each reconciliation control run with its report (matched, variances with their business keys
# and amounts), newest charted over time.
control_runs = Table(
    "control_runs",
    metadata,
    sequence_column(),
    Column("control", String(32), nullable=False, index=True),
    Column("legal_entity_code", String(32), nullable=False),
    Column("ran_at", UtcDateTime, nullable=False),
    Column("matched", Integer, nullable=False),
    Column("variances", Integer, nullable=False),
    Column("report", JSON, nullable=False),
)
