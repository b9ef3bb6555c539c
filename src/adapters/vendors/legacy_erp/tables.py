"""The legacy ERP's tables as o2c reads and writes them: only the columns it uses. The ERP owns
the schema; see simulators/legacy_erp.py for the whole of it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, TypeDecorator

ATTRIBUTES = 15


class DecimalText(TypeDecorator[Decimal]):
    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> str | None:
        return None if value is None else f"{Decimal(value):f}"

    def process_result_value(self, value: str | None, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


metadata = MetaData()

interface_lines = Table(
    "ra_interface_lines_all",
    metadata,
    Column("interface_line_id", Integer, primary_key=True),
    Column("interface_line_context", String(30)),
    *(Column(f"interface_line_attribute{n}", String(150)) for n in range(1, ATTRIBUTES + 1)),
    Column("batch_source_name", String(50)),
    Column("line_type", String(20)),
    Column("description", String(240)),
    Column("currency_code", String(15)),
    Column("amount", DecimalText()),
    Column("quantity", DecimalText()),
    Column("unit_selling_price", DecimalText()),
    Column("tax_rate", DecimalText()),
    Column("cust_trx_type_name", String(20)),
    Column("trx_number", String(20)),
    Column("trx_date", Date),
    Column("gl_date", Date),
    Column("orig_system_bill_customer_ref", String(240)),
    Column("org_id", String(30)),
    Column("reference_line_context", String(30)),
    Column("reference_line_attribute1", String(150)),
    Column("interface_status", String(10)),
)

interface_errors = Table(
    "ra_interface_errors",
    metadata,
    Column("interface_line_id", Integer),
    Column("message_text", String(2000)),
    Column("invalid_value", String(240)),
)

customer_trx = Table(
    "ra_customer_trx_all",
    metadata,
    Column("customer_trx_id", Integer, primary_key=True),
    Column("trx_number", String(20)),
    Column("org_id", String(30)),
    Column("cust_trx_type", String(20)),
    Column("batch_source_name", String(50)),
    Column("invoice_currency_code", String(15)),
    Column("amount", DecimalText()),
    Column("interface_header_context", String(30)),
    Column("interface_header_attribute1", String(150)),
    Column("interface_header_attribute2", String(150)),
)

parties = Table(
    "hz_parties",
    metadata,
    Column("party_id", Integer, primary_key=True),
    Column("party_name", String(360)),
    Column("tax_reference", String(50)),
    Column("country", String(60)),
)

customer_accounts = Table(
    "hz_cust_accounts",
    metadata,
    Column("cust_account_id", Integer, primary_key=True),
    Column("party_id", Integer),
    Column("orig_system_reference", String(240)),
    Column("org_id", String(30)),
    Column("account_name", String(360)),
    Column("currency_code", String(15)),
)

cash_receipts = Table(
    "ar_cash_receipts_all",
    metadata,
    Column("receipt_number", String(30)),
    Column("org_id", String(30)),
    Column("currency_code", String(15)),
    Column("amount", DecimalText()),
    Column("receipt_date", Date),
    Column("applied_customer_trx_id", Integer),
)
