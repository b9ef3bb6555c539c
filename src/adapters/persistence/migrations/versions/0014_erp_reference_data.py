"""Master data read from each ERP: legal entities, tax codes, cost centres and customers.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLE = "erp_reference_data"
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("erp", sa.String(32), nullable=False),
        sa.Column("erp_legal_entity", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("synced_at", TIMESTAMP, nullable=False),
        sa.Column("removed_at", TIMESTAMP),
        sa.PrimaryKeyConstraint(
            "erp", "erp_legal_entity", "kind", "key", name=op.f("pk_erp_reference_data")
        ),
    )
    op.create_index(op.f("ix_erp_reference_data_external_id"), TABLE, ["external_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_erp_reference_data_external_id"), table_name=TABLE)
    op.drop_table(TABLE)
