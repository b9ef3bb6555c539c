"""An idempotency key's caller holds a whole principal subject (a UUID, a service account, a
certificate's SAN URI), not only a calling system's name.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SUBJECT_LENGTH = 255  # domain.principal.MAX_SUBJECT_LENGTH today, written out


def upgrade() -> None:
    with op.batch_alter_table("request_ledger") as batch:
        batch.alter_column(
            "caller", existing_type=sa.String(32), type_=sa.String(SUBJECT_LENGTH), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("request_ledger") as batch:
        batch.alter_column(
            "caller", existing_type=sa.String(SUBJECT_LENGTH), type_=sa.String(32), nullable=False
        )
