"""What a simulated NetSuite account holds: customers and vendors, invoices, credit memos, vendor
bills, vendor credits and customer payments, validated as the record API validates them, and read
back by SuiteQL. The account's custom body fields are checkboxes on every transaction, false
unless set; a body field the account does not define is refused. A credit is created from an
original of its own party (an invoice of the customer, a bill of the vendor) and applied, if at
all, to such originals, never for more than is still due on one nor more than the credit.

Error codes beyond IDEMPOTENCY_ERROR are not confirmed in vendors.md: USER_ERROR for a field
NetSuite refuses and NONEXISTENT_ID for a record not found are what NetSuite is seen to answer,
kept here in one place so they can be corrected."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

FIELD_REFUSED = "USER_ERROR"
NOT_FOUND = "NONEXISTENT_ID"
DUPLICATE_KEY = "IDEMPOTENCY_ERROR"
TRANSACTION_TYPES = {
    "invoice": "CustInvc",
    "creditMemo": "CustCred",
    "vendorBill": "VendBill",
    "vendorCredit": "VendCred",
    "customerPayment": "CustPymt",
}
# Bills and vendor credits are made out to a vendor, every other transaction to a customer.
PARTIES = {
    "invoice": "customer",
    "creditMemo": "customer",
    "vendorBill": "vendor",
    "vendorCredit": "vendor",
}
ORIGINALS = {"creditMemo": "invoice", "vendorCredit": "vendorBill"}
# A supplier's document number is its own, so NetSuite keeps it unique per vendor.
SUPPLIER_NUMBERED = ("vendorBill", "vendorCredit")
CUSTOM_BODY_FIELD = "custbody"
# The customer's Hold field (creditHoldOverride): Auto leaves it to the credit limit and overdue
# balance, On holds the customer whatever its balance, Off never holds it.
CREDIT_HOLDS = {"AUTO": "Auto", "ON": "On", "OFF": "Off"}


@dataclass
class Refusal(Exception):
    status: int
    code: str
    detail: str
    path: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def refused_field(path: str, detail: str) -> Refusal:
    return Refusal(400, FIELD_REFUSED, detail, path)


@dataclass
class NetSuiteBooks:
    subsidiaries: dict[str, dict[str, str]]  # by internal id: name, country, currency
    currencies: frozenset[str]  # currency record internal ids
    custom_fields: frozenset[str] = frozenset()  # checkbox body fields, by script id
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)  # by externalId
    # Customers made in the UI with no externalId, by internal id.
    unlinked_customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    vendors: dict[str, dict[str, Any]] = field(default_factory=dict)  # by externalId
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)  # by internal id
    idempotency_keys: set[str] = field(default_factory=set)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(101))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def upsert_entity(self, record_type: str, external_id: str, body: dict[str, Any]) -> str:
        """Create, or update the fields the body names: the rest of the record stays."""
        self.check_entity(record_type, body)
        entities = self.entities(record_type)
        with self.lock:
            known = entities.get(external_id) or new_entity(record_type)
            record_id = known.get("id") or str(next(self.ids))
            entities[external_id] = {**known, **body, "id": record_id, "externalId": external_id}
            return str(record_id)

    def enter_customer(self, body: dict[str, Any]) -> str:
        """A customer made in NetSuite's UI, with no externalId."""
        self.check_entity("customer", body)
        with self.lock:
            record_id = str(next(self.ids))
            fields = {**new_entity("customer"), **body, "id": record_id, "externalId": None}
            self.unlinked_customers[record_id] = fields
            return record_id

    def check_entity(self, record_type: str, body: dict[str, Any]) -> None:
        text_field(body, "companyName")
        self.check_ref(body, "subsidiary", self.subsidiaries)
        self.check_ref(body, "currency", self.currencies)
        if record_type == "customer":
            check_credit_fields(body)

    def all_customers(self) -> list[dict[str, Any]]:
        """Every customer, linked to an externalId or not: call under the lock."""
        return [*self.customers.values(), *self.unlinked_customers.values()]

    def read_entity(self, record_type: str, external_id: str) -> dict[str, Any]:
        with self.lock:
            found = self.entities(record_type).get(external_id)
        if found is None:
            raise Refusal(404, NOT_FOUND, "The record instance does not exist.")
        return {name: json_value(value) for name, value in found.items()}

    def set_credit(self, external_id: str, credit_limit: Decimal | None, hold: str) -> None:
        """The account's credit management, done on the customer's Financial subtab."""
        fields = {"creditLimit": credit_limit, "creditHoldOverride": credit_hold(hold)}
        check_credit_fields(fields)
        with self.lock:
            self.customers[external_id].update(fields)

    def entities(self, record_type: str) -> dict[str, dict[str, Any]]:
        return self.vendors if record_type == "vendor" else self.customers

    def create(self, record_type: str, body: dict[str, Any], key: str | None) -> str:
        with self.lock:
            transaction = self.checked_transaction(record_type, body)
            if key is not None:
                self.claim(key)
            self.check_external_id_free(record_type, transaction["externalId"])
            if record_type in ORIGINALS:
                self.check_created_from(transaction)
                self.check_applied(transaction)
            if record_type in SUPPLIER_NUMBERED:
                self.check_supplier_number_free(transaction)
            record_id = str(next(self.ids))
            self.transactions[record_id] = {**transaction, "id": record_id}
            return record_id

    def claim(self, key: str) -> None:
        if key in self.idempotency_keys:
            raise Refusal(400, DUPLICATE_KEY, f"The idempotency key {key} was already used.")
        self.idempotency_keys.add(key)

    def check_external_id_free(self, record_type: str, external_id: str) -> None:
        if external_id and self.by_external_id(record_type, external_id) is not None:
            raise refused_field("externalId", f"A record with external ID {external_id} exists.")

    def check_supplier_number_free(self, document: dict[str, Any]) -> None:
        if any(
            t["recordType"] == document["recordType"]
            and t["entity"] == document["entity"]
            and t["tranId"] == document["tranId"]
            for t in self.transactions.values()
        ):
            raise refused_field(
                "tranId",
                f"This vendor already has a {document['recordType']} {document['tranId']}.",
            )

    def check_created_from(self, credit: dict[str, Any]) -> None:
        original_type = ORIGINALS[credit["recordType"]]
        if self.original(credit, credit["createdFrom"]) is None:
            raise refused_field(
                "createdFrom", f"createdFrom must be an existing {original_type} of this entity."
            )

    def check_applied(self, credit: dict[str, Any]) -> None:
        unapplied = credit["total"]
        for index, line in enumerate(credit["apply"]["items"]):
            original = self.original(credit, line["doc"])
            if original is None:
                raise refused_field(
                    f"apply.items[{index}].doc", "You can only apply to an open document."
                )
            due = amount_remaining(list(self.transactions.values()), original)
            if line["amount"] > min(due, unapplied):
                raise refused_field(
                    f"apply.items[{index}].amount",
                    f"The amount applied exceeds the amount due {due:f} or what is left to apply.",
                )
            unapplied -= line["amount"]

    def original(self, credit: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any] | None:
        """An original the credit may be made from or applied to: its party's, in its books."""
        found = self.transactions.get(str(ref.get("id", "")))
        if found is None or found["recordType"] != ORIGINALS[credit["recordType"]]:
            return None
        same_books = all(found[name] == credit[name] for name in ("entity", "subsidiary"))
        return found if same_books else None

    def checked_transaction(self, record_type: str, body: dict[str, Any]) -> dict[str, Any]:
        party = PARTIES[record_type]
        entity = self.entity_of(body, self.entities(party))
        subsidiary = self.check_ref(body, "subsidiary", self.subsidiaries)
        if entity.get("subsidiary", {}).get("id") != subsidiary:
            raise refused_field("subsidiary", f"The {party} is not in this subsidiary.")
        lines = checked_lines(body)
        return {
            "recordType": record_type,
            "externalId": optional_text(body, "externalId"),
            "tranId": optional_text(body, "tranId") or str(next(self.ids)),
            "entity": {"id": entity["id"]},
            "subsidiary": {"id": subsidiary},
            "currency": {"id": self.check_ref(body, "currency", self.currencies)},
            "tranDate": date_field(body, "tranDate"),
            "total": sum((line["amount"] + line.get("tax1Amt", 0) for line in lines), Decimal(0)),
            "item": {"items": lines},
            **credited(record_type, body),
            **self.custom_values(body),
        }

    def custom_values(self, body: dict[str, Any]) -> dict[str, bool]:
        for name in body:
            if name.startswith(CUSTOM_BODY_FIELD) and name not in self.custom_fields:
                raise refused_field(name, f"The field {name} does not exist on this record.")
        for name in self.custom_fields & body.keys():
            if not isinstance(body[name], bool):
                raise refused_field(name, f"{name} must be true or false.")
        return {name: body.get(name, False) for name in self.custom_fields}

    def entity_of(
        self, body: dict[str, Any], entities: dict[str, dict[str, Any]]
    ) -> dict[str, Any]:
        entity = ref_field(body, "entity")
        unlinked = self.unlinked_customers if entities is self.customers else {}
        everyone = [*entities.values(), *unlinked.values()]
        found = entities.get(str(entity.get("externalId", ""))) or next(
            (c for c in everyone if c["id"] == entity.get("id")), None
        )
        if found is None:
            raise refused_field("entity", "Invalid Field Value for the following field: entity")
        return found

    def check_ref(self, body: dict[str, Any], name: str, known: Collection[str]) -> str:
        ref_id = str(ref_field(body, name).get("id", ""))
        if ref_id not in known:
            raise refused_field(
                name, f"Invalid Field Value {ref_id} for the following field: {name}"
            )
        return ref_id

    def by_external_id(self, record_type: str, external_id: str) -> dict[str, Any] | None:
        return next(
            (
                t
                for t in self.transactions.values()
                if t["recordType"] == record_type and t["externalId"] == external_id
            ),
            None,
        )

    def read(self, record_type: str, external_id: str) -> dict[str, Any]:
        with self.lock:
            found = self.by_external_id(record_type, external_id)
        if found is None:
            raise Refusal(404, NOT_FOUND, "The record instance does not exist.")
        return found

    def receive_payment(
        self, external_id: str, invoice_number: str, amount: Decimal, received_on: dt.date
    ) -> None:
        """The account's cash application, done in NetSuite's UI as far as o2c knows."""
        with self.lock:
            invoice = next(
                t
                for t in self.transactions.values()
                if t["recordType"] == "invoice" and t["tranId"] == invoice_number
            )
            record_id = str(next(self.ids))
            self.transactions[record_id] = {
                **{k: invoice[k] for k in ("entity", "subsidiary", "currency")},
                "recordType": "customerPayment",
                "id": record_id,
                "externalId": external_id,
                "tranId": record_id,
                "tranDate": received_on.isoformat(),
                "total": amount,
                "apply": {"items": [{"doc": {"id": invoice["id"]}, "amount": amount}]},
            }

    def snapshot(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(t) for t in self.transactions.values()]


