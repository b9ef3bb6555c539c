"""Dynamics 365's OData side as the simulator keeps it: the entities it knows with their keys
and fields, addresses and queries as D365 reads them, and its error body. Field names beyond
those vendors.md lists are the simulator's own (see vendors.md's gaps), except the supplier side
(`VendorsV2`, `VendorInvoiceHeaders`, `VendorInvoiceLines`), named as Microsoft documents them
but for the two a firm adds to both invoice headers: o2c's number and the credited invoice."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from simulators import dynamics365_master as master

Row = dict[str, Any]
Key = tuple[Any, ...]

PAYMENT_SET = "CustomerPaymentJournalLines"
# What is still open of each customer invoice (CustTransOpen): read-only, worked out from the
# invoices and the payments marked against them.
OPEN_TRANSACTIONS_SET = "CustomerOpenTransactions"
KEYS: dict[str, tuple[str, ...]] = {
    "CustomersV3": ("dataAreaId", "CustomerAccount"),
    OPEN_TRANSACTIONS_SET: ("dataAreaId", "CustomerAccount", "InvoiceIdentifier"),
    "FreeTextInvoiceHeaders": ("dataAreaId", "InvoiceIdentifier"),
    "FreeTextInvoiceLines": ("dataAreaId", "InvoiceIdentifier", "LineNumber"),
    PAYMENT_SET: ("dataAreaId", "JournalBatchNumber", "LineNumber"),
    "VendorsV2": ("dataAreaId", "VendorAccountNumber"),
    "VendorInvoiceHeaders": ("dataAreaId", "HeaderReference"),
    "VendorInvoiceLines": ("dataAreaId", "HeaderReference", "InvoiceLineNumber"),
    **master.KEYS,
}
FIELDS: dict[str, dict[str, str]] = {
    "CustomersV3": {
        "dataAreaId": "text",
        "CustomerAccount": "text",
        "OrganizationName": "text",
        "CustomerGroupId": "text",
        "SalesCurrencyCode": "text",
        "TaxExemptNumber": "text",
        "AddressCountryRegionId": "text",
        "O2CExternalId": "text",  # an extension the firm adds: o2c's key for the customer
        "CreditLimit": "number",
        "CreditLimitIsMandatory": "text",
        "OnHoldStatus": "text",
    },
    OPEN_TRANSACTIONS_SET: {
        "dataAreaId": "text",
        "CustomerAccount": "text",
        "InvoiceIdentifier": "text",
        "DueDate": "datetime",
        "CurrencyCode": "text",
        "AmountCur": "number",
    },
    "FreeTextInvoiceHeaders": {
        "dataAreaId": "text",
        "InvoiceIdentifier": "text",
        "CustomerAccount": "text",
        "InvoiceDate": "datetime",
        "DueDate": "datetime",
        "CurrencyCode": "text",
        "DocumentNumber": "text",
        "OriginalInvoiceNumber": "text",
        "PostingProfile": "text",
        "TotalAmount": "number",
    },
    "FreeTextInvoiceLines": {
        "dataAreaId": "text",
        "InvoiceIdentifier": "text",
        "LineNumber": "number",
        "Description": "text",
        "LineAmount": "number",
        "SalesTaxAmount": "number",
    },
    PAYMENT_SET: {
        "dataAreaId": "text",
        "JournalBatchNumber": "text",
        "LineNumber": "number",
        "TransactionDate": "datetime",
        "AccountDisplayValue": "text",
        "MarkedInvoice": "text",
        "PaymentReference": "text",
        "CreditAmount": "number",
        "CurrencyCode": "text",
    },
    "VendorsV2": {
        "dataAreaId": "text",
        "VendorAccountNumber": "text",
        "VendorOrganizationName": "text",
        "VendorGroupId": "text",
        "CurrencyCode": "text",
    },
    "VendorInvoiceHeaders": {
        "dataAreaId": "text",
        "HeaderReference": "text",
        "VendorAccount": "text",
        "InvoiceNumber": "text",
        "InvoiceDate": "datetime",
        "DueDate": "datetime",
        "Currency": "text",
        "DocumentNumber": "text",
        "OriginalInvoiceNumber": "text",
        "PostingProfile": "text",
        "ImportedAmount": "number",
        "ImportedSalesTax": "number",
    },
    "VendorInvoiceLines": {
        "dataAreaId": "text",
        "HeaderReference": "text",
        "InvoiceLineNumber": "number",
        "LineDescription": "text",
        "Currency": "text",
        "LineAmount": "number",
    },
    **master.FIELDS,
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "CustomersV3": ("OrganizationName", "CustomerGroupId", "SalesCurrencyCode"),
    "FreeTextInvoiceHeaders": ("CustomerAccount", "InvoiceDate", "CurrencyCode"),
    "FreeTextInvoiceLines": ("Description", "LineAmount"),
    PAYMENT_SET: (),
    OPEN_TRANSACTIONS_SET: (),
    "VendorsV2": ("VendorOrganizationName", "VendorGroupId", "CurrencyCode"),
    "VendorInvoiceHeaders": ("VendorAccount", "InvoiceNumber", "InvoiceDate", "Currency"),
    "VendorInvoiceLines": ("Currency", "LineAmount"),
    **master.REQUIRED,
}
REFERENCES = {
    "FreeTextInvoiceHeaders": (
        "CustomersV3",
        ("dataAreaId", "CustomerAccount"),
        "Customer account {} does not exist in company {}.",
    ),
    "FreeTextInvoiceLines": (
        "FreeTextInvoiceHeaders",
        ("dataAreaId", "InvoiceIdentifier"),
        "Free text invoice {} does not exist in company {}.",
    ),
    "VendorInvoiceHeaders": (
        "VendorsV2",
        ("dataAreaId", "VendorAccount"),
        "Vendor account {} does not exist in company {}.",
    ),
    "VendorInvoiceLines": (
        "VendorInvoiceHeaders",
        ("dataAreaId", "HeaderReference"),
        "Vendor invoice {} does not exist in company {}.",
    ),
    **master.REFERENCES,
}
READ_ONLY = {"FreeTextInvoiceHeaders": {"TotalAmount"}}
# Enumerations as OData writes them, by member name: NoYes, and CustVendorBlocked (the customer's
# Invoicing and delivery on hold).
ENUMS = {
    "CreditLimitIsMandatory": ("No", "Yes"),
    "OnHoldStatus": ("No", "Invoice", "All", "Payment", "Requisition", "Never"),
    **master.ENUMS,
}
# A new customer as D365 defaults it: a credit limit of 0, which is none unless mandatory.
DEFAULTS = {
    "CustomersV3": {"CreditLimit": Decimal(0), "CreditLimitIsMandatory": "No", "OnHoldStatus": "No"}
}
WRITABLE_SETS = (
    "CustomersV3",
    "FreeTextInvoiceHeaders",
    "FreeTextInvoiceLines",
    "VendorsV2",
    "VendorInvoiceHeaders",
    "VendorInvoiceLines",
)
INVOICE_HEADER_SETS = ("FreeTextInvoiceHeaders", "VendorInvoiceHeaders")
# Whose invoice a credit note on each side must credit.
CREDITED_PARTY = {
    "FreeTextInvoiceHeaders": ("CustomerAccount", "customer"),
    "VendorInvoiceHeaders": ("VendorAccount", "vendor"),
}
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")
ENTITY_PATH = re.compile(r"^/data/(\w+)(?:\((.*)\))?$")
KEY_PART = re.compile(r"\s*(\w+)\s*=\s*(?:'((?:[^']|'')*)'|(-?\d+))\s*(?:,|$)")
CLAUSE = re.compile(
    r"\s*(\w+)\s+(eq|ne|gt|ge|lt|le)\s+"
    r"('(?:[^']|'')*'|\d{4}-\d{2}-\d{2}T[\d:.]+Z|-?\d+(?:\.\d+)?|true|false|null)\s*"
)


class ODataError(Exception):
    """A refusal, answered with D365's error body."""

    def __init__(self, status: int, message: str, inner: str = "", kind: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.inner = inner or message
        self.kind = (
            kind or "Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataException"
        )

    def body(self) -> Row:
        inner = {"message": self.inner, "type": self.kind, "stacktrace": ""}
        return {"error": {"code": "", "message": self.message, "innererror": inner}}


class Answer:
    def __init__(
        self, status: int, body: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}


def split_target(target: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(target)
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    return unquote(parts.path), query


def parse_entity_path(path: str) -> tuple[str, Key | None]:
    match = ENTITY_PATH.match(path)
    if not match or match.group(1) not in KEYS:
        raise ODataError(404, f"No HTTP resource was found that matches the request URI '{path}'.")
    entity_set, key_text = match.groups()
    if key_text is None:
        return entity_set, None
    values = {
        name: parse_literal(text, number) for name, text, number in KEY_PART.findall(key_text)
    }
    if set(values) != set(KEYS[entity_set]):
        raise ODataError(400, f"The key must name every key field: {', '.join(KEYS[entity_set])}.")
    return entity_set, tuple(values[name] for name in KEYS[entity_set])


def parse_literal(text: str, number: str) -> Any:
    return Decimal(number) if number else text.replace("''", "'")


Clause = tuple[str, str, Any]
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and a > b,
    "ge": lambda a, b: a is not None and a >= b,
    "lt": lambda a, b: a is not None and a < b,
    "le": lambda a, b: a is not None and a <= b,
}


def parse_filter(text: str) -> list[Clause]:
    """`Field op literal` clauses joined by `and`: what o2c sends; anything else is refused."""
    if not text.strip():
        return []
    clauses = []
    for part in re.split(r"\s+and\s+", text.strip()):
        match = CLAUSE.fullmatch(part)
        if not match:
            raise ODataError(400, f"The query specified in the URI is not valid: '{text}'.")
        name, operator, literal = match.groups()
        clauses.append((name, operator, filter_value(literal)))
    return clauses


def filter_value(literal: str) -> Any:
    if literal.startswith("'"):
        return literal[1:-1].replace("''", "'")
    if DATETIME.fullmatch(literal):
        return literal
    if literal in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[literal]
    return Decimal(literal)


def check_properties(entity_set: str, names: list[str]) -> None:
    """A $filter or $select naming a property the entity type does not have is refused."""
    for name in names:
        if name not in FIELDS[entity_set]:
            raise ODataError(
                400,
                f"Could not find a property named '{name}' on type "
                f"'Microsoft.Dynamics.DataEntities.{entity_set}'.",
            )


def selected_names(select: str) -> list[str]:
    return [name.strip() for name in select.split(",") if name.strip()]


def matches(row: Row, clauses: list[Clause]) -> bool:
    return all(COMPARE[op](row.get(name), value) for name, op, value in clauses)


def selected(row: Row, select: str) -> Row:
    names = selected_names(select)
    return {name: row.get(name) for name in names} if names else row


def key_of(entity_set: str, row: Row) -> Key:
    return tuple(row[name] for name in KEYS[entity_set])


def check_fields(entity_set: str, row: Row, *, creating: bool) -> None:
    fields = FIELDS[entity_set]
    type_name = f"Microsoft.Dynamics.DataEntities.{entity_set}"
    for name, value in row.items():
        if name not in fields or name in READ_ONLY.get(entity_set, ()):
            raise ODataError(
                400,
                f"The property '{name}' does not exist on type '{type_name}'. Make sure to only "
                "use property names that are defined by the type.",
            )
        check_type(name, fields[name], value)
        check_enum(name, value)
    needed = (*KEYS[entity_set], *REQUIRED[entity_set]) if creating else ()
    needed = tuple(name for name in needed if name not in master.BLANK_KEYS.get(entity_set, ()))
    missing = [name for name in needed if row.get(name) in (None, "")]
    if missing:
        raise ODataError(
            400, "An error has occurred.", f"Field(s) {', '.join(missing)} must be filled in."
        )


def check_type(name: str, kind: str, value: Any) -> None:
    valid = {
        "text": isinstance(value, str),
        "number": isinstance(value, Decimal | int) and not isinstance(value, bool),
        "datetime": value is None or (isinstance(value, str) and bool(DATETIME.fullmatch(value))),
    }[kind]
    if not valid:
        raise ODataError(
            400,
            f"Cannot convert the literal '{value}' to the expected type of property '{name}'.",
        )


def check_enum(name: str, value: Any) -> None:
    if name in ENUMS and value not in ENUMS[name]:
        raise ODataError(
            400,
            f"Cannot convert the literal '{value}' to the expected type of property '{name}'.",
            f"Requested value '{value}' was not found.",
        )


def open_transactions(tables: dict[str, dict[Key, Row]]) -> list[Row]:
    """Each customer invoice or credit note less the payments marked against it, while open."""
    paid: dict[tuple[Any, Any], Decimal] = {}
    for line in tables[PAYMENT_SET].values():
        marked = (line["dataAreaId"], line["MarkedInvoice"])
        paid[marked] = paid.get(marked, Decimal(0)) + Decimal(line["CreditAmount"])
    found = [
        {
            "dataAreaId": header["dataAreaId"],
            "CustomerAccount": header["CustomerAccount"],
            "InvoiceIdentifier": header["InvoiceIdentifier"],
            "DueDate": header.get("DueDate"),
            "CurrencyCode": header["CurrencyCode"],
            "AmountCur": Decimal(header.get("TotalAmount") or 0)
            - paid.get((header["dataAreaId"], header["InvoiceIdentifier"]), Decimal(0)),
        }
        for header in tables["FreeTextInvoiceHeaders"].values()
    ]
    return [row for row in found if row["AmountCur"] != 0]


def add_to_total(tables: dict[str, dict[Key, Row]], line: Row) -> None:
    header = tables["FreeTextInvoiceHeaders"][(line["dataAreaId"], line["InvoiceIdentifier"])]
    amount = Decimal(line["LineAmount"]) + Decimal(line.get("SalesTaxAmount") or 0)
    header["TotalAmount"] = Decimal(header.get("TotalAmount") or 0) + amount


def check_posting_profile(row: Row, profiles: tuple[str, ...]) -> None:
    """A header's posting profile (the summary accounts it posts to) must be set up."""
    profile = row["PostingProfile"]
    if profile not in profiles:
        raise ODataError(
            400,
            "An error has occurred.",
            f"Posting profile {profile} does not exist in company {row['dataAreaId']}.",
        )


def check_invoice_number_unused(tables: dict[str, dict[Key, Row]], row: Row) -> None:
    """Accounts payable's duplicate check: one invoice number per vendor, never two bills."""
    vendor, number = row["VendorAccount"], row["InvoiceNumber"]
    if any(
        (other["dataAreaId"], other["VendorAccount"], other["InvoiceNumber"])
        == (row["dataAreaId"], vendor, number)
        for other in tables["VendorInvoiceHeaders"].values()
    ):
        raise ODataError(
            400,
            "An error has occurred.",
            f"Invoice number {number} is already used for vendor {vendor}. "
            "Duplicate invoice numbers are not allowed.",
        )


def check_original_held(tables: dict[str, dict[Key, Row]], entity_set: str, row: Row) -> None:
    """A credit note's reference to the invoice it credits: an invoice the company holds for the
    same customer (or vendor), as the reference's lookup offers them."""
    original = row.get("OriginalInvoiceNumber")
    if not original:
        return
    account, party = CREDITED_PARTY[entity_set]
    held = (row["dataAreaId"], row[account], original)
    if not any(
        (other["dataAreaId"], other[account], other.get("DocumentNumber")) == held
        for other in tables[entity_set].values()
    ):
        raise ODataError(
            400,
            "An error has occurred.",
            f"Original invoice {original} does not exist for {party} account {row[account]} in "
            f"company {row['dataAreaId']}.",
        )


def duplicate(entity_set: str, key: Key) -> ODataError:
    table = {
        "CustomersV3": "CustTable",
        "FreeTextInvoiceHeaders": "CustInvoiceTable",
        "VendorsV2": "VendTable",
        "VendorInvoiceHeaders": "VendInvoiceInfoTable",
    }
    return ODataError(
        400,
        "An error has occurred.",
        f"Write failed for table row of type '{entity_set}'. Infolog: Error: Cannot create a "
        f"record in {table.get(entity_set, entity_set)}. The record already exists: {key}.",
    )


def throttled(retry_after: int) -> Answer:
    error = ODataError(429, "Request was throttled: too many concurrent requests.")
    return Answer(429, error.body(), {"Retry-After": str(retry_after)})


def context(url: str, entity_set: str) -> str:
    return f"{url}/data/$metadata#{entity_set}"


def decoded(body: bytes) -> Row:
    try:
        row = json.loads(body or b"{}", parse_float=Decimal, parse_int=Decimal)
    except ValueError as error:
        raise ODataError(400, "The request body is not valid JSON.", str(error)) from error
    if not isinstance(row, dict):
        raise ODataError(400, "The request body must be a JSON object.")
    return row
