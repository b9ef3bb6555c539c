"""The engagement's customer account in each ERP, and the legal entity delivering each work
package.

An engagement's accounts are rows of their own, one per (erp, erp_legal_entity). The customer
number each engagement holds today is the one provisioning found or created in the master data
ERP (the sandbox, the only one configurable at this revision): it is carried over as that ERP's
account. A work package's delivering legal entity is blank for those there are: the
contracting legal entity delivers them.

The lengths are those the API declares today, written out, so that later changes to the API do
not change this migration.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

MASTER_DATA_ERP = "sandbox"
ERP_LENGTH = 32
ERP_LEGAL_ENTITY_LENGTH = 64  # o2c.v1.ErpCustomerAccount.erp_legal_entity at this revision
CUSTOMER_NUMBER_LENGTH = 128  # o2c.v1.ErpCustomerAccount.customer_number at this revision
LEGAL_ENTITY_CODE_LENGTH = 32  # o2c.v1.WorkPackage.delivering_legal_entity_code at this revision


def length_check(table: str, column: str, length: int) -> sa.CheckConstraint:
    return sa.CheckConstraint(
        f"length({column}) <= {length}", name=op.f(f"ck_{table}_{column}_length")
    )


def upgrade() -> None:
    table = "engagement_erp_accounts"
    op.create_table(
        table,
        sa.Column("engagement_id", sa.String(64), nullable=False),
        sa.Column("erp", sa.String(ERP_LENGTH), nullable=False),
        sa.Column("erp_legal_entity", sa.String(ERP_LEGAL_ENTITY_LENGTH), nullable=False),
        sa.Column("customer_number", sa.String(CUSTOMER_NUMBER_LENGTH), nullable=False),
        length_check(table, "erp_legal_entity", ERP_LEGAL_ENTITY_LENGTH),
        length_check(table, "customer_number", CUSTOMER_NUMBER_LENGTH),
        sa.PrimaryKeyConstraint(
            "engagement_id", "erp", "erp_legal_entity", name=op.f(f"pk_{table}")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f(f"fk_{table}_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
    )
    carry_over_customer_numbers()
    column, length = "delivering_legal_entity_code", LEGAL_ENTITY_CODE_LENGTH
    with op.batch_alter_table("work_packages") as batch:
        batch.add_column(sa.Column(column, sa.String(length), nullable=False, server_default=""))
        check = length_check("work_packages", column, length)
        batch.create_check_constraint(check.name, f"length({column}) <= {length}")


def carry_over_customer_numbers() -> None:
    op.execute(
        sa.text(
            "INSERT INTO engagement_erp_accounts "
            "(engagement_id, erp, erp_legal_entity, customer_number) "
            "SELECT id, :erp, COALESCE(erp_legal_entity, ''), erp_customer_number "
            "FROM engagements WHERE erp_customer_number IS NOT NULL"
        ).bindparams(erp=MASTER_DATA_ERP)
    )


def downgrade() -> None:
    with op.batch_alter_table("work_packages") as batch:
        batch.drop_constraint(
            op.f("ck_work_packages_delivering_legal_entity_code_length"), type_="check"
        )
        batch.drop_column("delivering_legal_entity_code")
    op.drop_table("engagement_erp_accounts")