def json_value(value: Any) -> Any:
    """A currency field as the record API writes it: a JSON number."""
    return float(value) if isinstance(value, Decimal) else value


def new_entity(record_type: str) -> dict[str, Any]:
    """A new customer's credit fields as NetSuite defaults them: no limit, the hold automatic."""
    if record_type != "customer":
        return {}
    return {"creditLimit": None, "creditHoldOverride": credit_hold("AUTO")}


def credit_hold(hold: str) -> dict[str, str]:
    return {"id": hold, "refName": CREDIT_HOLDS.get(hold, hold)}


def check_credit_fields(body: dict[str, Any]) -> None:
    limit = body.get("creditLimit")
    if limit is not None and (not isinstance(limit, Decimal | int) or limit < 0):
        raise refused_field("creditLimit", "creditLimit must be a number, zero or more.")
    hold = body.get("creditHoldOverride", {"id": "AUTO"})
    if not isinstance(hold, dict) or hold.get("id") not in CREDIT_HOLDS:
        raise refused_field(
            "creditHoldOverride", "Invalid Field Value for the following field: creditHoldOverride"
        )


def unapplied(transactions: list[dict[str, Any]], credit: dict[str, Any]) -> Decimal:
    """What is still open of a credit memo: its total less what it was applied to."""
    applied = sum((line["amount"] for line in credit["apply"]["items"]), Decimal(0))
    return Decimal(credit["total"] - applied)


