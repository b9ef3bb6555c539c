"""Intercompany reversals: a charge may reverse another (the share of what a customer's credit
note credits), naming the charge and the credit note.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLE = "intercompany_charges"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("reverses", sa.String(64), nullable=False, server_default=""))
    op.add_column(
        TABLE, sa.Column("credit_note_id", sa.String(64), nullable=False, server_default="")
    )


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as table:
        table.drop_column("credit_note_id")
        table.drop_column("reverses")
