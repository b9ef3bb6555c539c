"""Dynamics 365 as o2c's ledger: customers upserted on CustomersV3 and suppliers on VendorsV2 by
dataAreaId and account; each receivable one free-text invoice and each intercompany payable one
vendor invoice (credits the same, with negative amounts and the invoice they credit), posted in
one atomic changeset under an identifier derived from the posting key, so that a retry finds the
first posting instead of making two. Intercompany documents post with the intercompany posting
profile, which is how a receivable reads back as intercompany. A customer's credit is read from
its CustomersV3 record and its open transactions. Master data is read as reference.py says."""

from __future__ import annotations

import datetime as dt
from typing import Any

from adapters.vendors.dynamics365 import reference
from adapters.vendors.dynamics365.batch import Write
from adapters.vendors.dynamics365.client import ODataClient
from adapters.vendors.dynamics365.credit import customer_credit
from adapters.vendors.dynamics365.payables import (
    VENDOR_HEADERS,
    VENDORS,
    payable,
    payable_writes,
    vendor_account,
    vendor_row,
)
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
from application.erp_ports import (
    CustomerCredit,
    LedgerCustomer,
    LedgerDocument,
    LedgerPayment,
    LedgerVendor,
    OpenItem,
    Posted,
)
from application.errors import VendorRejected
from application.reference_ports import (
    ErpCostCentre,
    ErpCustomerRecord,
    ErpLegalEntityRecord,
    ErpTaxCode,
)