def credited(record_type: str, body: dict[str, Any]) -> dict[str, Any]:
    if record_type not in ORIGINALS:
        return {"createdFrom": body.get("createdFrom")}
    return {
        "createdFrom": ref_field(body, "createdFrom"),
        "apply": {"items": checked_applications(body)},
    }


def checked_applications(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The apply sublist's ticked lines; an unticked one is only listed, not applied."""
    if "apply" not in body:
        return []
    items = body["apply"].get("items") if isinstance(body["apply"], dict) else None
    if not isinstance(items, list):
        raise refused_field("apply", "apply must be an object with its items.")
    applied = []
    for index, line in enumerate(items):
        at = f"apply.items[{index}]"
        if not isinstance(line, dict) or not isinstance(line.get("doc"), dict):
            raise refused_field(f"{at}.doc", "Please enter value(s) for: doc")
        if not isinstance(line.get("apply", False), bool):
            raise refused_field(f"{at}.apply", "apply must be true or false.")
        amount = line.get("amount")
        if not isinstance(amount, Decimal | int) or amount <= 0:
            raise refused_field(f"{at}.amount", "amount must be a positive number.")
        if line.get("apply", False):
            applied.append(
                {"doc": {"id": str(line["doc"].get("id", ""))}, "amount": Decimal(amount)}
            )
    return applied


def amount_remaining(transactions: list[dict[str, Any]], document: dict[str, Any]) -> Decimal:
    """What is still due on an invoice or a bill: its total less what was applied to it."""
    applied = (
        line["amount"]
        for t in transactions
        for line in t.get("apply", {}).get("items", [])
        if line["doc"]["id"] == document["id"]
    )
    return Decimal(document["total"] - sum(applied, Decimal(0)))


def ref_field(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if not isinstance(value, dict) or not ({"id", "externalId"} & value.keys()):
        raise refused_field(name, f"Please enter value(s) for: {name}")
    return value


def text_field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise refused_field(name, f"Please enter value(s) for: {name}")
    return value


def optional_text(body: dict[str, Any], name: str) -> str:
    return text_field(body, name) if name in body else ""


def date_field(body: dict[str, Any], name: str) -> str:
    text = text_field(body, name)
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise refused_field(name, f"Invalid date value {text} for: {name}") from None


def checked_lines(body: dict[str, Any]) -> list[dict[str, Any]]:
    items = body.get("item", {}).get("items") if isinstance(body.get("item"), dict) else None
    if not isinstance(items, list) or not items:
        raise refused_field("item", "You must enter at least one line item for this transaction.")
    for index, line in enumerate(items):
        for name in ("amount", "tax1Amt"):
            if name in line and not isinstance(line[name], Decimal | int):
                raise refused_field(f"item.items[{index}].{name}", f"{name} must be a number.")
        if "amount" not in line:
            raise refused_field(f"item.items[{index}].amount", "Please enter value(s) for: amount")
    return [{**line, "amount": Decimal(line["amount"])} for line in items]


def check_uuid(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise refused_field("X-NetSuite-Idempotency-Key", "The key must be a UUID.") from None


SQL_TEXT = r"'((?:[^']|'')*)'"
SQL_CUSTOM_FIELD = r"(custbody[a-z0-9_]+)"


def sql_pattern(template: str) -> re.Pattern[str]:
    """A query the simulator answers, with '?' for each string literal it reads and `custbody_?`
    for a custom body field it reads the name of."""
    escaped = re.escape(" ".join(template.split()))
    with_literals = escaped.replace(r"'\?'", SQL_TEXT)
    return re.compile(with_literals.replace(r"custbody_\?", SQL_CUSTOM_FIELD))


def sql_literals(pattern: re.Pattern[str], query: str) -> list[str] | None:
    matched = pattern.fullmatch(" ".join(query.split()))
    return None if matched is None else [text.replace("''", "'") for text in matched.groups()]
