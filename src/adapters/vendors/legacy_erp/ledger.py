"""The legacy ERP's ledger: documents written to its open interfaces (AutoInvoice for
receivables and their credit memos, the Payables open interface for intercompany bills and
theirs) and awaited until the import job has taken them in (or refused them); customers kept
in its customer accounts and their parties, suppliers in its suppliers and their sites; a
customer's credit read from its profile and its payment schedules; the master data its users
keep (operating units, tax rates, cost centres, customers) read from its own tables."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol

from sqlalchemy import Connection, select

from adapters.vendors.legacy_erp import credit, reference
from adapters.vendors.legacy_erp import interface as mapping
from adapters.vendors.legacy_erp import payables_interface as bills
from adapters.vendors.legacy_erp.database import ERP, DuplicateRow, LegacyDatabase
from adapters.vendors.legacy_erp.payables import Payables, upsert_supplier
from adapters.vendors.legacy_erp.payables_tables import invoices
from adapters.vendors.legacy_erp.receivables import Receivables, upsert_account
from adapters.vendors.legacy_erp.settings import LegacyErpSettings
from adapters.vendors.legacy_erp.tables import cash_receipts, customer_trx
from application.erp_ports import (
    CustomerCredit,
    LedgerCustomer,
    LedgerDocument,
    LedgerPayment,
    LedgerVendor,
    OpenItem,
    Posted,
)
from application.errors import VendorRejected, VendorUnavailable
from application.reference_ports import (
    ErpCostCentre,
    ErpCustomerRecord,
    ErpLegalEntityRecord,
    ErpTaxCode,
)

P = ParamSpec("P")


class OpenInterface(Protocol):
    def interface(self, connection: Connection, document: LedgerDocument) -> None: ...
    def imported_id(self, connection: Connection, posting_key: str) -> str | None: ...
    def errors(self, connection: Connection, posting_key: str) -> list[str]: ...


class LegacyErpLedger:
    def __init__(self, settings: LegacyErpSettings) -> None:
        self.settings = settings
        self.database = LegacyDatabase(settings)
        self.ar = Receivables(settings)
        self.ap = Payables(settings)

    @property
    def erp(self) -> str:
        return ERP

    def close(self) -> None:
        self.database.close()

    def upsert_customer(self, customer: LedgerCustomer) -> str:
        account, party = mapping.account_of(customer), mapping.party_of(customer)
        try:
            return self._in_transaction(upsert_account, account, party)
        except DuplicateRow:  # created meanwhile by another caller: now it is an update
            return self._in_transaction(upsert_account, account, party)

    def upsert_vendor(self, vendor: LedgerVendor) -> str:
        check_supplier_number(vendor.external_id)
        try:
            return self._in_transaction(upsert_supplier, vendor, self.settings)
        except DuplicateRow:  # created meanwhile by another caller: now it is an update
            return self._in_transaction(upsert_supplier, vendor, self.settings)

    def post(self, document: LedgerDocument) -> Posted:
        """Interface the document's rows unless they are there already, then wait (at most
        `import_wait`) for the import job's outcome."""
        if not document.lines:
            raise VendorRejected(ERP, f"{document.number} has no lines to interface")
        books = self._books_of(document)
        self._interface(document, books)
        return self._await_import(document, books)

    def find(self, posting_key: str) -> Posted | None:
        with self.database.transaction() as connection:
            found = self.ar.imported_id(connection, posting_key)
            if found is None:
                found = self.ap.imported_id(connection, posting_key)
        return None if found is None else Posted(posting_key, found)

    def customer_credit(
        self, erp_legal_entity: str, customer_external_id: str
    ) -> CustomerCredit | None:
        with self.database.transaction() as connection:
            return credit.customer_credit(connection, erp_legal_entity, customer_external_id)

    def legal_entities(self) -> list[ErpLegalEntityRecord]:
        with self.database.transaction() as connection:
            return reference.legal_entities_of(connection)

    def tax_codes(self, erp_legal_entity: str) -> list[ErpTaxCode]:
        with self.database.transaction() as connection:
            return reference.tax_codes_of(connection, erp_legal_entity)

    def cost_centres(self, erp_legal_entity: str) -> list[ErpCostCentre]:
        with self.database.transaction() as connection:
            return reference.cost_centres_of(connection, erp_legal_entity)

    def customers(self, erp_legal_entity: str) -> list[ErpCustomerRecord]:
        """Page after page, each in a session of its own, until a short one."""
        size, found = self.settings.customers_per_page, list[ErpCustomerRecord]()
        while True:
            with self.database.transaction() as connection:
                after = int(found[-1].erp_id) if found else 0
                page = reference.customers_after(connection, erp_legal_entity, after, size)
            found += page
            if len(page) < size:
                return found

    def open_items(self, erp_legal_entity: str) -> list[OpenItem]:
        query = select(customer_trx).where(customer_trx.c.org_id == erp_legal_entity)
        with self.database.transaction() as connection:
            rows = connection.execute(query).mappings().all()
        items = [mapping.open_item_of(dict(row), self.settings) for row in rows]
        return sorted(items, key=lambda item: item.number)

    def payables(self, erp_legal_entity: str) -> list[OpenItem]:
        """o2c's bills and credit memos in the org, under o2c's source."""
        query = select(invoices).where(
            invoices.c.org_id == erp_legal_entity,
            invoices.c.source == self.settings.payables_source,
            invoices.c.invoice_type_lookup_code.in_(bills.KINDS_OF_TYPE),
        )
        with self.database.transaction() as connection:
            rows = connection.execute(query).mappings().all()
        items = [bills.payable_of(dict(row)) for row in rows]
        return sorted(items, key=lambda item: item.number)

    def payments(self, erp_legal_entity: str, since: dt.date) -> list[LedgerPayment]:
        query = (
            select(
                cash_receipts,
                customer_trx.c.trx_number,
                customer_trx.c.interface_header_context,
                customer_trx.c.interface_header_attribute1,
            )
            .join(
                customer_trx,
                customer_trx.c.customer_trx_id == cash_receipts.c.applied_customer_trx_id,
            )
            .where(
                cash_receipts.c.org_id == erp_legal_entity, cash_receipts.c.receipt_date >= since
            )
            .order_by(cash_receipts.c.receipt_date, cash_receipts.c.receipt_number)
        )
        with self.database.transaction() as connection:
            rows = connection.execute(query).mappings().all()
        return [mapping.payment_of(dict(row), self.settings) for row in rows]

    def _books_of(self, document: LedgerDocument) -> OpenInterface:
        if document.kind.is_payable:
            check_invoice_number(document.number)
            return self.ap
        return self.ar

    def _in_transaction(
        self, work: Callable[Concatenate[Connection, P], str], *args: P.args, **kwargs: P.kwargs
    ) -> str:
        with self.database.transaction() as connection:
            return work(connection, *args, **kwargs)

    def _interface(self, document: LedgerDocument, books: OpenInterface) -> None:
        try:
            with self.database.transaction() as connection:
                books.interface(connection, document)
        except DuplicateRow:
            pass  # another attempt of this posting interfaced it first

    def _await_import(self, document: LedgerDocument, books: OpenInterface) -> Posted:
        waited_until = time.monotonic() + self.settings.import_wait
        while True:
            with self.database.transaction() as connection:
                found = books.imported_id(connection, document.posting_key)
                errors = [] if found else books.errors(connection, document.posting_key)
            if found is not None:
                return Posted(document.posting_key, found)
            if errors:
                raise VendorRejected(
                    ERP, f"the import refused {document.number}: {'; '.join(errors)}"
                )
            if time.monotonic() >= waited_until:
                raise VendorUnavailable(ERP, f"{document.number} is still waiting for the import")
            time.sleep(self.settings.poll_every)


def check_invoice_number(number: str) -> None:
    if len(number) > bills.INVOICE_NUM_LENGTH:
        raise VendorRejected(
            ERP, f"{number} is longer than the {bills.INVOICE_NUM_LENGTH} characters of INVOICE_NUM"
        )


def check_supplier_number(external_id: str) -> None:
    if len(external_id) > bills.SUPPLIER_NUMBER_LENGTH:
        raise VendorRejected(
            ERP,
            f"{external_id} is longer than the {bills.SUPPLIER_NUMBER_LENGTH} characters"
            " of a supplier number",
        )