# Each entity set of invoice headers with the field that holds the identifier o2c derives.
IDENTIFIERS = {HEADERS: "InvoiceIdentifier", VENDOR_HEADERS: "HeaderReference"}


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
        account = customer_account(customer.external_id)
        self.upsert(CUSTOMERS, "CustomerAccount", customer_row(customer, self.settings))
        return account

    def upsert_vendor(self, vendor: LedgerVendor) -> str:
        account = vendor_account(vendor.external_id)
        self.upsert(VENDORS, "VendorAccountNumber", vendor_row(vendor, self.settings))
        return account

    def upsert(self, entity_set: str, account_field: str, row: dict[str, Any]) -> None:
        key = {"dataAreaId": row["dataAreaId"], account_field: row[account_field]}
        address = keyed(entity_set, **key)
        if self.client.entity(address) is None and self.created(entity_set, address, row):
            return
        changes = {k: v for k, v in row.items() if k not in key}
        self.client.send("PATCH", address, changes)

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
        headers, writes = self.writes(document)
        found = self.lookup(document.posting_key, headers, company)
        if found is not None:
            return found
        try:
            self.client.changeset(writes)
        except VendorRejected:
            found = self.lookup(document.posting_key, headers, company)
            if found is None:
                raise
            return found
        return Posted(document.posting_key, invoice_identifier(document.posting_key))

    def writes(self, document: LedgerDocument) -> tuple[str, list[Write]]:
        if document.kind.is_payable:
            return VENDOR_HEADERS, payable_writes(document, self.settings)
        return HEADERS, invoice_writes(document, self.settings)

    def find(self, posting_key: str) -> Posted | None:
        for headers in IDENTIFIERS:
            found = self.lookup(posting_key, headers, company=None)
            if found is not None:
                return found
        return None

    def lookup(self, posting_key: str, headers: str, company: str | None) -> Posted | None:
        identifier, field = invoice_identifier(posting_key), IDENTIFIERS[headers]
        where = f"{field} eq {literal(identifier)}"
        if company is not None:
            where += f" and dataAreaId eq {literal(company)}"
        rows = self.client.rows(headers, {"$filter": where, "$select": field})
        return Posted(posting_key, identifier) if rows else None

    def customer_credit(
        self, erp_legal_entity: str, customer_external_id: str
    ) -> CustomerCredit | None:
        key = {
            "dataAreaId": self.settings.company(erp_legal_entity),
            "CustomerAccount": customer_account(customer_external_id),
        }
        customer = self.client.entity(keyed(CUSTOMERS, **key))
        if customer is None:
            return None
        where = " and ".join(f"{name} eq {literal(value)}" for name, value in key.items())
        select = f"CurrencyCode,{self.settings.fields.open_amount}"
        open_set = self.settings.open_transactions_entity_set
        rows = self.client.rows(open_set, {"$filter": where, "$select": select})
        return customer_credit(customer, rows, self.settings)

    def open_items(self, erp_legal_entity: str) -> list[OpenItem]:
        items = [open_item(row, self.settings) for row in self.headers(erp_legal_entity)]
        return sorted(items, key=lambda item: item.number)

    def payables(self, erp_legal_entity: str) -> list[OpenItem]:
        fields = self.settings.fields
        select = ",".join(
            (
                "HeaderReference",
                "Currency",
                "ImportedAmount",
                fields.document_number,
                fields.credited_invoice,
            )
        )
        rows = self.in_company(VENDOR_HEADERS, erp_legal_entity, select)
        return sorted((payable(row, self.settings) for row in rows), key=lambda i: i.number)

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
        select = ",".join(
            (
                "InvoiceIdentifier",
                "CurrencyCode",
                fields.document_number,
                fields.total,
                fields.credited_invoice,
                fields.posting_profile,
            )
        )
        return self.in_company(HEADERS, erp_legal_entity, select)

    def in_company(self, entity_set: str, erp_legal_entity: str, select: str) -> list[Any]:
        company = literal(self.settings.company(erp_legal_entity))
        return self.client.rows(
            entity_set, {"$filter": f"dataAreaId eq {company}", "$select": select}
        )

    def legal_entities(self) -> list[ErpLegalEntityRecord]:
        rows = self.client.rows(
            reference.LEGAL_ENTITIES, {"$select": reference.LEGAL_ENTITY_FIELDS}
        )
        ledgers = self.client.rows(
            reference.LEDGERS, {"$select": "LegalEntityId,AccountingCurrency"}
        )
        with reference.reading("the legal entities"):
            currencies = {
                str(row["LegalEntityId"]).lower(): row["AccountingCurrency"] for row in ledgers
            }
            found = [reference.legal_entity(row, currencies, self.settings) for row in rows]
        return sorted(found, key=lambda entity: self.settings.company(entity.erp_legal_entity))

    def tax_codes(self, erp_legal_entity: str) -> list[ErpTaxCode]:
        company = self.company_row(erp_legal_entity)
        if company is None:
            return []
        codes = self.in_company(reference.TAX_CODES, erp_legal_entity, "TaxCode,TaxName")
        values = self.in_company(reference.TAX_VALUES, erp_legal_entity, reference.TAX_VALUE_FIELDS)
        with reference.reading(f"tax codes of {erp_legal_entity}"):
            country = self.settings.country(str(company.get("AddressCountryRegionId") or ""))
            today = dt.datetime.now(dt.UTC).date()
            return reference.tax_codes(codes, values, erp_legal_entity, country, today)

    def cost_centres(self, erp_legal_entity: str) -> list[ErpCostCentre]:
        if self.company_row(erp_legal_entity) is None:
            return []
        dimension = literal(self.settings.cost_centre_dimension)
        query = {
            "$filter": f"FinancialDimension eq {dimension}",
            "$select": reference.DIMENSION_FIELDS,
        }
        rows = self.client.rows(reference.DIMENSION_VALUES, query)
        company = self.settings.company(erp_legal_entity)
        with reference.reading(f"cost centres of {erp_legal_entity}"):
            return reference.cost_centres(rows, company, erp_legal_entity)

    def customers(self, erp_legal_entity: str) -> list[ErpCustomerRecord]:
        select = reference.customer_fields(self.settings)
        rows = self.in_company(CUSTOMERS, erp_legal_entity, select)
        with reference.reading(f"customers of {erp_legal_entity}"):
            found = [reference.customer(row, erp_legal_entity, self.settings) for row in rows]
        return sorted(found, key=lambda customer: customer.erp_id)

    def company_row(self, erp_legal_entity: str) -> dict[str, Any] | None:
        company = literal(self.settings.company(erp_legal_entity))
        query = {"$filter": f"LegalEntityId eq {company}", "$select": reference.LEGAL_ENTITY_FIELDS}
        rows = self.client.rows(reference.LEGAL_ENTITIES, query)
        return rows[0] if rows else None
