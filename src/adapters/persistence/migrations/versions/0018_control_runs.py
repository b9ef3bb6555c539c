"""Reconciliation control runs and their variances: one row per report, the report as JSON.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

TABLE = "control_runs"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("control", sa.String(32), nullable=False),
        sa.Column("legal_entity_code", sa.String(32), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("variances", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index(op.f(f"ix_{TABLE}_control"), TABLE, ["control"])


def downgrade() -> None:
    op.drop_index(op.f(f"ix_{TABLE}_control"), table_name=TABLE)
    op.drop_table(TABLE)
