"""Money stored exactly and string columns sized by the API's declared lengths.

Amounts move from NUMERIC(18,3) (a float on SQLite) to whole minor units of each row's
currency, and hours to whole ten-thousandths. A stored float is read back as the shortest
decimal that names it (the one the application wrote); a value with more decimals than its
currency allows stops the migration, naming the row, instead of being rounded.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op
from iso4217 import Currency

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
OLD_AMOUNT = sa.Numeric(18, 3)
OLD_HOURS = sa.Numeric(12, 6)
WHOLE = sa.BigInteger()
HOURS_DECIMALS = 4
MONEY = {"engagements": ("contract_value",), "billable_events": ("rate", "amount")}
# (column, length before, length declared by the API at this revision); each gets a CHECK too,
# as SQLite ignores a VARCHAR's length.
LENGTHS = {
    "engagements": [
        ("opportunity_id", 255, 128),
        ("account_id", 255, 128),
        ("account_name", 255, 255),
        ("legal_entity_code", 64, 32),
        ("currency", 3, 3),
        ("contract_value_currency", 3, 3),
        ("erp_legal_entity", 255, 64),
        ("tax_registration", 255, 64),
        ("erp_customer_number", 255, 128),
    ],
    "work_packages": [
        ("code", 64, 32),
        ("name", 255, 255),
        ("region", 64, 64),
        ("psa_project_id", 255, 128),
    ],
    "billable_events": [
        ("source_id", 255, 128),
        ("resource", 255, 255),
        ("role", 255, 64),
        ("rate_currency", 3, 3),
        ("amount_currency", 3, 3),
    ],
    "exceptions": [("business_key", 255, 128)],
    "audit_log": [("business_key", 255, 128)],
    "request_ledger": [("request_id", 128, 128)],
}
NULLABLE = {"psa_project_id", "erp_legal_entity", "tax_registration", "erp_customer_number"}


def upgrade() -> None:
    for table in LENGTHS:
        check_lengths_fit(table)
    add_whole_number_columns()
    for table, prefixes in MONEY.items():
        for prefix in prefixes:
            convert(table, f"{prefix}_amount", f"{prefix}_minor_units", prefix, to_minor_units)
    convert("billable_events", "hours", "hours_ten_thousandths", None, to_ten_thousandths)
    for table in LENGTHS:
        with op.batch_alter_table(table) as batch:
            if table in MONEY:
                drop_old_columns(batch, table)
            declare_lengths(batch, table)


def add_whole_number_columns() -> None:
    for table, prefixes in MONEY.items():
        with op.batch_alter_table(table) as batch:
            for prefix in prefixes:
                batch.add_column(sa.Column(f"{prefix}_minor_units", sa.BigInteger()))
    with op.batch_alter_table("billable_events") as batch:
        batch.add_column(sa.Column("hours_ten_thousandths", sa.BigInteger()))


def drop_old_columns(batch: Any, table: str) -> None:
    for prefix in MONEY[table]:
        batch.alter_column(f"{prefix}_minor_units", nullable=False)
        batch.drop_column(f"{prefix}_amount")
    if table == "billable_events":
        batch.alter_column("hours_ten_thousandths", nullable=False)
        batch.drop_column("hours")


def declare_lengths(batch: Any, table: str) -> None:
    for column, before, declared in LENGTHS[table]:
        if declared != before:
            resize(batch, column, before, declared)
        batch.create_check_constraint(
            length_check_name(table, column), f"length({column}) <= {declared}"
        )


def undeclare_lengths(batch: Any, table: str) -> None:
    for column, before, declared in LENGTHS[table]:
        batch.drop_constraint(length_check_name(table, column), type_="check")
        if declared != before:
            resize(batch, column, declared, before)


def length_check_name(table: str, column: str) -> Any:
    return op.f(f"ck_{table}_{column}_length")  # final: the naming convention adds no prefix


def resize(batch: Any, column: str, old: int, new: int) -> None:
    batch.alter_column(
        column,
        existing_type=sa.String(old),
        type_=sa.String(new),
        existing_nullable=column in NULLABLE,
    )


def check_lengths_fit(table: str) -> None:
    for column, _before, declared in LENGTHS[table]:
        query = f"SELECT COUNT(*) FROM {table} WHERE LENGTH({column}) > {declared}"
        too_long = op.get_bind().execute(sa.text(query)).scalar()
        if too_long:
            raise RuntimeError(
                f"{too_long} rows of {table}.{column} are longer than the {declared} characters "
                "the API now declares; shorten them before migrating"
            )


def convert(
    table: str,
    old: str,
    new: str,
    prefix: str | None,
    to_whole: Callable[[Decimal, str | None, str], int],
) -> None:
    currency = f"{prefix}_currency" if prefix else "NULL"
    rows = op.get_bind().execute(sa.text(f"SELECT id, {currency}, {old} FROM {table}")).all()
    updates = []
    for row_id, code, value in rows:
        where = f"{table}.{old} of row {row_id!r}"
        updates.append({"id": row_id, "whole": to_whole(exact_decimal(value, where), code, where)})
    update(table, new, updates)


def update(
    table: str, column: str, rows: Iterable[dict[str, Any]], value_type: Any = WHOLE
) -> None:
    rows = list(rows)
    statement = sa.text(f"UPDATE {table} SET {column} = :whole WHERE id = :id").bindparams(
        sa.bindparam("whole", type_=value_type)
    )
    if rows:
        op.get_bind().execute(statement, rows)


def exact_decimal(value: Any, where: str) -> Decimal:
    """SQLite returns the float it stored: its shortest repr is the decimal once written."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int | Decimal | str):
        return Decimal(value)
    raise RuntimeError(f"{where} holds {value!r}, which is not a number")


