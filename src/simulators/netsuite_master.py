"""The master data a simulated NetSuite account's own users keep, which o2c only reads by SuiteQL:
subsidiaries (name, country, base currency), sales tax codes (`salestaxitem`: itemid,
description, rate, country and the one subsidiary it is set up for), departments (name, the
cost centre's code in externalid, isinactive, subsidiary) and customers made by hand (no
externalid; the billing country on their default billing address, read through
`entityaddress`). Each is kept as its user saved it, checked as the UI checks it; seeding one
again replaces it (a subsidiary by id, a tax code by itemid, a department by externalid).

SuiteQL's text for a rate is not confirmed: here it is the percent with its sign, "8.875%"."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from simulators.netsuite_books import (
    NetSuiteBooks,
    Refusal,
    refused_field,
    sql_literals,
    sql_pattern,
)

Rows = list[dict[str, str]]
COUNTRY = re.compile(r"[A-Z]{2}")

SUBSIDIARIES = sql_pattern("SELECT id, name, country, currency FROM subsidiary ORDER BY id")
TAX_CODES = sql_pattern(
    "SELECT id, itemid, description, rate, country FROM salestaxitem"
    " WHERE subsidiary = '?' AND isinactive = 'F' ORDER BY itemid"
)
DEPARTMENTS = sql_pattern(
    "SELECT id, name, externalid, isinactive FROM department"
    " WHERE subsidiary = '?' ORDER BY externalid"
)
CUSTOMERS = sql_pattern(
    "SELECT customer.id, customer.externalid, customer.companyname, customer.vatregnumber,"
    " customer.currency, address.country FROM customer"
    " LEFT JOIN entityaddress address ON address.nkey = customer.defaultbillingaddress"
    " WHERE customer.subsidiary = '?' ORDER BY customer.id"
)


@dataclass
class NetSuiteMasterData:
    books: NetSuiteBooks
    tax_items: dict[str, dict[str, Any]] = field(default_factory=dict)  # by itemid
    departments: dict[str, dict[str, Any]] = field(default_factory=dict)  # by externalid

    def keep_subsidiary(self, subsidiary: str, name: str, country: str, currency: str) -> None:
        check_country(country)
        if currency not in self.books.currencies:
            raise refused_field("currency", f"Invalid Field Value {currency} for: currency")
        with self.books.lock:
            self.books.subsidiaries[subsidiary] = {
                "name": name,
                "country": country,
                "currency": currency,
            }

    def keep_tax_code(
        self, itemid: str, description: str, rate: Decimal, country: str, subsidiary: str
    ) -> None:
        check_country(country)
        self.check_subsidiary(subsidiary)
        if not 0 <= rate <= 100:
            raise refused_field("rate", "The rate must be a percentage from 0 to 100.")
        with self.books.lock:
            known = self.tax_items.get(itemid) or {"id": str(next(self.books.ids))}
            self.tax_items[itemid] = {
                **known,
                "itemid": itemid,
                "description": description,
                "rate": rate,
                "country": country,
                "subsidiary": subsidiary,
                "isinactive": False,
            }

    def keep_department(self, code: str, name: str, inactive: bool, subsidiary: str) -> None:
        self.check_subsidiary(subsidiary)
        with self.books.lock:
            known = self.departments.get(code) or {"id": str(next(self.books.ids))}
            self.departments[code] = {
                **known,
                "externalid": code,
                "name": name,
                "isinactive": inactive,
                "subsidiary": subsidiary,
            }

    def enter_customer(self, body: dict[str, Any], billing_country: str) -> str:
        """A customer made in the UI, with its default billing address's country."""
        if billing_country:
            check_country(billing_country)
            body = {**body, "defaultBillingCountry": billing_country}
        return self.books.enter_customer(body)

    def check_subsidiary(self, subsidiary: str) -> None:
        if subsidiary not in self.books.subsidiaries:
            raise refused_field("subsidiary", f"Invalid Field Value {subsidiary} for: subsidiary")

    def answer(self, query: str) -> Rows | None:
        """The rows of a master-data query, or None when the query is not one of them."""
        answers: list[tuple[Any, Callable[..., Rows]]] = [
            (SUBSIDIARIES, self.subsidiary_rows),
            (TAX_CODES, self.tax_code_rows),
            (DEPARTMENTS, self.department_rows),
            (CUSTOMERS, self.customer_rows),
        ]
        for pattern, rows in answers:
            literals = sql_literals(pattern, query)
            if literals is not None:
                with self.books.lock:
                    return [without_nulls(row) for row in rows(*literals)]
        return None

    def subsidiary_rows(self) -> list[dict[str, Any]]:
        found = [{"id": key, **fields} for key, fields in self.books.subsidiaries.items()]
        return sorted(found, key=lambda row: id_order(row["id"]))

    def tax_code_rows(self, subsidiary: str) -> list[dict[str, Any]]:
        found = [
            {
                "id": item["id"],
                "itemid": item["itemid"],
                "description": item["description"],
                "rate": f"{item['rate']:f}%",
                "country": item["country"],
            }
            for item in self.tax_items.values()
            if item["subsidiary"] == subsidiary and not item["isinactive"]
        ]
        return sorted(found, key=lambda row: row["itemid"])

    def department_rows(self, subsidiary: str) -> list[dict[str, Any]]:
        found = [
            {
                "id": department["id"],
                "name": department["name"],
                "externalid": department["externalid"],
                "isinactive": "T" if department["isinactive"] else "F",
            }
            for department in self.departments.values()
            if department["subsidiary"] == subsidiary
        ]
        return sorted(found, key=lambda row: row["externalid"])

    def customer_rows(self, subsidiary: str) -> list[dict[str, Any]]:
        found = [
            {
                "id": customer["id"],
                "externalid": customer.get("externalId"),
                "companyname": customer["companyName"],
                "vatregnumber": customer.get("vatRegNumber"),
                "currency": customer["currency"]["id"],
                "country": customer.get("defaultBillingCountry"),
            }
            for customer in self.books.all_customers()
            if customer["subsidiary"]["id"] == subsidiary
        ]
        return sorted(found, key=lambda row: int(row["id"]))


def without_nulls(row: dict[str, Any]) -> dict[str, str]:
    """SuiteQL leaves a column that is null out of the row."""
    return {name: str(value) for name, value in row.items() if value not in (None, "")}


def id_order(record_id: str) -> tuple[int, str]:
    return (int(record_id), "") if record_id.isdigit() else (0, record_id)


def check_country(country: str) -> None:
    if not COUNTRY.fullmatch(country):
        raise Refusal(400, "USER_ERROR", f"Invalid Field Value {country} for: country", "country")
