"""Zuora's bodies in o2c's words and back: an account, a subscription with its charges as
charge overrides, usage as the rows of Zuora's usage file, and an invoice as a PlatformInvoice."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from adapters.vendors.zuora.client import SYSTEM
from adapters.vendors.zuora.mapping import CatalogCharge, ZuoraMapping
from application.billing_platform_ports import (
    PlatformAccount,
    PlatformCharge,
    PlatformInvoice,
    PlatformSubscription,
    UsageRecord,
)
from application.errors import VendorRejected
from domain.money import Money

BILLING_PERIODS = {"month": "Month", "quarter": "Quarter", "year": "Annual", "week": "Week"}
USAGE_COLUMNS = (
    "ACCOUNT_ID", "UOM", "QTY", "STARTDATE", "ENDDATE",
    "SUBSCRIPTION_ID", "CHARGE_ID", "DESCRIPTION", "UNIQUE_KEY",
)  # fmt: skip


def account_fields(mapping: ZuoraMapping, account: PlatformAccount) -> dict[str, Any]:
    """What an update may change: all but the account number and currency."""
    return {
        "name": account.name,
        "paymentTerm": mapping.payment_term_for(account.payment_terms_days),
        "billToContact": {
            "firstName": account.name[:100],
            "lastName": "Accounts Payable",
            "country": account.country,
        },
        mapping.legal_entity_field: account.legal_entity_code,
    }


def new_account(mapping: ZuoraMapping, account: PlatformAccount) -> dict[str, Any]:
    return {
        "accountNumber": account.account_key,
        "currency": account.currency,
        "billCycleDay": mapping.bill_cycle_day,
        "autoPay": False,
        **account_fields(mapping, account),
    }


def charge_number(subscription_key: str, charge_key: str) -> str:
    return f"{subscription_key}:{charge_key}"


def catalog_charge(mapping: ZuoraMapping, charge: PlatformCharge) -> CatalogCharge:
    found = (
        mapping.usage.get(charge.unit)
        if charge.model == "per_unit"
        else mapping.charges.get(charge.model)
    )
    if found is None:
        what = f"unit {charge.unit!r}" if charge.model == "per_unit" else charge.model
        raise VendorRejected(SYSTEM, f"the mapping names no Zuora charge for {what}")
    return found


def new_subscription(mapping: ZuoraMapping, subscription: PlatformSubscription) -> dict[str, Any]:
    days = (subscription.end_date - subscription.start_date).days
    body: dict[str, Any] = {
        "accountKey": subscription.account_key,
        "subscriptionNumber": subscription.subscription_key,
        "contractEffectiveDate": subscription.start_date.isoformat(),
        "serviceActivationDate": subscription.start_date.isoformat(),
        "customerAcceptanceDate": subscription.start_date.isoformat(),
        "termType": "TERMED",
        "initialTerm": max(days, 1),
        "initialTermPeriodType": "Day",
        "renewalTerm": max(days, 1),
        "renewalTermPeriodType": "Day",
        "autoRenew": False,
        "subscribeToRatePlans": [
            rate_plan(mapping, subscription.subscription_key, charge)
            for charge in subscription.charges
        ],
    }
    if mapping.subscription_key_field:
        body[mapping.subscription_key_field] = subscription.subscription_key
    return body


def rate_plan(
    mapping: ZuoraMapping, subscription_key: str, charge: PlatformCharge
) -> dict[str, Any]:
    catalog = catalog_charge(mapping, charge)
    override: dict[str, Any] = {
        "productRatePlanChargeId": catalog.product_rate_plan_charge_id,
        "number": charge_number(subscription_key, charge.charge_key),
        "price": charge.price.amount,
        "description": charge.name,
    }
    if charge.model == "flat_fee":
        period = BILLING_PERIODS.get(charge.billing_period)
        if period is None:
            raise VendorRejected(SYSTEM, f"Zuora bills no {charge.billing_period!r} period")
        override["billingPeriod"] = period
    return {"productRatePlanId": catalog.product_rate_plan_id, "chargeOverrides": [override]}


def usage_file(mapping: ZuoraMapping, records: Sequence[UsageRecord], date_format: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(USAGE_COLUMNS)
    for record in records:
        catalog = mapping.usage.get(record.unit)
        if catalog is None:
            raise VendorRejected(SYSTEM, f"the mapping names no Zuora unit for {record.unit!r}")
        day = record.day.strftime(date_format)
        writer.writerow(
            (
                record.account_key,
                catalog.uom,
                format(record.quantity, "f"),
                day,
                day,
                record.subscription_key,
                charge_number(record.subscription_key, record.charge_key),
                record.charge_key,
                record.unique_key,
            )
        )
    return out.getvalue().encode("utf-8")


def invoice_of(row: Mapping[str, Any], account_key: str, currency: str) -> PlatformInvoice:
    return PlatformInvoice(
        number=str(row["invoiceNumber"]),
        account_key=account_key,
        invoice_date=dt.date.fromisoformat(str(row["invoiceDate"])[:10]),
        due_date=dt.date.fromisoformat(str(row["dueDate"])[:10]),
        amount=Money.of(Decimal(str(row["amount"])), currency),
        balance=Money.of(Decimal(str(row.get("balance", row["amount"]))), currency),
        status=str(row.get("status") or ""),
    )
