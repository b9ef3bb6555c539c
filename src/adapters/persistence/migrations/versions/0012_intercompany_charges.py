"""Intercompany charges: one row per (invoice, delivering legal entity), by its number, with
its lines as JSON.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLE = "intercompany_charges"
COLUMNS = ("invoice_id", "delivering_legal_entity", "contracting_legal_entity")


def upgrade() -> None:
    op.create_table(
        "intercompany_charges",
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("invoice_id", sa.String(64), nullable=False),
        sa.Column("invoice_number", sa.String(64), nullable=False),
        sa.Column("engagement_id", sa.String(64), nullable=False),
        sa.Column("delivering_legal_entity", sa.String(32), nullable=False),
        sa.Column("contracting_legal_entity", sa.String(32), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("share", sa.String(40), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_intercompany_charges")),
    )
    for column in COLUMNS:
        op.create_index(op.f(f"ix_intercompany_charges_{column}"), TABLE, [column])


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_index(op.f(f"ix_intercompany_charges_{column}"), table_name=TABLE)
    op.drop_table(TABLE)
