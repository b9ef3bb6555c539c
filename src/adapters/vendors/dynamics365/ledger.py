"""Dynamics 365 as o2c's ledger: customers upserted on CustomersV3 by dataAreaId and account,
each document one free-text invoice posted in one atomic changeset under an InvoiceIdentifier
derived from the posting key, so that a retry finds the first posting instead of making two."""

from __future__ import annotations

import datetime as dt
from typing import Any

from adapters.vendors.dynamics365.client import ODataClient
from adapters.vendors.dynamics365.payloads import (
    CUSTOMERS,
    HEADERS,
    customer_account,
    customer_row,
    invoice_identifier,
    invoice_writes,
    keyed,
    literal,
    open_item,
    payment,
)
from adapters.vendors.dynamics365.settings import Dynamics365Settings
from application.erp_ports import LedgerCustomer, LedgerDocument, LedgerPayment, OpenItem, Posted
from application.errors import VendorRejected


class Dynamics365Ledger:
    def __init__(self, settings: Dynamics365Settings, client: ODataClient | None = None) -> None:
        self.settings = settings
        self.client = client or ODataClient(settings)

    @property
    def erp(self) -> str:
        return "dynamics365"

    def close(self) -> None:
        self.client.close()

    def upsert_customer(self, customer: LedgerCustomer) -> str:
        row = customer_row(customer, self.settings)
        account = customer_account(customer.external_id)
        address = keyed(CUSTOMERS, dataAreaId=row["dataAreaId"], CustomerAccount=account)
        if self.client.entity(address) is None and self.created(CUSTOMERS, address, row):
            return account
        changes = {k: v for k, v in row.items() if k not in ("dataAreaId", "CustomerAccount")}
        self.client.send("PATCH", address, changes)
        return account

    def created(self, entity_set: str, address: str, row: dict[str, Any]) -> bool:
        """Created now (True), or by someone else in the meantime (False)."""
        try:
            self.client.send("POST", entity_set, row)
        except VendorRejected:
            if self.client.entity(address) is None:
                raise
            return False
        return True

    def post(self, document: LedgerDocument) -> Posted:
        company = self.settings.company(document.erp_legal_entity)
        found = self.lookup(document.posting_key, company)
        if found is not None:
            return found
        try:
            self.client.changeset(invoice_writes(document, self.settings))
        except VendorRejected:
            found = self.lookup(document.posting_key, company)
            if found is None:
                raise
            return found
        return Posted(document.posting_key, invoice_identifier(document.posting_key))

    def find(self, posting_key: str) -> Posted | None:
        return self.lookup(posting_key, company=None)

    def lookup(self, posting_key: str, company: str | None) -> Posted | None:
        identifier = invoice_identifier(posting_key)
        where = f"InvoiceIdentifier eq {literal(identifier)}"
        if company is not None:
            where += f" and dataAreaId eq {literal(company)}"
        rows = self.client.rows(HEADERS, {"$filter": where, "$select": "InvoiceIdentifier"})
        return Posted(posting_key, identifier) if rows else None

    def open_items(self, erp_legal_entity: str) -> list[OpenItem]:
        fields = self.settings.fields
        items = [open_item(row, fields) for row in self.headers(erp_legal_entity)]
        return sorted(items, key=lambda item: item.number)

    def payments(self, erp_legal_entity: str, since: dt.date) -> list[LedgerPayment]:
        company = literal(self.settings.company(erp_legal_entity))
        where = f"dataAreaId eq {company} and TransactionDate ge {since.isoformat()}T00:00:00Z"
        rows = self.client.rows(self.settings.payment_entity_set, {"$filter": where})
        number = self.settings.fields.document_number
        numbers = {h["InvoiceIdentifier"]: h[number] for h in self.headers(erp_legal_entity)}
        found = [payment(row, numbers) for row in rows]
        return sorted(found, key=lambda p: (p.received_on, p.payment_id))

    def headers(self, erp_legal_entity: str) -> list[dict[str, Any]]:
        fields = self.settings.fields
        company = literal(self.settings.company(erp_legal_entity))
        select = f"InvoiceIdentifier,CurrencyCode,{fields.document_number},{fields.total}"
        return self.client.rows(HEADERS, {"$filter": f"dataAreaId eq {company}", "$select": select})
