"""ERP routing: each legal entity's routes (which ERP its invoices post to, from which day),
and the audit of every change to them (who, when, the route before and the route after).

Routes are JSON of plain values (text and ISO days). The lengths are those the API declares
today, written out, so that later changes to the API do not change this migration.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

LEGAL_ENTITY_LENGTH = 32  # o2c.v1.ErpRoute.legal_entity_code at this revision
SUBJECT_LENGTH = 255  # domain.principal.MAX_SUBJECT_LENGTH at this revision
JSON = sa.JSON()


def legal_entity_code(table: str) -> list[sa.SchemaItem]:
    check = sa.CheckConstraint(
        f"length(legal_entity_code) <= {LEGAL_ENTITY_LENGTH}",
        name=op.f(f"ck_{table}_legal_entity_code_length"),
    )
    return [sa.Column("legal_entity_code", sa.String(LEGAL_ENTITY_LENGTH), nullable=False), check]


def upgrade() -> None:
    op.create_table(
        "erp_route_books",
        *legal_entity_code("erp_route_books"),
        sa.Column("routes", JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("legal_entity_code", name=op.f("pk_erp_route_books")),
    )
    op.create_table(
        "erp_route_changes",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        *legal_entity_code("erp_route_changes"),
        sa.Column("set_by", sa.String(SUBJECT_LENGTH), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("previous_route", JSON),
        sa.Column("new_route", JSON, nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_erp_route_changes")),
    )
    op.create_index(
        op.f("ix_erp_route_changes_legal_entity_code"), "erp_route_changes", ["legal_entity_code"]
    )


def downgrade() -> None:
    op.drop_table("erp_route_changes")
    op.drop_table("erp_route_books")
