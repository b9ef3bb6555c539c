"""A deal and accounts read from Salesforce's records, and o2c's writes in Salesforce's fields,
all through the firm's mapping. SOQL is written here, its literals escaped; the mapping's field
names are API names checked when it was loaded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from email.utils import format_datetime
from typing import Any

from attrs import frozen

from adapters.vendors.salesforce.mapping import SalesforceMapping, Section
from application.commands import RateLine, WorkPackageLine
from application.crm_ports import AccountPaymentStatus, CrmDeal
from application.ports import EngagementLink
from application.reference_ports import CrmAccount
from domain.money import Money, minor_digits, quantum

DEAL_FIELDS = (
    "legal_entity_code", "currency", "billing_method", "start_date", "end_date",
    "contract_value", "payment_terms_days",
)  # fmt: skip
ACCOUNT_FIELDS = ("name", "country", "vat_number")
RATE_FIELDS = ("role", "amount", "currency")
PACKAGE_FIELDS = ("code", "name", "region", "delivering_legal_entity_code")


def soql_literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def select(names: list[str]) -> str:
    return ", ".join(dict.fromkeys(n for n in names if n))


def deal_query(mapping: SalesforceMapping, opportunity_id: str) -> str:
    opportunity, account = mapping.opportunity, mapping.account
    names = [
        "Id", "StageName", "AccountId",
        *(opportunity[name] for name in DEAL_FIELDS), *opportunity.extensions.values(),
        *(f"Account.{account[n]}" for n in ACCOUNT_FIELDS if account[n]),
        *(f"Account.{name}" for name in account.extensions.values()),
    ]  # fmt: skip
    return f"SELECT {select(names)} FROM Opportunity WHERE Id = {soql_literal(opportunity_id)}"


def accounts_query(mapping: SalesforceMapping, account_ids: Sequence[str]) -> str:
    account = mapping.account
    names = ["Id", *(account[name] for name in (*ACCOUNT_FIELDS, "legal_entity_code"))]
    ids = ", ".join(soql_literal(account_id) for account_id in account_ids)
    return f"SELECT {select(names)} FROM Account WHERE Id IN ({ids})"


def account_of(mapping: SalesforceMapping, row: dict[str, Any]) -> CrmAccount:
    account = mapping.account

    def account_text(name: str) -> str:
        return mapping.in_o2c_words(name, text_of(row.get(account[name]))) if account[name] else ""

    return CrmAccount(
        account_id=str(row["Id"]),
        name=account_text("name"),
        tax_registration=account_text("vat_number"),
        country=account_text("country"),
        legal_entity_code=account_text("legal_entity_code"),
    )


def stage_query(stage: str) -> str:
    return f"SELECT ApiName, IsWon FROM OpportunityStage WHERE ApiName = {soql_literal(stage)}"


def children_query(section: Section, names: tuple[str, ...], opportunity_id: str) -> str:
    fields = select(["Id", *(section[name] for name in names)])
    return (
        f"SELECT {fields} FROM {section.object} "
        f"WHERE {section['opportunity']} = {soql_literal(opportunity_id)} "
        f"ORDER BY {', '.join(section.order_by)}"
    )


def deal_of(
    mapping: SalesforceMapping,
    row: dict[str, Any],
    is_won: bool,
    rates: list[dict[str, Any]],
    packages: list[dict[str, Any]],
) -> CrmDeal:
    opportunity, account = mapping.opportunity, mapping.account
    parent = row.get("Account") or {}
    currency = text_of(row.get(opportunity["currency"]))

    def deal_text(name: str) -> str:
        return mapping.in_o2c_words(name, text_of(row.get(opportunity[name])))

    def account_text(name: str) -> str:
        return mapping.in_o2c_words(name, text_of(parent.get(account[name])))

    return CrmDeal(
        opportunity_id=str(row["Id"]),
        stage=text_of(row.get("StageName")),
        is_won=is_won,
        account_id=text_of(row.get("AccountId")),
        account_name=account_text("name"),
        legal_entity_code=deal_text("legal_entity_code"),
        currency=currency,
        billing_method=deal_text("billing_method"),
        start_date=deal_text("start_date"),
        end_date=deal_text("end_date"),
        contract_value=amount_text(row.get(opportunity["contract_value"]), currency),
        rate_card=tuple(rate_line(mapping, rate, currency) for rate in rates),
        work_packages=tuple(work_package(mapping, package) for package in packages),
        customer_country=account_text("country"),
        customer_vat_number=account_text("vat_number"),
        payment_terms_days=deal_text("payment_terms_days"),
        extensions={
            **carried(row, opportunity.extensions),
            **carried(parent, account.extensions),
        },
    )


def rate_line(mapping: SalesforceMapping, row: dict[str, Any], deal_currency: str) -> RateLine:
    section = mapping.rate_card
    currency = text_of(row.get(section["currency"])) or deal_currency
    return RateLine(
        role=mapping.in_o2c_words("role", text_of(row.get(section["role"]))),
        amount=amount_text(row.get(section["amount"]), currency),
        currency=currency,
    )


def work_package(mapping: SalesforceMapping, row: dict[str, Any]) -> WorkPackageLine:
    section = mapping.work_packages

    def package_text(name: str) -> str:
        return mapping.in_o2c_words(name, text_of(row.get(section[name])))

    return WorkPackageLine(
        code=package_text("code"),
        name=package_text("name"),
        region=package_text("region"),
        delivering_legal_entity_code=package_text("delivering_legal_entity_code"),
    )


def carried(row: dict[str, Any], extensions: dict[str, str] | Any) -> dict[str, str]:
    """Each extension the record has a value for, as text."""
    return {
        key: text_of(row.get(name)) for key, name in extensions.items() if row.get(name) is not None
    }


def engagement_body(mapping: SalesforceMapping, link: EngagementLink) -> dict[str, Any]:
    opportunity = mapping.opportunity
    body: dict[str, Any] = {
        opportunity["engagement_id"]: link.engagement_id,
        opportunity["engagement_status"]: mapping.in_salesforce_words(
            "engagement_status", link.status
        ),
    }
    if opportunity["exception_id"]:
        body[opportunity["exception_id"]] = link.exception_id
    return body


def status_key(status: AccountPaymentStatus) -> str:
    return f"{status.account_id}:{status.invoice_number}"


@frozen
class StoredStatus:
    """The status record as o2c read it: what it holds, and when it was last changed."""

    record_id: str
    as_of: dt.datetime | None
    last_modified: dt.datetime

    def newer_than(self, status: AccountPaymentStatus) -> bool:
        return self.as_of is not None and self.as_of > status.as_of

    @property
    def unmodified_since(self) -> dict[str, str]:
        """The record's LastModifiedDate as HTTP gives dates, to the second."""
        return {"If-Unmodified-Since": format_datetime(self.last_modified, usegmt=True)}


