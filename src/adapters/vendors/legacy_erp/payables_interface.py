"""o2c's intercompany payables as Payables open interface rows, its suppliers as supplier and
site rows, and the ERP's invoices as o2c's records.

o2c assigns each invoice's INVOICE_ID itself, from the posting key: the interface's primary key
then refuses a second copy of one posting, whoever sends it. The posting key's hash travels in
the invoice's descriptive flexfield (context O2C, attribute 2), which the import carries into
the invoice, so the invoice is found again by it.

A payable credit is a Payables credit memo: invoice type CREDIT, its amount and lines negative,
the number of the intercompany bill it credits in attribute 3."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from adapters.vendors.legacy_erp.interface import key_of
from adapters.vendors.legacy_erp.settings import LegacyErpSettings
from application.erp_ports import DocumentKind, LedgerDocument, LedgerVendor, OpenItem
from domain.money import Money

INVOICE_IDS = 1_000_000_000_000_000  # INVOICE_ID is a NUMBER(15)
INVOICE_NUM_LENGTH = 50
SUPPLIER_NUMBER_LENGTH = 30
SUPPLIER_TYPE = "INTERCOMPANY"
STANDARD = "STANDARD"
CREDIT = "CREDIT"
KINDS_OF_TYPE = {
    STANDARD: DocumentKind.INTERCOMPANY_PAYABLE,
    CREDIT: DocumentKind.INTERCOMPANY_PAYABLE_CREDIT,
}


def invoice_id_of(posting_key: str) -> int:
    return int(key_of(posting_key), 16) % INVOICE_IDS


def header_of(document: LedgerDocument, settings: LegacyErpSettings) -> dict[str, Any]:
    credit = document.kind.is_credit
    return {
        "invoice_id": invoice_id_of(document.posting_key),
        "invoice_num": document.number,
        "invoice_type_lookup_code": CREDIT if credit else STANDARD,
        "invoice_date": document.issued_on,
        "gl_date": document.issued_on,
        "vendor_num": document.customer_external_id,
        "vendor_site_code": settings.supplier_site,
        "invoice_amount": signed(document, document.total.amount),
        "invoice_currency_code": document.currency,
        "description": description_of(document)[:240],
        "source": settings.payables_source,
        "org_id": document.erp_legal_entity,
        "attribute_category": settings.context,
        "attribute1": document.number,
        "attribute2": key_of(document.posting_key),
        "attribute3": document.original_number if credit else None,
    }


def description_of(document: LedgerDocument) -> str:
    if document.kind.is_credit:
        return f"Intercompany credit {document.number} on {document.original_number}"
    return f"Intercompany {document.number}"


def signed(document: LedgerDocument, amount: Decimal) -> Decimal:
    """Payables credit memos carry negative amounts, on the invoice and on each line."""
    return -amount if document.kind.is_credit else amount


def lines_of(document: LedgerDocument) -> list[dict[str, Any]]:
    invoice_id = invoice_id_of(document.posting_key)
    return [
        {
            **charge,
            "invoice_id": invoice_id,
            "line_number": number,
            "accounting_date": document.issued_on,
        }
        for number, charge in enumerate(charges(document), start=1)
    ]


def charges(document: LedgerDocument) -> Iterator[dict[str, Any]]:
    """An ITEM line per line of the document, and a TAX line after each one taxed."""
    for line in document.lines:
        yield {
            "line_type_lookup_code": "ITEM",
            "amount": signed(document, line.net.amount),
            "description": line.description[:240],
            "tax_rate": None,
        }
        if line.tax.amount:
            yield {
                "line_type_lookup_code": "TAX",
                "amount": signed(document, line.tax.amount),
                "description": f"Tax {line.tax_percent}% on line {line.number}"[:240],
                "tax_rate": line.tax_percent,
            }


def supplier_of(vendor: LedgerVendor) -> dict[str, str]:
    return {
        "segment1": vendor.external_id,
        "vendor_name": vendor.name[:240],
        "vendor_type_lookup_code": SUPPLIER_TYPE,
    }


def site_of(vendor: LedgerVendor, settings: LegacyErpSettings) -> dict[str, str]:
    return {
        "vendor_site_code": settings.supplier_site,
        "org_id": vendor.erp_legal_entity,
        "invoice_currency_code": vendor.currency,
    }


def payable_of(row: Mapping[str, Any]) -> OpenItem:
    """A bill, or a credit memo (already negative in Payables)."""
    amount = Money(row["invoice_currency_code"], row["invoice_amount"])
    return OpenItem(row["invoice_num"], amount, KINDS_OF_TYPE[row["invoice_type_lookup_code"]])


def document_id_of(invoice_id: int) -> str:
    """Payables invoices are numbered apart from Receivables transactions: marked, so that the
    two never share an id."""
    return f"AP-{invoice_id}"
