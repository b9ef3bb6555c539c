"""o2c's customers, documents and payments as Dynamics 365's entities, and back."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal
from typing import Any

from adapters.vendors.dynamics365.batch import Write
from adapters.vendors.dynamics365.settings import Dynamics365Settings, FieldNames
from application.erp_ports import (
    DocumentKind,
    LedgerCustomer,
    LedgerDocument,
    LedgerLine,
    LedgerPayment,
    OpenItem,
)
from domain.money import Money

HEADERS = "FreeTextInvoiceHeaders"
LINES = "FreeTextInvoiceLines"
CUSTOMERS = "CustomersV3"
PLAIN_ACCOUNT = re.compile(r"[A-Z0-9-]{1,20}")


def customer_account(external_id: str) -> str:
    """The CustomerAccount (or a VendorAccountNumber): the external id itself when D365 can hold
    it as it is (20 capitals, digits or hyphens), else a digest of it, so the same customer
    always gets the same account."""
    if PLAIN_ACCOUNT.fullmatch(external_id):
        return external_id
    return f"O2C-{digest(external_id)}"


def invoice_identifier(posting_key: str) -> str:
    """The InvoiceIdentifier: o2c's posting key in 20 characters, the same on every retry."""
    return f"O2C-{digest(posting_key)}"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16].upper()


def keyed(entity_set: str, **key: str) -> str:
    """An entity's address by every key field, e.g. CustomersV3(dataAreaId='USMF',...)."""
    return f"{entity_set}({','.join(f'{name}={literal(value)}' for name, value in key.items())})"


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def odata_date(day: dt.date) -> str:
    return f"{day.isoformat()}T12:00:00Z"


def customer_row(customer: LedgerCustomer, settings: Dynamics365Settings) -> dict[str, Any]:
    return {
        "dataAreaId": settings.company(customer.erp_legal_entity),
        "CustomerAccount": customer_account(customer.external_id),
        "OrganizationName": customer.name,
        "CustomerGroupId": settings.customer_group,
        "SalesCurrencyCode": customer.currency,
        "TaxExemptNumber": customer.tax_registration,
        settings.fields.customer_external_id: customer.external_id,
    }


def invoice_writes(document: LedgerDocument, settings: Dynamics365Settings) -> list[Write]:
    """The header and its lines, for one changeset; a credit's lines are negative."""
    header = header_row(document, settings)
    lines = [line_row(header, line, document.kind, settings.fields) for line in document.lines]
    return [Write("POST", HEADERS, header), *(Write("POST", LINES, line) for line in lines)]


def header_row(document: LedgerDocument, settings: Dynamics365Settings) -> dict[str, Any]:
    fields = settings.fields
    row: dict[str, Any] = {
        "dataAreaId": settings.company(document.erp_legal_entity),
        "InvoiceIdentifier": invoice_identifier(document.posting_key),
        "CustomerAccount": customer_account(document.customer_external_id),
        "InvoiceDate": odata_date(document.issued_on),
        "CurrencyCode": document.currency,
        fields.document_number: document.number,
    }
    if document.due_on is not None:
        row["DueDate"] = odata_date(document.due_on)
    if document.kind.is_credit:
        row[fields.credited_invoice] = document.original_number
    profile = marking_profile(document.kind, settings)
    if profile:
        row[fields.posting_profile] = profile
    return row


def marking_profile(kind: DocumentKind, settings: Dynamics365Settings) -> str:
    """The posting profile a receivable of this kind posts with; blank for the default."""
    if kind.is_intercompany:
        return settings.intercompany_posting_profile
    if kind is DocumentKind.OPENING_RECEIVABLE:
        return settings.opening_posting_profile
    return ""


def line_row(
    header: dict[str, Any], line: LedgerLine, kind: DocumentKind, fields: FieldNames
) -> dict[str, Any]:
    sign = -1 if kind.is_credit else 1
    return {
        "dataAreaId": header["dataAreaId"],
        "InvoiceIdentifier": header["InvoiceIdentifier"],
        "LineNumber": line.number,
        "Description": line.description,
        fields.line_amount: sign * line.net.amount,
        fields.line_tax: sign * line.tax.amount,
    }


def open_item(row: dict[str, Any], settings: Dynamics365Settings) -> OpenItem:
    fields = settings.fields
    total = Decimal(row.get(fields.total) or 0)
    return OpenItem(
        row[fields.document_number],
        Money.of(total, row["CurrencyCode"]),
        receivable_kind(row, settings),
    )


def receivable_kind(row: dict[str, Any], settings: Dynamics365Settings) -> DocumentKind:
    """Read back from the header: its posting profile, and the invoice a credit credits."""
    fields = settings.fields
    profile = row.get(fields.posting_profile)
    credit = bool(row.get(fields.credited_invoice))
    if profile == settings.intercompany_posting_profile:
        return (
            DocumentKind.INTERCOMPANY_RECEIVABLE_CREDIT
            if credit
            else DocumentKind.INTERCOMPANY_RECEIVABLE
        )
    if credit:
        return DocumentKind.CREDIT_NOTE
    if profile == settings.opening_posting_profile:
        return DocumentKind.OPENING_RECEIVABLE
    return DocumentKind.INVOICE


def payment(row: dict[str, Any], numbers: dict[str, str]) -> LedgerPayment:
    return LedgerPayment(
        payment_id=row["PaymentReference"],
        document_number=numbers.get(row["MarkedInvoice"], row["MarkedInvoice"]),
        amount=Money.of(Decimal(row["CreditAmount"]), row["CurrencyCode"]),
        received_on=dt.date.fromisoformat(row["TransactionDate"][:10]),
    )