def stored_statuses_query(mapping: SalesforceMapping, keys: Sequence[str]) -> str:
    section = mapping.payment_status
    names = ["Id", "LastModifiedDate", section["external_id"], section["as_of"]]
    literals = ", ".join(soql_literal(key) for key in keys)
    return (
        f"SELECT {select(names)} FROM {section.object} "
        f"WHERE {section['external_id']} IN ({literals})"
    )


def stored_status(mapping: SalesforceMapping, row: dict[str, Any]) -> tuple[str, StoredStatus]:
    section = mapping.payment_status
    as_of = row.get(section["as_of"])
    stored = StoredStatus(
        record_id=str(row["Id"]),
        as_of=None if as_of is None else moment(str(as_of)),
        last_modified=moment(str(row["LastModifiedDate"])),
    )
    return str(row[section["external_id"]]), stored


STATUS_FIELDS = ("account", "invoice_number", "status", "total", "paid", "balance", "as_of")


def status_query(mapping: SalesforceMapping, key: str) -> str:
    """The whole status record of one account and invoice, by its external id."""
    section = mapping.payment_status
    names = [section[name] for name in STATUS_FIELDS] + [currency_field(mapping)]
    return (
        f"SELECT {select(names)} FROM {section.object} "
        f"WHERE {section['external_id']} = {soql_literal(key)}"
    )


def currency_field(mapping: SalesforceMapping) -> str:
    """The mapped currency field, or the org's own currency of the record."""
    return mapping.payment_status["currency"] or "CurrencyIsoCode"


def status_of(mapping: SalesforceMapping, row: dict[str, Any]) -> AccountPaymentStatus:
    section = mapping.payment_status
    currency = str(row[currency_field(mapping)])

    def money(name: str) -> Money:
        return Money.of(Decimal(str(row[section[name]])), currency)

    return AccountPaymentStatus(
        account_id=str(row[section["account"]]),
        invoice_number=str(row[section["invoice_number"]]),
        status=mapping.in_o2c_words("status", str(row[section["status"]])),
        total=money("total"),
        paid=money("paid"),
        balance=money("balance"),
        as_of=moment(str(row[section["as_of"]])),
    )


def moment(text: str) -> dt.datetime:
    """A datetime as Salesforce answers it, 2027-01-05T12:00:00.000+0000, in UTC."""
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(dt.UTC)


def new_status_body(mapping: SalesforceMapping, status: AccountPaymentStatus) -> dict[str, Any]:
    key = mapping.payment_status["external_id"]
    return {key: status_key(status), **status_body(mapping, status)}


def status_body(mapping: SalesforceMapping, status: AccountPaymentStatus) -> dict[str, Any]:
    section = mapping.payment_status
    values: dict[str, Any] = {
        "account": status.account_id,
        "invoice_number": status.invoice_number,
        "status": mapping.in_salesforce_words("status", status.status),
        "currency": status.total.currency,
        "total": status.total.amount,
        "paid": status.paid.amount,
        "balance": status.balance.amount,
        "as_of": status.as_of.astimezone(dt.UTC).isoformat(timespec="milliseconds"),
    }
    return {section[name]: value for name, value in values.items() if section[name]}


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | float):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value)


def amount_text(value: Any, currency: str) -> str:
    """An amount in at least its currency's minor units: 150.0 in USD reads "150.00"."""
    if value is None:
        return ""
    amount = Decimal(str(value))
    digits = minor_digits(currency)
    if digits is None:
        return text_of(amount)
    rounded = amount.quantize(quantum(digits))
    return str(rounded) if rounded == amount else text_of(amount)
