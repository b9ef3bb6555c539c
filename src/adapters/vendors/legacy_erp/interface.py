"""o2c's documents as AutoInvoice interface rows, and the ERP's answers as o2c's records.

A document's interface key is the context (O2C) and three attributes: the document number, a
hash of the posting key (any length fits the 150 characters) and the line. The unique index on
context and attributes makes a second insert of one posting fail, whoever sends it."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from adapters.vendors.legacy_erp.settings import LegacyErpSettings
from adapters.vendors.legacy_erp.tables import ATTRIBUTES
from application.erp_ports import (
    DocumentKind,
    LedgerCustomer,
    LedgerDocument,
    LedgerLine,
    LedgerPayment,
    OpenItem,
)
from domain.money import Money

TRANSACTION_TYPES = {
    DocumentKind.INVOICE: "INV",
    DocumentKind.OPENING_RECEIVABLE: "INV",
    DocumentKind.CREDIT_NOTE: "CM",
    DocumentKind.INTERCOMPANY_RECEIVABLE: "INTERCOMPANY",
    DocumentKind.INTERCOMPANY_RECEIVABLE_CREDIT: "INTERCOMPANY CM",
}
KINDS_OF_TYPE = {
    "CM": DocumentKind.CREDIT_NOTE,
    "INTERCOMPANY": DocumentKind.INTERCOMPANY_RECEIVABLE,
    "INTERCOMPANY CM": DocumentKind.INTERCOMPANY_RECEIVABLE_CREDIT,
}


def key_of(posting_key: str) -> str:
    return hashlib.sha256(posting_key.encode()).hexdigest()


def interface_rows(document: LedgerDocument, settings: LegacyErpSettings) -> list[dict[str, Any]]:
    header = header_of(document, settings)
    return [
        row
        for line in document.lines
        for row in (
            {**header, **item_of(document, line), **attributes(document, line, "LINE")},
            {**header, **tax_of(document, line), **attributes(document, line, "TAX")},
        )
    ]


def header_of(document: LedgerDocument, settings: LegacyErpSettings) -> dict[str, Any]:
    """A credit memo references the transaction it credits by that transaction's interface
    context and number (attribute 1)."""
    credit = document.kind.is_credit
    intercompany = document.kind.is_intercompany
    return {
        "interface_line_context": settings.context,
        "batch_source_name": batch_source_of(document, settings),
        "cust_trx_type_name": TRANSACTION_TYPES[document.kind],
        "trx_number": None if intercompany else document.number,
        "trx_date": document.issued_on,
        "gl_date": document.issued_on,
        "currency_code": document.currency,
        "orig_system_bill_customer_ref": document.customer_external_id,
        "org_id": document.erp_legal_entity,
        "reference_line_context": settings.context if credit else None,
        "reference_line_attribute1": document.original_number if credit else None,
    }


def batch_source_of(document: LedgerDocument, settings: LegacyErpSettings) -> str:
    """The intercompany source numbers its transactions itself, its credit memos too: o2c's
    number stays in the transaction flexfield (attribute 1), which is wider than TRX_NUMBER."""
    if document.kind.is_intercompany:
        return settings.intercompany_batch_source
    if document.kind is DocumentKind.OPENING_RECEIVABLE:
        return settings.opening_batch_source
    return settings.batch_source


def attributes(document: LedgerDocument, line: LedgerLine, line_type: str) -> dict[str, str]:
    given = [document.number, key_of(document.posting_key), str(line.number), line_type]
    padded = given + [""] * (ATTRIBUTES - len(given))
    return {f"interface_line_attribute{n}": value for n, value in enumerate(padded, start=1)}


def item_of(document: LedgerDocument, line: LedgerLine) -> dict[str, Any]:
    amount = signed(document, line.net)
    return {
        "line_type": "LINE",
        "description": line.description[:240],
        "amount": amount,
        "quantity": Decimal(1),
        "unit_selling_price": amount,
        "tax_rate": None,
    }


def tax_of(document: LedgerDocument, line: LedgerLine) -> dict[str, Any]:
    return {
        "line_type": "TAX",
        "description": f"Tax {line.tax_percent}% on line {line.number}"[:240],
        "amount": signed(document, line.tax),
        "quantity": None,
        "unit_selling_price": None,
        "tax_rate": line.tax_percent,
    }


def signed(document: LedgerDocument, amount: Money) -> Decimal:
    """Credit memos carry negative amounts in Receivables."""
    return -amount.amount if document.kind.is_credit else amount.amount


def account_of(customer: LedgerCustomer) -> dict[str, str]:
    return {
        "orig_system_reference": customer.external_id,
        "org_id": customer.erp_legal_entity,
        "account_name": customer.name[:360],
        "currency_code": customer.currency,
    }


def party_of(customer: LedgerCustomer) -> dict[str, str | None]:
    """The account's party: its name and tax reference (its country is the ERP users' to say)."""
    return {
        "party_name": customer.name[:360],
        "tax_reference": customer.tax_registration[:50] or None,
    }


def open_item_of(row: Mapping[str, Any], settings: LegacyErpSettings) -> OpenItem:
    amount = Money(row["invoice_currency_code"], row["amount"])
    return OpenItem(number_of(row, settings), amount, kind_of(row, settings))


def number_of(row: Mapping[str, Any], settings: LegacyErpSettings) -> str:
    """o2c's number for what o2c interfaced; the ERP's own for the rest."""
    if row["interface_header_context"] == settings.context:
        return str(row["interface_header_attribute1"])
    return str(row["trx_number"])


def kind_of(row: Mapping[str, Any], settings: LegacyErpSettings) -> DocumentKind:
    if row["batch_source_name"] == settings.opening_batch_source:
        return DocumentKind.OPENING_RECEIVABLE
    return KINDS_OF_TYPE.get(row["cust_trx_type"], DocumentKind.INVOICE)


def payment_of(row: Mapping[str, Any], settings: LegacyErpSettings) -> LedgerPayment:
    return LedgerPayment(
        payment_id=row["receipt_number"],
        document_number=number_of(row, settings),
        amount=Money(row["currency_code"], row["amount"]),
        received_on=row["receipt_date"],
    )
