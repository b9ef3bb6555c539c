"""The legacy ERP's tables (see simulators/legacy_erp.py) and its own engine."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url

ATTRIBUTES = 15
STATUS_NEW = "NEW"
STATUS_IMPORTED = "P"
STATUS_ERROR = "E"


class DecimalText(TypeDecorator[Decimal]):
    """Oracle's NUMBER, kept exact on SQLite too: the decimal's text."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> str | None:
        return None if value is None else f"{Decimal(value):f}"

    def process_result_value(self, value: str | None, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


def attribute_columns(prefix: str) -> list[Column[str]]:
    return [
        Column(f"{prefix}{n}", String(150), nullable=False, server_default="")
        for n in range(1, ATTRIBUTES + 1)
    ]


metadata = MetaData()

interface_lines = Table(
    "ra_interface_lines_all",
    metadata,
    Column("interface_line_id", Integer, primary_key=True, autoincrement=True),
    Column("interface_line_context", String(30), nullable=False),
    *attribute_columns("interface_line_attribute"),
    Column("batch_source_name", String(50), nullable=False),
    Column("line_type", String(20), nullable=False),
    Column("description", String(240), nullable=False),
    Column("currency_code", String(15), nullable=False),
    Column("amount", DecimalText()),
    Column("quantity", DecimalText()),
    Column("unit_selling_price", DecimalText()),
    Column("tax_rate", DecimalText()),
    Column("cust_trx_type_name", String(20), nullable=False),
    Column("trx_number", String(20)),  # empty when the batch source numbers transactions
    Column("trx_date", Date),
    Column("gl_date", Date),
    Column("orig_system_bill_customer_ref", String(240), nullable=False),
    Column("org_id", String(30), nullable=False),
    Column("reference_line_context", String(30)),
    Column("reference_line_attribute1", String(150)),
    Column("interface_status", String(10), nullable=False, server_default=STATUS_NEW),
    Column("request_id", Integer),
    Column("customer_trx_id", Integer),
    UniqueConstraint(
        "interface_line_context",
        *(f"interface_line_attribute{n}" for n in range(1, ATTRIBUTES + 1)),
        name="ra_interface_lines_u1",
    ),
)

interface_errors = Table(
    "ra_interface_errors",
    metadata,
    Column("interface_error_id", Integer, primary_key=True, autoincrement=True),
    Column("interface_line_id", Integer, nullable=False, index=True),
    Column("message_text", String(2000), nullable=False),
    Column("invalid_value", String(240)),
)

customer_trx = Table(
    "ra_customer_trx_all",
    metadata,
    Column("customer_trx_id", Integer, primary_key=True, autoincrement=True),
    Column("trx_number", String(20), nullable=False),
    Column("org_id", String(30), nullable=False),
    Column("cust_trx_type", String(20), nullable=False),
    Column("trx_date", Date, nullable=False),
    Column("gl_date", Date, nullable=False),
    Column("bill_to_customer_id", Integer, nullable=False),
    Column("invoice_currency_code", String(15), nullable=False),
    Column("amount", DecimalText(), nullable=False),
    Column("previous_customer_trx_id", Integer),
    Column("batch_source_name", String(50), nullable=False),
    Column("interface_header_context", String(30), nullable=False),
    Column("interface_header_attribute1", String(150), nullable=False),
    Column("interface_header_attribute2", String(150), nullable=False),
    Column("request_id", Integer, nullable=False),
    UniqueConstraint("org_id", "trx_number", name="ra_customer_trx_u1"),
)

parties = Table(
    "hz_parties",
    metadata,
    Column("party_id", Integer, primary_key=True, autoincrement=True),
    Column("party_name", String(360), nullable=False),
    Column("party_type", String(30), nullable=False, server_default="ORGANIZATION"),
    Column("tax_reference", String(50)),
    Column("country", String(60)),
)

customer_accounts = Table(
    "hz_cust_accounts",
    metadata,
    Column("cust_account_id", Integer, primary_key=True, autoincrement=True),
    Column("party_id", Integer, nullable=False),
    Column("orig_system_reference", String(240), nullable=False),
    Column("org_id", String(30), nullable=False),
    Column("account_name", String(360), nullable=False),
    Column("currency_code", String(15), nullable=False),
    UniqueConstraint("orig_system_reference", "org_id", name="hz_cust_accounts_u1"),
)

cash_receipts = Table(
    "ar_cash_receipts_all",
    metadata,
    Column("cash_receipt_id", Integer, primary_key=True, autoincrement=True),
    Column("receipt_number", String(30), nullable=False),
    Column("org_id", String(30), nullable=False),
    Column("currency_code", String(15), nullable=False),
    Column("amount", DecimalText(), nullable=False),
    Column("receipt_date", Date, nullable=False),
    Column("applied_customer_trx_id", Integer, nullable=False),
    UniqueConstraint("org_id", "receipt_number", name="ar_cash_receipts_u1"),
)


def legacy_engine(url: str) -> Engine:
    """The ERP's own engine, for its import job and back office."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_waits_for_locks)
        event.listen(engine, "begin", lambda c: c.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_waits_for_locks(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    dbapi_connection.execute("PRAGMA busy_timeout=30000")
