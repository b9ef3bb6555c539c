"""Billing: agreements, invoices, billed work and document sequences; billable events of every
kind of work, rated into charges; and the customer's country, VAT number and payment terms.

Billable events written before this revision were all time entries: each gets the work it
recorded (its role, day and hours), one time charge of its amount and hours, and its rate as
its unit price, all naming the event's own id as their source. They name no work package.
The JSON written here is the layout of `adapters.persistence.billing_json` at this revision,
spelled out so that later changes to that module do not change this migration.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op
from iso4217 import Currency

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
HOURS_DECIMALS = 4
CURRENCY_LENGTH = 3  # o2c.v1.Money.currency_code, as the API declares it at this revision
ENUM = sa.String(32)
JSON = sa.JSON()
EVENTS = "billable_events"
BUSINESS_KEY_LENGTH = 128  # o2c.v1.ParkedException.business_key at this revision
AUDIT_KEY_LENGTH = 255
EVENTS_INDEX = "ix_billable_events_status_engagement_id"


def upgrade() -> None:
    add_customer_terms()
    add_rated_work()
    fill_rated_work()
    with op.batch_alter_table(EVENTS) as batch:
        batch.alter_column("charges", existing_type=JSON, nullable=False)
        batch.create_index(op.f(EVENTS_INDEX), ["status", "engagement_id"])
    create_billing_agreements()
    create_invoices()
    create_billed_work()
    create_document_sequences()
    resize_audit_keys(BUSINESS_KEY_LENGTH, AUDIT_KEY_LENGTH)


def resize_audit_keys(old: int, new: int) -> None:
    """A refused approval is audited under "<source system>:<source id>", longer than the
    128 characters a parked exception's business key may have."""
    check = op.f("ck_audit_log_business_key_length")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint(check, type_="check")
        batch.alter_column(
            "business_key", existing_type=sa.String(old), type_=sa.String(new), nullable=False
        )
        batch.create_check_constraint(check, f"length(business_key) <= {new}")


