"""Every mutating call, allowed or denied, kept with its principal and outcome.

The lengths are those `proto/o2c/v1/audit.proto` declares today, written out: a migration must
not change when the proto does.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLE = "call_records"
DECLARED = {
    "subject": (255, True),
    "calling_system": (32, True),
    "method": (255, False),
    "request_id": (128, False),
    "business_key": (128, False),
    "code": (32, False),
    "reason": (64, False),
}


def declared(name: str, length: int, nullable: bool) -> list[sa.SchemaItem]:
    check = sa.CheckConstraint(
        f"length({name}) <= {length}", name=op.f(f"ck_{TABLE}_{name}_length")
    )
    return [sa.Column(name, sa.String(length), nullable=nullable), check]


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        *(item for name, spec in DECLARED.items() for item in declared(name, *spec)),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index(op.f(f"ix_{TABLE}_business_key"), TABLE, ["business_key"])
    op.create_index(op.f(f"ix_{TABLE}_recorded_at_id"), TABLE, ["recorded_at", "id"])
    op.create_index(op.f(f"ix_{TABLE}_subject_recorded_at"), TABLE, ["subject", "recorded_at"])


def downgrade() -> None:
    op.drop_table(TABLE)