def minor_digits(code: str | None, where: str) -> int:
    try:
        digits = Currency(code).exponent
    except ValueError:
        digits = None
    if digits is None:
        raise RuntimeError(f"{where} is in {code!r}, which ISO 4217 gives no minor units")
    return digits


def to_minor_units(amount: Decimal, code: str | None, where: str) -> int:
    return whole(amount, minor_digits(code, where), where)


def to_ten_thousandths(hours: Decimal, _code: str | None, where: str) -> int:
    return whole(hours, HOURS_DECIMALS, where)


def whole(value: Decimal, decimals: int, where: str) -> int:
    scaled = value.scaleb(decimals, context=EXACT)
    if scaled != scaled.to_integral_value():
        raise RuntimeError(f"{where} holds {value}, more than {decimals} decimals: not rounding")
    return int(scaled)


def downgrade() -> None:
    for table in LENGTHS:
        if table not in MONEY:
            with op.batch_alter_table(table) as batch:
                undeclare_lengths(batch, table)
    for table, prefixes in MONEY.items():
        with op.batch_alter_table(table) as batch:
            for prefix in prefixes:
                batch.add_column(sa.Column(f"{prefix}_amount", OLD_AMOUNT))
    with op.batch_alter_table("billable_events") as batch:
        batch.add_column(sa.Column("hours", OLD_HOURS))
    for table, prefixes in MONEY.items():
        for prefix in prefixes:
            currency = f"{prefix}_currency"
            restore(table, f"{prefix}_minor_units", f"{prefix}_amount", currency, OLD_AMOUNT)
    restore("billable_events", "hours_ten_thousandths", "hours", None, OLD_HOURS)
    for table in MONEY:
        with op.batch_alter_table(table) as batch:
            drop_whole_number_columns(batch, table)
            undeclare_lengths(batch, table)


def drop_whole_number_columns(batch: Any, table: str) -> None:
    for prefix in MONEY[table]:
        batch.alter_column(f"{prefix}_amount", nullable=False)
        batch.drop_column(f"{prefix}_minor_units")
    if table == "billable_events":
        batch.alter_column("hours", nullable=False)
        batch.drop_column("hours_ten_thousandths")


def restore(table: str, whole: str, decimal: str, currency: str | None, old_type: Any) -> None:
    query = f"SELECT id, {currency or 'NULL'}, {whole} FROM {table}"
    rows = op.get_bind().execute(sa.text(query)).all()
    where = f"{table}.{whole}"
    values = [{"id": row, "whole": from_whole(units, code, where)} for row, code, units in rows]
    update(table, decimal, values, old_type)


def from_whole(units: int, code: str | None, where: str) -> Decimal:
    decimals = minor_digits(code, where) if code is not None else HOURS_DECIMALS
    return Decimal(units).scaleb(-decimals, context=EXACT)
