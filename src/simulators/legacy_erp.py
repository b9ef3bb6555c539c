"""The legacy on-premise ERP: an Oracle E-Business Suite style open interface in a SQL database
of its own (a SQLite file or a PostgreSQL database), and the import job (AutoInvoice, then
Payables Open Interface Import) that turns interface rows into transactions or errors.

The schema keeps Oracle's table and column names (lower case, so that they need no quoting) but
only the columns o2c uses:
- ra_interface_lines_all: what a feeder system writes. interface_line_context and
  interface_line_attribute1..15 are unique together: the feeder's idempotency key.
  interface_status is NEW until an import run sets P (imported) or E (refused). trx_number is
  left empty for a batch source with Automatic Transaction Numbering (the firm's intercompany
  source, O2C INTERCOMPANY): the import numbers those transactions itself.
- ra_interface_errors: one row per refusal of an interface line, with its message.
- ra_customer_trx_all: imported transactions, linked back to the feeder through
  interface_header_context and interface_header_attribute1..2. Their types: INV, CM,
  INTERCOMPANY (class INV: the firm's type for invoices to its own legal entities, so that they
  post to the intercompany receivable account) and INTERCOMPANY CM (class CM, its credit memos).
  A credit memo names the transaction it credits by that transaction's interface context and
  attribute 1 (reference_line_context, reference_line_attribute1); AutoInvoice refuses one whose
  transaction the org does not hold.
- hz_cust_accounts: customer accounts by orig_system_reference, one per org_id here (EBS keeps
  the org on the account site; one table is enough for o2c), each of a party (hz_parties: its
  name, tax reference and country).
- ar_cash_receipts_all: receipts, each applied to one transaction (EBS keeps the application
  in ar_receivable_applications_all).
- hz_customer_profiles, hz_cust_profile_amts and ar_payment_schedules_all: credit limits and
  holds, and what is due on each transaction (see legacy_erp_credit).
- ap_suppliers (by supplier number, segment1, entered by hand: o2c's external id) and
  ap_supplier_sites_all (one per supplier, site code and org_id).
- ap_invoices_interface and ap_invoice_lines_interface: the Payables open interface. The feeder
  assigns invoice_id (unique in the table); status is empty until an import run sets PROCESSED
  or REJECTED. invoice_type_lookup_code STANDARD (amount zero or more) or CREDIT (a credit
  memo, amount below zero; INVALID INVOICE AMOUNT otherwise); the lines must add up to the
  amount (INVOICE AMOUNT INCORRECT). ap_interface_rejections: one row per rejection, a REJECT
  CODE lookup code, of a header (parent_table AP_INVOICES_INTERFACE) or of a line.
- ap_invoices_all and ap_invoice_lines_all: imported invoices, one per supplier, invoice number
  and org_id, carrying the interface's attribute_category and attribute1..3. Payables does not
  check what a credit memo names in its flexfield.

- hr_operating_units, gl_ledgers, xle_entity_profiles, E-Business Tax's rates, the chart of
  accounts' cost-centre values, and hz_parties: master data the ERP's users keep, which o2c
  only reads (see legacy_erp_reference_schema and legacy_erp_reference).

Beside this module: legacy_erp_schema, legacy_erp_payables_schema, legacy_erp_credit and
legacy_erp_reference_schema (the tables), legacy_erp_reference (the back office's master data),
legacy_erp_validation (AutoInvoice's checks), legacy_erp_import (`run_import` and the
`ImportJob` thread), legacy_erp_payables (`run_payables_import`) and legacy_erp_sessions (the
database's limit on sessions, and its faults on cue).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Table, select

from simulators import legacy_erp_reference_schema  # noqa: F401  (its tables are installed too)
from simulators.legacy_erp_credit import (
    apply_receipt,
    customer_profiles,
    payment_schedules,
    profile_amounts,
    set_credit,
)
from simulators.legacy_erp_import import ImportJob, ImportRun, run_import
from simulators.legacy_erp_payables import PayablesRun, run_payables_import
from simulators.legacy_erp_payables_schema import (
    interface_rejections,
    invoice_lines,
    invoice_lines_interface,
    invoices,
    invoices_interface,
    supplier_sites,
    suppliers,
)
from simulators.legacy_erp_schema import (
    cash_receipts,
    customer_accounts,
    customer_trx,
    interface_errors,
    interface_lines,
    legacy_engine,
    metadata,
    parties,
)
from simulators.legacy_erp_sessions import SessionWatch
from simulators.legacy_erp_validation import ALL_PERIODS_OPEN, ImportRules, trx_id

__all__ = [
    "ImportJob",
    "ImportRules",
    "ImportRun",
    "LegacyErp",
    "PayablesRun",
    "SessionWatch",
    "cash_receipts",
    "customer_accounts",
    "customer_profiles",
    "customer_trx",
    "interface_errors",
    "interface_lines",
    "interface_rejections",
    "invoice_lines",
    "invoice_lines_interface",
    "invoices",
    "invoices_interface",
    "parties",
    "payment_schedules",
    "profile_amounts",
    "run_import",
    "run_payables_import",
    "supplier_sites",
    "suppliers",
]


class LegacyErp:
    """The legacy database with its import job and session accounting. `watch(engine)` puts a
    feeder's engine (o2c's adapter's) under the database's session accounting."""

    def __init__(
        self, url: str, *, max_sessions: int = 4, rules: ImportRules = ALL_PERIODS_OPEN
    ) -> None:
        self.url = url
        self.engine = legacy_engine(url)
        self.sessions = SessionWatch(limit=max_sessions)
        self.job = ImportJob(self.engine, rules)

    def install(self) -> LegacyErp:
        metadata.create_all(self.engine)
        return self

    def start(self, every: float = 0.05) -> None:
        self.job.every = every
        self.job.start()

    def stop(self) -> None:
        self.job.stop()
        self.engine.dispose()

    def watch(self, engine: Engine) -> None:
        self.sessions.watch(engine)

    def run_import(self) -> ImportRun:
        return run_import(self.engine, self.job.rules)

    def run_payables_import(self) -> PayablesRun:
        return run_payables_import(self.engine, self.job.rules)

    def receive_payment(
        self,
        *,
        org_id: str,
        receipt_number: str,
        trx_number: str,
        amount: Decimal,
        currency_code: str,
        receipt_date: dt.date,
    ) -> None:
        """Cash applied in the ERP's back office, for tests and the demo."""
        receipt = {
            "receipt_number": receipt_number,
            "org_id": org_id,
            "currency_code": currency_code,
            "amount": amount,
            "receipt_date": receipt_date,
        }
        with self.engine.begin() as connection:
            applied = trx_id(connection, org_id, trx_number)
            if applied is None:
                raise LookupError(f"no transaction {trx_number} in org {org_id}")
            insert = cash_receipts.insert().values(**receipt, applied_customer_trx_id=applied)
            created = connection.execute(insert).inserted_primary_key
            assert created is not None
            apply_receipt(connection, created[0], receipt, applied)

    def set_credit(
        self,
        *,
        org_id: str,
        orig_system_reference: str,
        currency_code: str,
        overall_credit_limit: Decimal | None,
        credit_hold: bool,
    ) -> None:
        """A customer account's credit limit in a currency (None: none) and credit hold, set on
        its profile in the back office, for tests and the demo."""
        with self.engine.begin() as connection:
            set_credit(
                connection,
                org_id=org_id,
                orig_system_reference=orig_system_reference,
                currency_code=currency_code,
                overall_credit_limit=overall_credit_limit,
                credit_hold=credit_hold,
            )

    @contextmanager
    def back_office(self) -> Iterator[Connection]:
        """One transaction of the ERP's own users, keeping master data through
        simulators.legacy_erp_reference, for tests and the demo."""
        with self.engine.begin() as connection:
            yield connection

    def rows(self, table: Table) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(select(table)).mappings()]
