"""An external billing platform's work: the accounts o2c handed each engagement's work to, and
the invoices read back from the platform, one row per (platform, invoice number).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

ACCOUNTS, INVOICES = "platform_accounts", "platform_invoices"
INVOICE_INDEXES = ("account_key", "legal_entity_code")


def upgrade() -> None:
    op.create_table(
        ACCOUNTS,
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("engagement_id", sa.String(64), nullable=False),
        sa.Column("account_key", sa.String(255), nullable=False),
        sa.Column("legal_entity_code", sa.String(32), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "engagement_id", name=op.f(f"pk_{ACCOUNTS}")),
    )
    op.create_index(op.f(f"ix_{ACCOUNTS}_account_key"), ACCOUNTS, ["account_key"])
    op.create_table(
        INVOICES,
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("account_key", sa.String(255), nullable=False),
        sa.Column("legal_entity_code", sa.String(32), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.String(40), nullable=False),
        sa.Column("balance", sa.String(40), nullable=False),
        sa.Column("status", sa.String(64), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "number", name=op.f(f"pk_{INVOICES}")),
    )
    for column in INVOICE_INDEXES:
        op.create_index(op.f(f"ix_{INVOICES}_{column}"), INVOICES, [column])


def downgrade() -> None:
    for column in INVOICE_INDEXES:
        op.drop_index(op.f(f"ix_{INVOICES}_{column}"), table_name=INVOICES)
    op.drop_table(INVOICES)
    op.drop_index(op.f(f"ix_{ACCOUNTS}_account_key"), table_name=ACCOUNTS)
    op.drop_table(ACCOUNTS)
