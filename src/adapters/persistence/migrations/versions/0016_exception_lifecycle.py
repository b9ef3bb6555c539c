"""The exception's lifecycle: retrying, assignee, attempts, resolution.

A case gains the version of its payload's shape (1 for every case parked so far), who took it,
how it ended (by hand, by retry, moot, discarded) with a note and by whom. Each attempt is a
row of its own in `exception_attempts`, with no cap: a case parked before has its one attempt,
the failure that parked it, carried over.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

CASES, ATTEMPTS = "exceptions", "exception_attempts"
SUBJECT_LENGTH = 255  # o2c's longest caller subject at this revision
ENUM_LENGTH = 32


def upgrade() -> None:
    with op.batch_alter_table(CASES) as batch:
        batch.add_column(
            sa.Column("payload_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch.add_column(
            sa.Column("assignee", sa.String(SUBJECT_LENGTH), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("resolution", sa.String(ENUM_LENGTH)))
        batch.add_column(sa.Column("resolution_note", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("resolved_by", sa.String(SUBJECT_LENGTH), nullable=False, server_default="")
        )
        batch.create_index(op.f(f"ix_{CASES}_created_at_id"), ["created_at", "id"])
    op.create_table(
        ATTEMPTS,
        sa.Column("exception_id", sa.String(64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(ENUM_LENGTH), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("exception_id", "number", name=op.f(f"pk_{ATTEMPTS}")),
        sa.ForeignKeyConstraint(
            ["exception_id"],
            [f"{CASES}.id"],
            name=op.f(f"fk_{ATTEMPTS}_exception_id_{CASES}"),
            ondelete="CASCADE",
        ),
    )
    carry_over_first_attempts()


def carry_over_first_attempts() -> None:
    """Each case parked so far failed once, when it was parked; a resolved one is marked so."""
    op.execute(
        sa.text(
            f"INSERT INTO {ATTEMPTS} (exception_id, number, at, outcome, detail) "
            f"SELECT id, 1, created_at, 'failed', detail FROM {CASES}"
        )
    )
    op.execute(
        sa.text(
            f"UPDATE {CASES} SET resolution = CASE status "
            "WHEN 'resolved' THEN 'by_hand' WHEN 'discarded' THEN 'discarded' END "
            "WHERE status IN ('resolved', 'discarded')"
        )
    )


def downgrade() -> None:
    op.drop_table(ATTEMPTS)
    with op.batch_alter_table(CASES) as batch:
        batch.drop_index(op.f(f"ix_{CASES}_created_at_id"))
        for column in ("resolved_by", "resolution_note", "resolution", "assignee"):
            batch.drop_column(column)
        batch.drop_column("payload_version")
