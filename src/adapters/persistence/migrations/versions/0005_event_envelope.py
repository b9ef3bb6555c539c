"""Outbox rows carry the event envelope's headers and a per-aggregate sequence.

Rows written before this revision keep a null aggregate and sequence: their payloads have no
envelope to number, and a unique constraint ignores nulls on both databases, so only new rows
are numbered (from 1 per aggregate).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SEQUENCE_UNIQUE = "uq_outbox_aggregate_type_aggregate_id_aggregate_sequence"


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("aggregate_type", sa.String(64)))
        batch.add_column(sa.Column("aggregate_id", sa.String(64)))
        batch.add_column(sa.Column("aggregate_sequence", sa.BigInteger()))
        batch.add_column(sa.Column("headers", sa.JSON()))
        batch.create_unique_constraint(
            SEQUENCE_UNIQUE, ["aggregate_type", "aggregate_id", "aggregate_sequence"]
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint(SEQUENCE_UNIQUE, type_="unique")
        for column in ("headers", "aggregate_sequence", "aggregate_id", "aggregate_type"):
            batch.drop_column(column)
