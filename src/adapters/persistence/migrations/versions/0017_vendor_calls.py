"""Each vendor call, for lineage: operation, status, latency, attempt, correlation id; and
the correlation id of each audited gRPC call.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLE, CALLS = "vendor_calls", "call_records"
INDEXED = ("correlation_id", "business_key")


def upgrade() -> None:
    with op.batch_alter_table(CALLS) as calls:
        calls.add_column(
            sa.Column("correlation_id", sa.String(64), nullable=False, server_default="")
        )
        calls.create_index(op.f(f"ix_{CALLS}_correlation_id"), ["correlation_id"])
    op.create_table(
        TABLE,
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("system", sa.String(32), nullable=False),
        sa.Column("operation", sa.String(255), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("correlation_id", sa.String(64), nullable=False),
        sa.Column("business_key", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f(f"pk_{TABLE}")),
    )
    for column in INDEXED:
        op.create_index(op.f(f"ix_{TABLE}_{column}"), TABLE, [column])


def downgrade() -> None:
    for column in INDEXED:
        op.drop_index(op.f(f"ix_{TABLE}_{column}"), table_name=TABLE)
    op.drop_table(TABLE)
    with op.batch_alter_table(CALLS) as calls:
        calls.drop_index(op.f(f"ix_{CALLS}_correlation_id"))
        calls.drop_column("correlation_id")
