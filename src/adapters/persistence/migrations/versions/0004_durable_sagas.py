"""Durable sagas with owners and leases; idempotency keys scoped to the caller.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
ENUM = sa.String(32)
# Until callers are proven, a key's caller is the system that declared itself: the CRM creates
# engagements, and only the PSA (the system of record for time) has approved any.
DECLARED_CALLERS = "CASE operation WHEN 'CreateServiceEngagement' THEN 'crm' ELSE 'psa' END"


def upgrade() -> None:
    create_sagas()
    with op.batch_alter_table("saga_steps") as batch:
        batch.add_column(
            sa.Column("external_id", sa.String(255), nullable=False, server_default="")
        )
    with op.batch_alter_table("request_ledger") as batch:
        batch.add_column(sa.Column("caller", sa.String(32), nullable=True))
    op.execute(f"UPDATE request_ledger SET caller = {DECLARED_CALLERS}")
    key_request_ledger_by(["caller", "operation", "request_id"])


def create_sagas() -> None:
    op.create_table(
        "sagas",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("business_key", sa.String(255), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("request", sa.JSON()),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("lease_expires_at", TIMESTAMP, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("status", ENUM, nullable=False),
        sa.Column("verdict", ENUM),
        sa.Column("exception_id", sa.String(64)),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sagas"),
    )
    op.create_index("ix_sagas_business_key", "sagas", ["business_key"])
    op.create_index("ix_sagas_status_lease_expires_at", "sagas", ["status", "lease_expires_at"])


def key_request_ledger_by(columns: list[str]) -> None:
    with op.batch_alter_table("request_ledger") as batch:
        if "caller" in columns:
            batch.alter_column("caller", existing_type=sa.String(32), nullable=False)
        batch.drop_constraint("pk_request_ledger", type_="primary")
        batch.create_primary_key("pk_request_ledger", columns)


def downgrade() -> None:
    key_request_ledger_by(["operation", "request_id"])
    with op.batch_alter_table("request_ledger") as batch:
        batch.drop_column("caller")
    with op.batch_alter_table("saga_steps") as batch:
        batch.drop_column("external_id")
    op.drop_table("sagas")
