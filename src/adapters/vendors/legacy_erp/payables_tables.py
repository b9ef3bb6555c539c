"""The legacy ERP's Payables tables as o2c reads and writes them: suppliers and their sites, the
Payables open interface and its rejections, and the invoices it imports."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Integer, String, Table

from adapters.vendors.legacy_erp.tables import DecimalText, metadata

suppliers = Table(
    "ap_suppliers",
    metadata,
    Column("vendor_id", Integer, primary_key=True),
    Column("segment1", String(30)),
    Column("vendor_name", String(240)),
    Column("vendor_type_lookup_code", String(30)),
)

supplier_sites = Table(
    "ap_supplier_sites_all",
    metadata,
    Column("vendor_site_id", Integer, primary_key=True),
    Column("vendor_id", Integer),
    Column("vendor_site_code", String(15)),
    Column("org_id", String(30)),
    Column("invoice_currency_code", String(15)),
)

invoices_interface = Table(
    "ap_invoices_interface",
    metadata,
    Column("invoice_id", BigInteger, primary_key=True, autoincrement=False),
    Column("invoice_num", String(50)),
    Column("invoice_type_lookup_code", String(25)),
    Column("invoice_date", Date),
    Column("vendor_num", String(30)),
    Column("vendor_site_code", String(15)),
    Column("invoice_amount", DecimalText()),
    Column("invoice_currency_code", String(15)),
    Column("description", String(240)),
    Column("source", String(80)),
    Column("gl_date", Date),
    Column("org_id", String(30)),
    Column("attribute_category", String(150)),
    Column("attribute1", String(150)),
    Column("attribute2", String(150)),
    Column("attribute3", String(150)),
    Column("status", String(25)),
)

invoice_lines_interface = Table(
    "ap_invoice_lines_interface",
    metadata,
    Column("invoice_line_id", Integer, primary_key=True),
    Column("invoice_id", BigInteger),
    Column("line_number", Integer),
    Column("line_type_lookup_code", String(25)),
    Column("amount", DecimalText()),
    Column("description", String(240)),
    Column("accounting_date", Date),
    Column("tax_rate", DecimalText()),
)

interface_rejections = Table(
    "ap_interface_rejections",
    metadata,
    Column("parent_table", String(30)),
    Column("parent_id", BigInteger),
    Column("reject_lookup_code", String(30)),
)

invoices = Table(
    "ap_invoices_all",
    metadata,
    Column("invoice_id", Integer, primary_key=True),
    Column("invoice_num", String(50)),
    Column("invoice_type_lookup_code", String(25)),
    Column("vendor_id", Integer),
    Column("org_id", String(30)),
    Column("invoice_currency_code", String(15)),
    Column("invoice_amount", DecimalText()),
    Column("source", String(80)),
    Column("attribute_category", String(150)),
    Column("attribute2", String(150)),
)