def add_customer_terms() -> None:
    with op.batch_alter_table("engagements") as batch:
        batch.add_column(
            sa.Column("customer_country", sa.String(2), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("customer_vat_number", sa.String(64), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("payment_terms_days", sa.Integer(), nullable=False, server_default="30")
        )


def add_rated_work() -> None:
    with op.batch_alter_table(EVENTS) as batch:
        batch.alter_column("hours_ten_thousandths", existing_type=sa.BigInteger(), nullable=True)
        batch.alter_column("rate_currency", existing_type=sa.String(CURRENCY_LENGTH), nullable=True)
        batch.alter_column("rate_minor_units", existing_type=sa.BigInteger(), nullable=True)
        batch.add_column(sa.Column("work_package_code", sa.String(32)))
        batch.add_column(sa.Column("work", JSON))
        batch.add_column(sa.Column("charges", JSON))
        batch.add_column(sa.Column("unit_price", sa.String(40)))


def fill_rated_work() -> None:
    query = (
        "SELECT id, role, work_date, hours_ten_thousandths, rate_currency, rate_minor_units, "
        f"amount_currency, amount_minor_units FROM {EVENTS}"
    )
    rows = op.get_bind().execute(sa.text(query)).all()
    updates = [rated_work(*row) for row in rows]
    statement = sa.text(
        f"UPDATE {EVENTS} SET work = :work, charges = :charges, unit_price = :unit_price "
        "WHERE id = :id"
    ).bindparams(sa.bindparam("work", type_=JSON), sa.bindparam("charges", type_=JSON))
    if updates:
        op.get_bind().execute(statement, updates)


def rated_work(
    event_id: str,
    role: str,
    work_date: Any,
    hours_units: int,
    rate_currency: str,
    rate_units: int,
    amount_currency: str,
    amount_units: int,
) -> dict[str, Any]:
    hours = decimal_text(Decimal(hours_units).scaleb(-HOURS_DECIMALS, context=EXACT))
    day = work_date if isinstance(work_date, str) else work_date.isoformat()
    work = {"kind": "time", "source_id": event_id, "role": role, "work_date": day, "hours": hours}
    amount = {"currency": amount_currency, "amount": money_text(amount_currency, amount_units)}
    charge = {"kind": "time", "source_id": event_id, "amount": amount, "quantity": hours}
    return {
        "id": event_id,
        "work": work,
        "charges": [charge],
        "unit_price": money_text(rate_currency, rate_units),
    }


def money_text(currency: str, minor_units: int) -> str:
    digits = Currency(currency).exponent or 0
    return decimal_text(Decimal(minor_units).scaleb(-digits, context=EXACT))


def decimal_text(value: Decimal) -> str:
    return f"{value:f}"


def create_billing_agreements() -> None:
    op.create_table(
        "billing_agreements",
        sa.Column("engagement_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("terms", JSON, nullable=False),
        sa.Column("states", JSON, nullable=False),
        sa.Column("amendments", JSON, nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("engagement_id", name=op.f("pk_billing_agreements")),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_billing_agreements_engagement_id_engagements"),
        ),
    )


def money_columns(prefix: str) -> list[Any]:
    currency = f"{prefix}_currency"
    return [
        sa.Column(currency, sa.String(CURRENCY_LENGTH), nullable=False),
        sa.Column(f"{prefix}_minor_units", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            f"length({currency}) <= {CURRENCY_LENGTH}",
            name=op.f(f"ck_invoices_{currency}_length"),
        ),
    ]


def create_invoices() -> None:
    op.create_table(
        "invoices",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("engagement_id", sa.String(64), nullable=False),
        sa.Column("legal_entity_code", sa.String(32), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", ENUM, nullable=False),
        sa.Column("number", sa.String(64)),
        sa.Column("issued_on", sa.Date()),
        sa.Column("due_on", sa.Date()),
        *money_columns("total"),
        *money_columns("balance"),
        sa.Column("legal_entity", JSON, nullable=False),
        sa.Column("customer", JSON, nullable=False),
        sa.Column("payment_terms", JSON, nullable=False),
        sa.Column("document_number", JSON),
        sa.Column("lines", JSON, nullable=False),
        sa.Column("discount", JSON),
        sa.Column("credit_notes", JSON, nullable=False),
        sa.Column("payments", JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
    )
    op.create_index(op.f("ix_invoices_engagement_id"), "invoices", ["engagement_id"])
    op.create_index(
        op.f("ix_invoices_legal_entity_code_status_id"),
        "invoices",
        ["legal_entity_code", "status", "id"],
    )


def create_billed_work() -> None:
    op.create_table(
        "billed_work",
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("kind", ENUM, nullable=False),
        sa.Column("invoice_id", sa.String(64), nullable=False),
        sa.Column("status", ENUM, nullable=False),
        sa.Column("credit_note_id", sa.String(64), nullable=False),
        sa.Column("times_invoiced", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source_id", "kind", name=op.f("pk_billed_work")),
    )
    op.create_index(op.f("ix_billed_work_invoice_id"), "billed_work", ["invoice_id"])


def create_document_sequences() -> None:
    op.create_table(
        "document_sequences",
        sa.Column("legal_entity_code", sa.String(32), nullable=False),
        sa.Column("series", ENUM, nullable=False),
        sa.Column("next_sequence", sa.BigInteger(), nullable=False),
        sa.Column("last_issued_on", sa.Date()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("legal_entity_code", "series", name=op.f("pk_document_sequences")),
    )


def downgrade() -> None:
    """Back to time entries only: refused while any billable event is not one, since the old
    schema cannot hold it."""
    others = op.get_bind().execute(
        sa.text(
            f"SELECT COUNT(*) FROM {EVENTS} "
            "WHERE hours_ten_thousandths IS NULL OR rate_minor_units IS NULL"
        )
    )
    if others.scalar():
        raise RuntimeError("billable events other than time entries cannot go back to 0007")
    resize_audit_keys(AUDIT_KEY_LENGTH, BUSINESS_KEY_LENGTH)
    for table in ("document_sequences", "billed_work", "invoices", "billing_agreements"):
        op.drop_table(table)
    with op.batch_alter_table(EVENTS) as batch:
        batch.drop_index(op.f(EVENTS_INDEX))
        for column in ("unit_price", "charges", "work", "work_package_code"):
            batch.drop_column(column)
        batch.alter_column("rate_minor_units", existing_type=sa.BigInteger(), nullable=False)
        batch.alter_column(
            "rate_currency", existing_type=sa.String(CURRENCY_LENGTH), nullable=False
        )
        batch.alter_column("hours_ten_thousandths", existing_type=sa.BigInteger(), nullable=False)
    with op.batch_alter_table("engagements") as batch:
        for column in ("payment_terms_days", "customer_vat_number", "customer_country"):
            batch.drop_column(column)
