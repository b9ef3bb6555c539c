"""The legacy ERP's Payables tables (see simulators/legacy_erp.py): suppliers and their sites,
the Payables open interface, its rejections, and the invoices it imports.

Oracle's columns have fixed lengths (ORA-12899 past them); the checks below refuse an overlong
value on SQLite as Oracle and PostgreSQL do."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from simulators.legacy_erp_schema import DecimalText, metadata

STATUS_PROCESSED = "PROCESSED"
STATUS_REJECTED = "REJECTED"
HEADERS = "AP_INVOICES_INTERFACE"
LINES = "AP_INVOICE_LINES_INTERFACE"


def at_most(table: str, column: str, length: int) -> CheckConstraint:
    return CheckConstraint(f"length({column}) <= {length}", name=f"{table}_{column}_length")


suppliers = Table(
    "ap_suppliers",
    metadata,
    Column("vendor_id", Integer, primary_key=True, autoincrement=True),
    Column("segment1", String(30), nullable=False),  # the supplier number, entered manually
    Column("vendor_name", String(240), nullable=False),
    Column("vendor_type_lookup_code", String(30)),
    Column("enabled_flag", String(1), nullable=False, server_default="Y"),
    UniqueConstraint("segment1", name="ap_suppliers_u1"),
    at_most("ap_suppliers", "segment1", 30),
)

supplier_sites = Table(
    "ap_supplier_sites_all",
    metadata,
    Column("vendor_site_id", Integer, primary_key=True, autoincrement=True),
    Column("vendor_id", Integer, nullable=False),
    Column("vendor_site_code", String(15), nullable=False),
    Column("org_id", String(30), nullable=False),
    Column("invoice_currency_code", String(15), nullable=False),
    Column("pay_site_flag", String(1), nullable=False, server_default="Y"),
    UniqueConstraint("vendor_id", "vendor_site_code", "org_id", name="ap_supplier_sites_u1"),
    at_most("ap_supplier_sites", "vendor_site_code", 15),
)

invoices_interface = Table(
    "ap_invoices_interface",
    metadata,
    # The feeder assigns INVOICE_ID: any number unique in the table (most use the sequence).
    Column("invoice_id", BigInteger, primary_key=True, autoincrement=False),
    Column("invoice_num", String(50), nullable=False),
    Column("invoice_type_lookup_code", String(25), nullable=False),
    Column("invoice_date", Date),
    Column("vendor_num", String(30)),
    Column("vendor_site_code", String(15)),
    Column("invoice_amount", DecimalText(), nullable=False),
    Column("invoice_currency_code", String(15), nullable=False),
    Column("description", String(240)),
    Column("source", String(80), nullable=False),
    Column("gl_date", Date),
    Column("org_id", String(30), nullable=False),
    Column("attribute_category", String(150)),
    Column("attribute1", String(150)),
    Column("attribute2", String(150)),
    Column("attribute3", String(150)),
    Column("status", String(25)),  # empty until an import run: PROCESSED or REJECTED
    Column("request_id", Integer),
    at_most("ap_invoices_interface", "invoice_num", 50),
    at_most("ap_invoices_interface", "vendor_num", 30),
    at_most("ap_invoices_interface", "vendor_site_code", 15),
)

invoice_lines_interface = Table(
    "ap_invoice_lines_interface",
    metadata,
    Column("invoice_line_id", Integer, primary_key=True, autoincrement=True),
    Column("invoice_id", BigInteger, nullable=False, index=True),
    Column("line_number", Integer, nullable=False),
    Column("line_type_lookup_code", String(25), nullable=False),
    Column("amount", DecimalText(), nullable=False),
    Column("description", String(240)),
    Column("accounting_date", Date),
    Column("tax_rate", DecimalText()),
    UniqueConstraint("invoice_id", "line_number", name="ap_invoice_lines_interface_u2"),
)

interface_rejections = Table(
    "ap_interface_rejections",
    metadata,
    Column("parent_table", String(30), nullable=False),
    Column("parent_id", BigInteger, nullable=False, index=True),
    Column("reject_lookup_code", String(30), nullable=False),
    Column("request_id", Integer),
)

invoices = Table(
    "ap_invoices_all",
    metadata,
    Column("invoice_id", Integer, primary_key=True, autoincrement=True),
    Column("invoice_num", String(50), nullable=False),
    Column("invoice_type_lookup_code", String(25), nullable=False),
    Column("vendor_id", Integer, nullable=False),
    Column("vendor_site_id", Integer, nullable=False),
    Column("org_id", String(30), nullable=False),
    Column("invoice_date", Date, nullable=False),
    Column("gl_date", Date, nullable=False),
    Column("invoice_currency_code", String(15), nullable=False),
    Column("invoice_amount", DecimalText(), nullable=False),
    Column("source", String(80), nullable=False),
    Column("attribute_category", String(150)),
    Column("attribute1", String(150)),
    Column("attribute2", String(150)),
    Column("attribute3", String(150)),
    Column("request_id", Integer, nullable=False),
    UniqueConstraint("vendor_id", "invoice_num", "org_id", name="ap_invoices_u2"),
)

invoice_lines = Table(
    "ap_invoice_lines_all",
    metadata,
    Column("invoice_id", Integer, nullable=False),
    Column("line_number", Integer, nullable=False),
    Column("line_type_lookup_code", String(25), nullable=False),
    Column("amount", DecimalText(), nullable=False),
    Column("description", String(240)),
    Column("org_id", String(30), nullable=False),
    UniqueConstraint("invoice_id", "line_number", name="ap_invoice_lines_u1"),
)
