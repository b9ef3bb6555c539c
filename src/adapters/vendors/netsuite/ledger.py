"""o2c's ledger in NetSuite. A document's posting key is its externalId, and the idempotency
header is derived from it: a repeat, also after an answer lost on the way back, is refused by
NetSuite and read back by externalId instead of posted twice. An intercompany receivable is an
invoice to the contracting subsidiary's customer record, its payable a vendor bill from the
delivering subsidiary's vendor record; their credits a credit memo and a vendor credit, each
created from and applied to the charge it reverses; all are ticked in the intercompany
checkbox. A customer's credit is its record's limit and hold, and what is open of its
invoices and credit memos. Master data (subsidiaries, tax codes, departments, customers) is
read by SuiteQL as reference.py describes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from adapters.vendors.netsuite import credit, payloads, reference
from adapters.vendors.netsuite.client import NetSuiteClient, Reply
from adapters.vendors.netsuite.errors import SYSTEM, NetSuiteRejected
from adapters.vendors.netsuite.settings import NetSuiteSettings
from application.erp_ports import (
    CustomerCredit,
    DocumentKind,
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
from domain.errors import DomainError
from domain.money import Money

RECORDS = "/services/rest/record/v1/"
SUITEQL = "/services/rest/query/v1/suiteql"
IDEMPOTENCY_HEADER = "X-NetSuite-Idempotency-Key"
DUPLICATE_KEY = "IDEMPOTENCY_ERROR"


class NetSuiteLedger:
    def __init__(self, settings: NetSuiteSettings, client: NetSuiteClient | None = None) -> None:
        self.settings = settings
        self.client = client or NetSuiteClient(settings)

    @property
    def erp(self) -> str:
        return "netsuite"

    def close(self) -> None:
        self.client.close()

    def upsert_customer(self, customer: LedgerCustomer) -> str:
        external_id = payloads.entity_external_id(customer.erp_legal_entity, customer.external_id)
        with mapping(f"customer {external_id}"):
            body = payloads.customer_body(customer, self.settings)
        return created_id(self.client.call("PUT", eid_path("customer", external_id), json=body))

    def upsert_vendor(self, vendor: LedgerVendor) -> str:
        external_id = payloads.entity_external_id(vendor.erp_legal_entity, vendor.external_id)
        with mapping(f"vendor {external_id}"):
            body = payloads.vendor_body(vendor, self.settings)
        return created_id(self.client.call("PUT", eid_path("vendor", external_id), json=body))

    def post(self, document: LedgerDocument) -> Posted:
        record_type = payloads.RECORD_TYPES[document.kind]
        original = self.original_of(record_type, document)
        with mapping(f"document {document.number}"):
            body = payloads.document_body(document, self.settings, original)
        key = {IDEMPOTENCY_HEADER: payloads.idempotency_key(document.posting_key)}
        try:
            reply = self.client.call("POST", RECORDS + record_type, json=body, headers=key)
        except NetSuiteRejected as refused:
            return self.posted_before(record_type, document.posting_key, refused)
        return Posted(document.posting_key, created_id(reply))

    def posted_before(
        self, record_type: str, posting_key: str, refused: NetSuiteRejected
    ) -> Posted:
        """A create refused for its idempotency key or externalId was posted before."""
        found = self.read(record_type, posting_key) if refused.status == 400 else None
        if found is not None:
            return found
        if DUPLICATE_KEY in refused.codes:
            raise VendorUnavailable(SYSTEM, f"{posting_key} is being posted, not yet readable")
        raise refused

    def original_of(self, record_type: str, document: LedgerDocument) -> payloads.Original | None:
        if not document.original_number:
            return None
        number, entity = document.original_number, document.erp_legal_entity
        rows = self.rows(payloads.original_query(record_type, number, entity))
        if not rows:
            original_type = payloads.ORIGINALS[record_type]
            raise VendorRejected(SYSTEM, f"{original_type} {number} is not in NetSuite")
        with mapping(f"the original of {document.number}"):
            return payloads.original_of(rows[0])

    def find(self, posting_key: str) -> Posted | None:
        for record_type in ("invoice", "creditMemo", "vendorBill", "vendorCredit"):
            found = self.read(record_type, posting_key)
            if found is not None:
                return found
        return None

    def read(self, record_type: str, posting_key: str) -> Posted | None:
        try:
            reply = self.client.call("GET", eid_path(record_type, posting_key))
        except NetSuiteRejected as refused:
            if refused.status == 404:
                return None
            raise
        with mapping(f"{record_type} {posting_key}"):
            return Posted(posting_key, str(reply.body["id"]))

    def customer_credit(
        self, erp_legal_entity: str, customer_external_id: str
    ) -> CustomerCredit | None:
        external_id = payloads.entity_external_id(erp_legal_entity, customer_external_id)
        customer = self.record("customer", external_id)
        if customer is None:
            return None
        with mapping(f"customer {external_id}"):
            query = credit.open_receivables_query(str(customer["id"]))
        rows = self.rows(query)
        with mapping(f"the credit of customer {external_id}"):
            return credit.customer_credit(customer, rows, self.settings)

    def record(self, record_type: str, external_id: str) -> dict[str, Any] | None:
        try:
            reply = self.client.call("GET", eid_path(record_type, external_id))
        except NetSuiteRejected as refused:
            if refused.status == 404:
                return None
            raise
        with mapping(f"{record_type} {external_id}"):
            return dict(reply.body)

    def open_items(self, erp_legal_entity: str) -> list[OpenItem]:
        marker = self.settings.intercompany_field
        rows = self.rows(payloads.open_items_query(erp_legal_entity, marker))
        with mapping(f"open items of {erp_legal_entity}"):
            items = [self.item(row, payloads.receivable_kind(row, marker)) for row in rows]
        return sorted(items, key=lambda item: item.number)

    def payables(self, erp_legal_entity: str) -> list[OpenItem]:
        query = payloads.payables_query(erp_legal_entity, self.settings.intercompany_field)
        rows = self.rows(query)
        with mapping(f"payables of {erp_legal_entity}"):
            items = [self.item(row, payloads.payable_kind(row)) for row in rows]
        return sorted(items, key=lambda item: item.number)

    def item(self, row: dict[str, Any], kind: DocumentKind) -> OpenItem:
        """NetSuite's sign of a total is not relied on: a credit is negative, all else not."""
        total = abs(Decimal(str(row["foreigntotal"])))
        signed = -total if kind.is_credit else total
        return OpenItem(str(row["tranid"]), self.money(signed, row["currency"]), kind)

    def payments(self, erp_legal_entity: str, since: dt.date) -> list[LedgerPayment]:
        rows = self.rows(payloads.payments_query(erp_legal_entity, since.isoformat()))
        with mapping(f"payments of {erp_legal_entity}"):
            return [self.payment(row) for row in rows]

    def payment(self, row: dict[str, Any]) -> LedgerPayment:
        return LedgerPayment(
            payment_id=str(row.get("externalid") or row["id"]),
            document_number=str(row["appliedto"]),
            amount=self.money(row["foreignamount"], row["currency"]),
            received_on=dt.date.fromisoformat(str(row["trandate"])),
        )

    def legal_entities(self) -> list[ErpLegalEntityRecord]:
        rows = self.rows(reference.subsidiaries_query())
        with mapping("the subsidiaries"):
            return [reference.legal_entity(row, self.settings) for row in rows]

    def tax_codes(self, erp_legal_entity: str) -> list[ErpTaxCode]:
        rows = self.rows(reference.tax_codes_query(erp_legal_entity))
        with mapping(f"tax codes of {erp_legal_entity}"):
            codes = [reference.tax_code(row, erp_legal_entity) for row in rows]
        return sorted(codes, key=lambda code: code.code)

    def cost_centres(self, erp_legal_entity: str) -> list[ErpCostCentre]:
        rows = self.rows(reference.departments_query(erp_legal_entity))
        with mapping(f"departments of {erp_legal_entity}"):
            centres = [reference.cost_centre(row, erp_legal_entity) for row in rows]
        return sorted(centres, key=lambda centre: centre.code)

    def customers(self, erp_legal_entity: str) -> list[ErpCustomerRecord]:
        rows = self.rows(reference.customers_query(erp_legal_entity))
        with mapping(f"customers of {erp_legal_entity}"):
            return [reference.customer(row, erp_legal_entity, self.settings) for row in rows]

    def money(self, amount: Any, currency_id: Any) -> Money:
        return Money.of(Decimal(str(amount)), self.settings.currency_code(str(currency_id)))

    def rows(self, query: str) -> list[dict[str, Any]]:
        """Every row of a SuiteQL query, page by page."""
        found: list[dict[str, Any]] = []
        while True:
            page = {"limit": self.settings.page_size, "offset": len(found)}
            reply = self.client.call(
                "POST", SUITEQL, json={"q": query}, headers={"Prefer": "transient"}, params=page
            )
            with mapping("a SuiteQL answer"):
                items = list(reply.body["items"])
            found += items
            if not items or not reply.body.get("hasMore"):
                return found


def eid_path(record_type: str, external_id: str) -> str:
    return f"{RECORDS}{record_type}/eid:{quote(external_id, safe='')}"


def created_id(reply: Reply) -> str:
    """NetSuite answers a create or upsert with 204 and the record's URL in Location."""
    location = str(reply.headers.get("Location", ""))
    if not location:
        raise VendorUnavailable(SYSTEM, "a record was saved but its Location was not given")
    return location.rstrip("/").rsplit("/", 1)[-1]


@contextmanager
def mapping(what: str) -> Iterator[None]:
    """A record o2c cannot express in NetSuite, or an answer it cannot read, is refused."""
    try:
        yield
    except (KeyError, ValueError, TypeError, StopIteration, InvalidOperation, DomainError) as e:
        raise VendorRejected(SYSTEM, f"{what}: cannot map {e!r}") from e
