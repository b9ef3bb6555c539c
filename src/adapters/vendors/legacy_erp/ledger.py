"""The legacy ERP's ledger: documents written to the AutoInvoice interface and awaited until the
import job has taken them in (or refused them), customers kept in its customer accounts."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from sqlalchemy import Connection, select

from adapters.vendors.legacy_erp import interface as mapping
from adapters.vendors.legacy_erp.database import ERP, DuplicateRow, LegacyDatabase
from adapters.vendors.legacy_erp.settings import LegacyErpSettings
from adapters.vendors.legacy_erp.tables import (
    cash_receipts,
    customer_accounts,
    customer_trx,
    interface_errors,
    interface_lines,
)
from application.erp_ports import (
    LedgerCustomer,
    LedgerDocument,
    LedgerPayment,
    OpenItem,
    Posted,
)
from application.errors import VendorRejected, VendorUnavailable


class LegacyErpLedger:
    def __init__(self, settings: LegacyErpSettings) -> None:
        self.settings = settings
        self.database = LegacyDatabase(settings)

    @property
    def erp(self) -> str:
        return ERP

    def close(self) -> None:
        self.database.close()

    def upsert_customer(self, customer: LedgerCustomer) -> str:
        values = mapping.account_of(customer)
        try:
            return self._upsert_account(values)
        except DuplicateRow:  # created meanwhile by another caller: now it is an update
            return self._upsert_account(values)

    def post(self, document: LedgerDocument) -> Posted:
        """Interface the document's rows unless they are there already, then wait (at most
        `import_wait`) for the import job's outcome."""
        if not document.lines:
            raise VendorRejected(ERP, f"{document.number} has no lines to interface")
        self._interface(document)
        return self._await_import(document)

    def find(self, posting_key: str) -> Posted | None:
        with self.database.transaction() as connection:
            trx_id = imported_trx_id(connection, self.settings.context, posting_key)
        return None if trx_id is None else Posted(posting_key, str(trx_id))

    def open_items(self, erp_legal_entity: str) -> list[OpenItem]:
        query = (
            select(customer_trx)
            .where(customer_trx.c.org_id == erp_legal_entity)
            .order_by(customer_trx.c.trx_number)
        )
        with self.database.transaction() as connection:
            return [mapping.open_item_of(dict(row)) for row in connection.execute(query).mappings()]

    def payments(self, erp_legal_entity: str, since: dt.date) -> list[LedgerPayment]:
        query = (
            select(cash_receipts, customer_trx.c.trx_number)
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
            return [mapping.payment_of(dict(row)) for row in connection.execute(query).mappings()]

    def _upsert_account(self, values: dict[str, str]) -> str:
        with self.database.transaction() as connection:
            account_id = account_id_of(connection, values)
            if account_id is None:
                return str(create_account(connection, values))
            connection.execute(
                customer_accounts.update()
                .where(customer_accounts.c.cust_account_id == account_id)
                .values(values)
            )
            return str(account_id)

    def _interface(self, document: LedgerDocument) -> None:
        rows = mapping.interface_rows(document, self.settings)
        try:
            with self.database.transaction() as connection:
                if not interfaced(connection, self.settings.context, document.posting_key):
                    connection.execute(interface_lines.insert(), rows)
        except DuplicateRow:
            pass  # another attempt of this posting interfaced it first

    def _await_import(self, document: LedgerDocument) -> Posted:
        waited_until = time.monotonic() + self.settings.import_wait
        while True:
            with self.database.transaction() as connection:
                trx_id = imported_trx_id(connection, self.settings.context, document.posting_key)
                errors = (
                    []
                    if trx_id
                    else import_errors(connection, self.settings.context, document.posting_key)
                )
            if trx_id is not None:
                return Posted(document.posting_key, str(trx_id))
            if errors:
                raise VendorRejected(
                    ERP, f"the import refused {document.number}: {'; '.join(errors)}"
                )
            if time.monotonic() >= waited_until:
                raise VendorUnavailable(ERP, f"{document.number} is still waiting for the import")
            time.sleep(self.settings.poll_every)


def account_id_of(connection: Connection, values: dict[str, str]) -> int | None:
    found: int | None = connection.scalar(
        select(customer_accounts.c.cust_account_id).where(
            customer_accounts.c.orig_system_reference == values["orig_system_reference"],
            customer_accounts.c.org_id == values["org_id"],
        )
    )
    return found


def create_account(connection: Connection, values: dict[str, str]) -> int:
    insert = customer_accounts.insert().values(values)
    created: int = connection.execute(
        insert.returning(customer_accounts.c.cust_account_id)
    ).scalar_one()
    return created


def interfaced(connection: Connection, context: str, posting_key: str) -> bool:
    query = select(interface_lines.c.interface_line_id).where(*keyed(context, posting_key)).limit(1)
    return connection.scalar(query) is not None


def imported_trx_id(connection: Connection, context: str, posting_key: str) -> Any:
    return connection.scalar(
        select(customer_trx.c.customer_trx_id).where(
            customer_trx.c.interface_header_context == context,
            customer_trx.c.interface_header_attribute2 == mapping.key_of(posting_key),
        )
    )


def import_errors(connection: Connection, context: str, posting_key: str) -> list[str]:
    query = (
        select(interface_errors.c.message_text, interface_errors.c.invalid_value)
        .join(
            interface_lines,
            interface_lines.c.interface_line_id == interface_errors.c.interface_line_id,
        )
        .where(*keyed(context, posting_key))
        .order_by(interface_lines.c.interface_line_id)
    )
    found = [
        f"{message} ({value})" if value else message for message, value in connection.execute(query)
    ]
    return list(dict.fromkeys(found))


def keyed(context: str, posting_key: str) -> tuple[Any, ...]:
    return (
        interface_lines.c.interface_line_context == context,
        interface_lines.c.interface_line_attribute2 == mapping.key_of(posting_key),
    )
