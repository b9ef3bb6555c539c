"""o2c's suppliers and intercompany payables as Dynamics 365's accounts payable entities
(`VendorsV2`, `VendorInvoiceHeaders` and `VendorInvoiceLines`, as Microsoft names them), and back.
A payable is a pending vendor invoice under a HeaderReference derived from its posting key; its
credit is a vendor invoice too, with negative amounts, naming the invoice it credits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.vendors.dynamics365.batch import Write
from adapters.vendors.dynamics365.payloads import (
    customer_account,
    digest,
    invoice_identifier,
    odata_date,
)
from adapters.vendors.dynamics365.settings import Dynamics365Settings
from application.erp_ports import DocumentKind, LedgerDocument, LedgerVendor, OpenItem
from domain.money import Money

VENDORS = "VendorsV2"
VENDOR_HEADERS = "VendorInvoiceHeaders"
VENDOR_LINES = "VendorInvoiceLines"
INVOICE_NUMBER_LENGTH = 20  # VendInvoiceId


def vendor_account(external_id: str) -> str:
    return customer_account(external_id)


def vendor_invoice_number(number: str) -> str:
    """The supplier's invoice number as D365 holds it: o2c's number when it fits, else a digest
    of it, the same for the same number, so the duplicate check still catches a second bill."""
    if len(number) <= INVOICE_NUMBER_LENGTH:
        return number
    return f"O2C-{digest(number)}"


def vendor_row(vendor: LedgerVendor, settings: Dynamics365Settings) -> dict[str, Any]:
    return {
        "dataAreaId": settings.company(vendor.erp_legal_entity),
        "VendorAccountNumber": vendor_account(vendor.external_id),
        "VendorOrganizationName": vendor.name,
        "VendorGroupId": settings.vendor_group,
        "CurrencyCode": vendor.currency,
    }


def payable_writes(document: LedgerDocument, settings: Dynamics365Settings) -> list[Write]:
    """The vendor invoice header and its lines, for one changeset; a credit's are negative."""
    header = payable_header(document, settings)
    sign = sign_of(document)
    lines = [
        {
            "dataAreaId": header["dataAreaId"],
            "HeaderReference": header["HeaderReference"],
            "InvoiceLineNumber": line.number,
            "LineDescription": line.description,
            "Currency": document.currency,
            "LineAmount": sign * line.net.amount,
        }
        for line in document.lines
    ]
    return [
        Write("POST", VENDOR_HEADERS, header),
        *(Write("POST", VENDOR_LINES, line) for line in lines),
    ]


def payable_header(document: LedgerDocument, settings: Dynamics365Settings) -> dict[str, Any]:
    """The bill's total and tax as the supplier stated them: D365's imported amounts."""
    fields, sign = settings.fields, sign_of(document)
    tax = sum((line.tax.amount for line in document.lines), Decimal(0))
    row: dict[str, Any] = {
        "dataAreaId": settings.company(document.erp_legal_entity),
        "HeaderReference": invoice_identifier(document.posting_key),
        "VendorAccount": vendor_account(document.customer_external_id),
        "InvoiceNumber": vendor_invoice_number(document.number),
        "InvoiceDate": odata_date(document.issued_on),
        "Currency": document.currency,
        fields.document_number: document.number,
        "PostingProfile": settings.intercompany_posting_profile,
        "ImportedAmount": sign * document.total.amount,
        "ImportedSalesTax": sign * tax,
    }
    if document.due_on is not None:
        row["DueDate"] = odata_date(document.due_on)
    if document.kind.is_credit:
        row[fields.credited_invoice] = document.original_number
    return row


def sign_of(document: LedgerDocument) -> int:
    return -1 if document.kind.is_credit else 1


def payable(row: dict[str, Any], settings: Dynamics365Settings) -> OpenItem:
    fields = settings.fields
    amount = Money.of(Decimal(row.get("ImportedAmount") or 0), row["Currency"])
    kind = (
        DocumentKind.INTERCOMPANY_PAYABLE_CREDIT
        if row.get(fields.credited_invoice)
        else DocumentKind.INTERCOMPANY_PAYABLE
    )
    return OpenItem(row[fields.document_number], amount, kind)
