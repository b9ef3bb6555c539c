"""Engagements, billable events, exceptions, saga steps, outbox, request ledger, sandbox.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ENUM = sa.String(32)
SEQUENCE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
AMOUNT = sa.Numeric(18, 3)


def an_id(name: str = "id", nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(64), nullable=nullable)


def money(prefix: str) -> list[sa.Column[Any]]:
    return [
        sa.Column(f"{prefix}_currency", sa.String(3), nullable=False),
        sa.Column(f"{prefix}_amount", AMOUNT, nullable=False),
    ]


def version() -> sa.Column[Any]:
    return sa.Column("version", sa.Integer(), nullable=False)


def upgrade() -> None:
    create_engagements()
    create_billable_events()
    create_exceptions()
    create_saga_steps()
    create_outbox()
    create_request_ledger()
    create_sandbox_records()


def create_engagements() -> None:
    op.create_table(
        "engagements",
        an_id(),
        sa.Column("opportunity_id", sa.String(255), nullable=False),
        sa.Column("account_id", sa.String(255), nullable=False),
        sa.Column("account_name", sa.String(255), nullable=False),
        sa.Column("legal_entity_code", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("billing_method", ENUM, nullable=False),
        sa.Column("rate_card", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        *money("contract_value"),
        sa.Column("status", ENUM, nullable=False),
        sa.Column("erp_legal_entity", sa.String(255)),
        sa.Column("tax_registration", sa.String(255)),
        sa.Column("erp_customer_number", sa.String(255)),
        an_id("exception_id", nullable=True),
        version(),
        sa.PrimaryKeyConstraint("id", name="pk_engagements"),
        sa.UniqueConstraint("opportunity_id", name="uq_engagements_opportunity_id"),
    )
    op.create_table(
        "work_packages",
        an_id("engagement_id"),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("psa_project_id", sa.String(255)),
        sa.PrimaryKeyConstraint("engagement_id", "code", name="pk_work_packages"),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name="fk_work_packages_engagement_id_engagements",
            ondelete="CASCADE",
        ),
    )


def create_billable_events() -> None:
    op.create_table(
        "billable_events",
        an_id(),
        sa.Column("source_system", ENUM, nullable=False),
        sa.Column("source_id", sa.String(255), nullable=False),
        an_id("engagement_id"),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("resource", sa.String(255), nullable=False),
        sa.Column("role", sa.String(255), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(12, 6), nullable=False),
        *money("rate"),
        *money("amount"),
        sa.Column("status", ENUM, nullable=False),
        sa.Column("approved_at", TIMESTAMP, nullable=False),
        version(),
        sa.PrimaryKeyConstraint("id", name="pk_billable_events"),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name="fk_billable_events_engagement_id_engagements",
        ),
        sa.UniqueConstraint(
            "source_system", "source_id", name="uq_billable_events_source_system_source_id"
        ),
    )
    op.create_index("ix_billable_events_engagement_id", "billable_events", ["engagement_id"])


def create_exceptions() -> None:
    op.create_table(
        "exceptions",
        an_id(),
        sa.Column("workflow", sa.String(64), nullable=False),
        sa.Column("business_key", sa.String(255), nullable=False),
        sa.Column("reason_code", sa.String(64), nullable=False),
        sa.Column("owner_role", ENUM, nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", ENUM, nullable=False),
        sa.Column("resolved_at", TIMESTAMP),
        version(),
        sa.PrimaryKeyConstraint("id", name="pk_exceptions"),
    )
    op.create_index("ix_exceptions_business_key_status", "exceptions", ["business_key", "status"])


def create_saga_steps() -> None:
    op.create_table(
        "saga_steps",
        sa.Column("seq", SEQUENCE, nullable=False, autoincrement=True),
        an_id(),
        an_id("saga_id"),
        sa.Column("step", sa.String(255), nullable=False),
        sa.Column("outcome", ENUM, nullable=False),
        sa.Column("external_ref", sa.String(255), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("recorded_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_saga_steps"),
        sa.UniqueConstraint("id", name="uq_saga_steps_id"),
    )
    op.create_index("ix_saga_steps_saga_id", "saga_steps", ["saga_id"])


def create_outbox() -> None:
    op.create_table(
        "outbox",
        sa.Column("seq", SEQUENCE, nullable=False, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("published_at", TIMESTAMP),
        sa.PrimaryKeyConstraint("seq", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    )
    unpublished = sa.text("published_at IS NULL")
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["seq"],
        postgresql_where=unpublished,
        sqlite_where=unpublished,
    )


def create_request_ledger() -> None:
    op.create_table(
        "request_ledger",
        sa.Column("operation", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("result", sa.JSON()),
        sa.Column("claimed_at", TIMESTAMP, nullable=False),
        sa.Column("completed_at", TIMESTAMP),
        sa.PrimaryKeyConstraint("operation", "request_id", name="pk_request_ledger"),
    )


def create_sandbox_records() -> None:
    op.create_table(
        "sandbox_records",
        sa.Column("system", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("removed_at", TIMESTAMP),
        sa.PrimaryKeyConstraint("system", "kind", "external_id", name="pk_sandbox_records"),
        sa.UniqueConstraint(
            "system", "kind", "record_id", name="uq_sandbox_records_system_kind_record_id"
        ),
    )


def downgrade() -> None:
    for table in (
        "sandbox_records",
        "request_ledger",
        "outbox",
        "saga_steps",
        "exceptions",
        "billable_events",
        "work_packages",
        "engagements",
    ):
        op.drop_table(table)
