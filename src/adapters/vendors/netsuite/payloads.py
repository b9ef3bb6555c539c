"""o2c's ledger records as NetSuite's: a customer's or vendor's external id (legal entity and
o2c's id, since one o2c customer is a customer of each subsidiary it buys from), invoices,
credit memos, vendor bills and vendor credits with the posting key as their externalId and o2c's
number as their tranId (on a bill or a vendor credit, the supplier's number), intercompany ones
ticked in the account's intercompany checkbox, and the SuiteQL o2c reads back with. A credit is
created from its original; an intercompany one is also applied to it, as far as it is open."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from attrs import frozen

from adapters.vendors.netsuite.settings import NetSuiteSettings
from application.erp_ports import (
    DocumentKind,
    LedgerCustomer,
    LedgerDocument,
    LedgerLine,
    LedgerVendor,
)

# Any fixed namespace will do; changing it would give every posting a new idempotency key.
POSTING_KEYS = uuid.UUID("6f1f5cb2-6a1e-5c1e-9f0e-0a2c6e6b8f51")
EXACT_DIGITS = 15
RECORD_TYPES = {
    DocumentKind.INVOICE: "invoice",
    DocumentKind.OPENING_RECEIVABLE: "invoice",
    DocumentKind.CREDIT_NOTE: "creditMemo",
    DocumentKind.INTERCOMPANY_RECEIVABLE: "invoice",
    DocumentKind.INTERCOMPANY_PAYABLE: "vendorBill",
    DocumentKind.INTERCOMPANY_RECEIVABLE_CREDIT: "creditMemo",
    DocumentKind.INTERCOMPANY_PAYABLE_CREDIT: "vendorCredit",
}
INVOICE, CREDIT_MEMO, BILL, VENDOR_CREDIT = "CustInvc", "CustCred", "VendBill", "VendCred"
# The record a credit is made from: a credit memo from an invoice, a vendor credit from a bill.
ORIGINALS = {"creditMemo": "invoice", "vendorCredit": "vendorBill"}
TYPE_CODES = {"invoice": INVOICE, "vendorBill": BILL}
TICKED = "T"


@frozen
class Original:
    """The transaction a credit reverses, and how much of it is still open."""

    id: str
    remaining: Decimal


def entity_external_id(erp_legal_entity: str, external_id: str) -> str:
    return f"{erp_legal_entity}.{external_id}"


def idempotency_key(posting_key: str) -> str:
    return str(uuid.uuid5(POSTING_KEYS, posting_key))


def customer_body(customer: LedgerCustomer, settings: NetSuiteSettings) -> dict[str, Any]:
    body: dict[str, Any] = {
        "companyName": customer.name,
        "subsidiary": {"id": customer.erp_legal_entity},
        "currency": {"id": settings.currency_id(customer.currency)},
    }
    if customer.tax_registration:
        body["vatRegNumber"] = customer.tax_registration
    return body


def vendor_body(vendor: LedgerVendor, settings: NetSuiteSettings) -> dict[str, Any]:
    return {
        "companyName": vendor.name,
        "subsidiary": {"id": vendor.erp_legal_entity},
        "currency": {"id": settings.currency_id(vendor.currency)},
    }


def document_body(
    document: LedgerDocument, settings: NetSuiteSettings, original: Original | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "externalId": document.posting_key,
        "tranId": document.number,
        "entity": {
            "externalId": entity_external_id(
                document.erp_legal_entity, document.customer_external_id
            )
        },
        "subsidiary": {"id": document.erp_legal_entity},
        "tranDate": document.issued_on.isoformat(),
        "currency": {"id": settings.currency_id(document.currency)},
        "item": {"items": [line_body(line) for line in document.lines]},
    }
    if document.due_on is not None:
        body["dueDate"] = document.due_on.isoformat()
    if original is not None:
        body["createdFrom"] = {"id": original.id}
    if original is not None and document.kind.is_intercompany:
        body |= application(document, original)
    if document.kind.is_intercompany:
        body[settings.intercompany_field] = True
    return body


def application(document: LedgerDocument, original: Original) -> dict[str, Any]:
    """The apply sublist: the credit settles its charge up to what is still open of it, and
    whatever is left of the credit stays open, as NetSuite applies no more than is due."""
    amount = min(document.total.amount, original.remaining)
    if amount <= 0:
        return {}
    line = {"doc": {"id": original.id}, "apply": True, "amount": json_number(amount)}
    return {"apply": {"items": [line]}}


def line_body(line: LedgerLine) -> dict[str, Any]:
    return {
        "description": line.description,
        "amount": json_number(line.net.amount),
        "tax1Amt": json_number(line.tax.amount),
    }


def json_number(amount: Decimal) -> float:
    """NetSuite takes amounts as JSON numbers: a float writes any amount of up to 15 digits
    back exactly as the same decimal; a longer one is refused rather than rounded."""
    if len(amount.as_tuple().digits) > EXACT_DIGITS:
        raise ValueError(f"{amount} has more digits than a JSON number carries exactly")
    return float(amount)


def sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def open_items_query(erp_legal_entity: str, intercompany_field: str) -> str:
    return (
        f"SELECT id, tranid, type, foreigntotal, currency, {intercompany_field} FROM transaction"
        f" WHERE type IN ('{INVOICE}', '{CREDIT_MEMO}')"
        f" AND subsidiary = {sql_text(erp_legal_entity)} ORDER BY tranid"
    )


def payables_query(erp_legal_entity: str, intercompany_field: str) -> str:
    return (
        "SELECT id, tranid, type, foreigntotal, currency FROM transaction"
        f" WHERE type IN ('{BILL}', '{VENDOR_CREDIT}') AND {intercompany_field} = '{TICKED}'"
        f" AND subsidiary = {sql_text(erp_legal_entity)} ORDER BY tranid"
    )


def receivable_kind(row: dict[str, Any], intercompany_field: str) -> DocumentKind:
    intercompany = row.get(intercompany_field) == TICKED
    if row["type"] == CREDIT_MEMO:
        return (
            DocumentKind.INTERCOMPANY_RECEIVABLE_CREDIT
            if intercompany
            else DocumentKind.CREDIT_NOTE
        )
    return DocumentKind.INTERCOMPANY_RECEIVABLE if intercompany else DocumentKind.INVOICE


def payable_kind(row: dict[str, Any]) -> DocumentKind:
    if row["type"] == VENDOR_CREDIT:
        return DocumentKind.INTERCOMPANY_PAYABLE_CREDIT
    return DocumentKind.INTERCOMPANY_PAYABLE


def original_query(credit_type: str, number: str, erp_legal_entity: str) -> str:
    type_code = TYPE_CODES[ORIGINALS[credit_type]]
    return (
        f"SELECT id, foreignamountremaining FROM transaction WHERE type = '{type_code}'"
        f" AND tranid = {sql_text(number)} AND subsidiary = {sql_text(erp_legal_entity)}"
    )


def original_of(row: dict[str, Any]) -> Original:
    """The amount remaining's sign is not relied on, as a total's is not."""
    return Original(str(row["id"]), abs(Decimal(str(row["foreignamountremaining"]))))


def payments_query(erp_legal_entity: str, since: str) -> str:
    return (
        "SELECT payment.id, payment.externalid,"
        " TO_CHAR(payment.trandate, 'YYYY-MM-DD') AS trandate,"
        " link.foreignamount, invoice.tranid AS appliedto, payment.currency"
        " FROM transaction payment"
        " JOIN previoustransactionlinelink link ON link.nextdoc = payment.id"
        " JOIN transaction invoice ON invoice.id = link.previousdoc"
        f" WHERE payment.type = 'CustPymt' AND payment.subsidiary = {sql_text(erp_legal_entity)}"
        f" AND payment.trandate >= TO_DATE({sql_text(since)}, 'YYYY-MM-DD')"
        " ORDER BY payment.trandate, payment.id"
    )
