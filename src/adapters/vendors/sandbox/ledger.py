"""The sandbox ERP's ledger: customers and posted documents kept in o2c's own database, keyed
as a real ERP keys them, so that posting twice under one key is one document. Each customer
record also keeps its credit limit and hold, set by the sandbox's credit management; the
master data its users keep is in sandbox.master_data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from adapters.vendors.sandbox.master_data import SandboxMasterData
from adapters.vendors.sandbox.records import SandboxRecords
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
from application.reference_ports import (
    ErpCostCentre,
    ErpCustomerRecord,
    ErpLegalEntityRecord,
    ErpTaxCode,
)
from domain.money import Money

ERP_FIELDS = ("credit_limit", "credit_currency", "on_hold", "country")


class SandboxLedger:
    def __init__(self, records: SandboxRecords, erp: str = "sandbox") -> None:
        self.records = records
        self.master_data = SandboxMasterData(records)
        self._erp = erp

    @property
    def erp(self) -> str:
        return self._erp

    def upsert_customer(self, customer: LedgerCustomer) -> str:
        """The customer's details; its credit standing and country are the ERP's and stay as
        they are."""
        key = f"{customer.erp_legal_entity}/{customer.external_id}"
        payload = {
            **self.kept_fields(key),
            "name": customer.name,
            "legal_entity": customer.erp_legal_entity,
            "external_id": customer.external_id,
            "currency": customer.currency,
            "tax_registration": customer.tax_registration,
        }
        return self.records.upsert("ledger_customer", key, "C", payload)

    def customer_payload(self, external_id: str) -> dict[str, Any] | None:
        record_id = self.records.find("ledger_customer", external_id)
        return None if record_id is None else self.records.payload("ledger_customer", record_id)

    def kept_fields(self, key: str) -> dict[str, Any]:
        payload = self.customer_payload(key) or {}
        return {name: payload[name] for name in ERP_FIELDS if name in payload}

    def set_credit(
        self, erp_legal_entity: str, external_id: str, limit: Money | None, on_hold: bool
    ) -> None:
        """The sandbox's credit management, for tests and the demo: no limit is None."""
        key = f"{erp_legal_entity}/{external_id}"
        payload = self.customer_payload(key)
        if payload is None:
            raise LookupError(f"no customer {external_id} in {erp_legal_entity}")
        payload |= {
            "credit_limit": None if limit is None else limit.amount_text(),
            "credit_currency": payload["currency"] if limit is None else limit.currency,
            "on_hold": on_hold,
        }
        self.records.upsert("ledger_customer", key, "C", payload)

    def keep_reference(
        self,
        legal_entity: ErpLegalEntityRecord,
        tax_codes: Iterable[ErpTaxCode] = (),
        cost_centres: Iterable[ErpCostCentre] = (),
        customers: Iterable[ErpCustomerRecord] = (),
    ) -> None:
        """The sandbox's own master-data maintenance, for tests, the demo and start-up: the
        entity, its tax codes and cost centres kept by their codes (keeping them again changes
        nothing), and customers made by hand, kept by their `erp_id` when one is given and
        added anew when not."""
        self.master_data.keep(legal_entity, tax_codes, cost_centres)
        for customer in customers:
            self.master_data.keep_customer(legal_entity.erp_legal_entity, customer)

    def legal_entities(self) -> list[ErpLegalEntityRecord]:
        return self.master_data.legal_entities()

    def tax_codes(self, erp_legal_entity: str) -> list[ErpTaxCode]:
        return self.master_data.tax_codes(erp_legal_entity)

    def cost_centres(self, erp_legal_entity: str) -> list[ErpCostCentre]:
        return self.master_data.cost_centres(erp_legal_entity)

    def customers(self, erp_legal_entity: str) -> list[ErpCustomerRecord]:
        return self.master_data.customers(erp_legal_entity)

    def customer_credit(
        self, erp_legal_entity: str, customer_external_id: str
    ) -> CustomerCredit | None:
        payload = self.customer_payload(f"{erp_legal_entity}/{customer_external_id}")
        if payload is None:
            return None
        currency = payload.get("credit_currency") or payload["currency"]
        limit = payload.get("credit_limit")
        return CustomerCredit(
            credit_limit=None if limit is None else Money.of(limit, currency),
            open_receivables=self.owed(erp_legal_entity, customer_external_id, currency),
            on_hold=bool(payload.get("on_hold", False)),
            currency=currency,
        )

    def owed(self, erp_legal_entity: str, customer_external_id: str, currency: str) -> Money:
        """The customer's receivables in the entity less the cash received against them."""
        documents = [
            p
            for _, _, p in self.records.live("document")
            if p["legal_entity"] == erp_legal_entity
            and p["customer"] == customer_external_id
            and not DocumentKind(p["kind"]).is_payable
        ]
        numbers = {p["number"] for p in documents}
        paid = [
            Money(p["currency"], Decimal(p["amount"]))
            for _, _, p in self.records.live("payment")
            if p["legal_entity"] == erp_legal_entity and p["number"] in numbers
        ]
        zero = Money.of(0, currency)
        return sum((signed(p) for p in documents), zero) - sum(paid, zero)

    def upsert_vendor(self, vendor: LedgerVendor) -> str:
        payload = {
            "name": vendor.name,
            "legal_entity": vendor.erp_legal_entity,
            "currency": vendor.currency,
        }
        external_id = f"{vendor.erp_legal_entity}/{vendor.external_id}"
        return self.records.upsert("ledger_vendor", external_id, "V", payload)

    def post(self, document: LedgerDocument) -> Posted:
        found = self.find(document.posting_key)
        if found is not None:
            return found
        number = self.records.upsert("document", document.posting_key, "DOC", payload_of(document))
        return Posted(document.posting_key, number)

    def find(self, posting_key: str) -> Posted | None:
        number = self.records.find("document", posting_key)
        return None if number is None else Posted(posting_key, number)

    def open_items(self, erp_legal_entity: str) -> list[OpenItem]:
        return self.held(erp_legal_entity, payable=False)

    def payables(self, erp_legal_entity: str) -> list[OpenItem]:
        return self.held(erp_legal_entity, payable=True)

    def held(self, erp_legal_entity: str, *, payable: bool) -> list[OpenItem]:
        items = [
            OpenItem(p["number"], signed(p), DocumentKind(p["kind"]))
            for _, _, p in self.records.live("document")
            if p["legal_entity"] == erp_legal_entity
            and DocumentKind(p["kind"]).is_payable == payable
        ]
        return sorted(items, key=lambda item: item.number)

    def receive_payment(self, payment: LedgerPayment, erp_legal_entity: str) -> None:
        """The sandbox's cash application, for tests and the demo."""
        payload = {
            "legal_entity": erp_legal_entity,
            "number": payment.document_number,
            "currency": payment.amount.currency,
            "amount": payment.amount.amount_text(),
            "received_on": payment.received_on.isoformat(),
        }
        self.records.upsert("payment", payment.payment_id, "PAY", payload)

    def payments(self, erp_legal_entity: str, since: dt.date) -> list[LedgerPayment]:
        found = [
            LedgerPayment(
                payment_id=external_id,
                document_number=p["number"],
                amount=Money(p["currency"], Decimal(p["amount"])),
                received_on=dt.date.fromisoformat(p["received_on"]),
            )
            for external_id, _, p in self.records.live("payment")
            if p["legal_entity"] == erp_legal_entity
        ]
        return sorted(
            (p for p in found if p.received_on >= since),
            key=lambda p: (p.received_on, p.payment_id),
        )


def payload_of(document: LedgerDocument) -> dict[str, Any]:
    return {
        "kind": document.kind.value,
        "number": document.number,
        "legal_entity": document.erp_legal_entity,
        "customer": document.customer_external_id,
        "issued_on": document.issued_on.isoformat(),
        "currency": document.currency,
        "total": document.total.amount_text(),
        "original_number": document.original_number,
        "lines": [
            {
                "number": line.number,
                "description": line.description,
                "net": line.net.amount_text(),
                "tax": line.tax.amount_text(),
            }
            for line in document.lines
        ],
    }


def signed(payload: dict[str, Any]) -> Money:
    total = Money(payload["currency"], Decimal(payload["total"]))
    return -total if DocumentKind(payload["kind"]).is_credit else total
