"""Where each document is posted: one row per (document number, ERP), so that no document is
ever posted twice to one ERP, with the ERP's own id for it and the posting's role (primary, or
a dual-write's shadow).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erp_postings",
        sa.Column("document_number", sa.String(64), nullable=False),
        sa.Column("erp", sa.String(32), nullable=False),
        sa.Column("invoice_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("erp_legal_entity", sa.String(64), nullable=False),
        sa.Column("erp_document_id", sa.String(255), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("document_number", "erp", name=op.f("pk_erp_postings")),
    )
    op.create_index(op.f("ix_erp_postings_invoice_id"), "erp_postings", ["invoice_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_erp_postings_invoice_id"), table_name="erp_postings")
    op.drop_table("erp_postings")
