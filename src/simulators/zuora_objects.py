"""Accounts, subscriptions and invoices in a Zuora tenant, as `/v1/accounts`,
`/v1/subscriptions` and `/v1/transactions/invoices/accounts/{account-key}` take and show them.

An account number and a subscription number are each unique in the tenant: creating a second
with a number already held is refused. Custom fields (`…__c`) are taken only if the tenant
defines them; an account's currency is not changed by an update."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from simulators.zuora_records import (
    ACCOUNTS,
    BILLING_PERIODS,
    INVALID,
    PAYMENT_TERMS,
    RULE,
    SUBSCRIPTIONS,
    TERM_PERIODS,
    Tenant,
    a_date,
    a_number,
    a_whole,
    known_fields,
    now,
    refused,
    required,
)

ACCOUNT_FIELDS = {
    "name", "accountNumber", "currency", "billCycleDay", "paymentTerm", "autoPay",
    "billToContact", "soldToContact", "notes", "batch",
}  # fmt: skip
ACCOUNT_UPDATES = ACCOUNT_FIELDS - {"accountNumber", "currency"}
CONTACT_FIELDS = {"firstName", "lastName", "country", "workEmail", "address1", "city", "state"}
SUBSCRIPTION_FIELDS = {
    "accountKey", "subscriptionNumber", "contractEffectiveDate", "serviceActivationDate",
    "customerAcceptanceDate", "termType", "initialTerm", "initialTermPeriodType", "renewalTerm",
    "renewalTermPeriodType", "autoRenew", "subscribeToRatePlans", "notes",
}  # fmt: skip
OVERRIDE_FIELDS = {"productRatePlanChargeId", "price", "billingPeriod", "description", "number"}
CURRENCIES = frozenset({"USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "KWD"})


def create_account(tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    known_fields(body, ACCOUNTS, ACCOUNT_FIELDS | tenant.account_fields)
    required(body, ACCOUNTS, "name", "currency", "billCycleDay", "billToContact")
    if body["currency"] not in CURRENCIES:
        raise refused(ACCOUNTS, INVALID, f"Invalid currency {body['currency']!r}.")
    number = str(body.get("accountNumber") or tenant.next_number("A"))
    if any(a["accountNumber"] == number for a in tenant.accounts.values()):
        raise refused(ACCOUNTS, RULE, f"The account number {number} is invalid or already used.")
    account: dict[str, Any] = {
        "id": tenant.new_id(),
        "accountNumber": number,
        "status": "Active",
        "createdDate": now(),
        "paymentTerm": "Net 30",
        "autoPay": False,
    }
    account.update(checked_account(tenant, body, ACCOUNT_FIELDS))
    tenant.accounts[account["id"]] = account
    return account


def update_account(tenant: Tenant, key: str, body: dict[str, Any]) -> dict[str, Any]:
    account = tenant.account(key)
    known_fields(body, ACCOUNTS, ACCOUNT_UPDATES | tenant.account_fields)
    changes = checked_account(tenant, body, ACCOUNT_UPDATES)
    if "billToContact" in changes:
        changes["billToContact"] = {**account["billToContact"], **changes["billToContact"]}
    account.update(changes)
    return account


def checked_account(tenant: Tenant, body: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    if "billCycleDay" in body:
        a_whole(body["billCycleDay"], ACCOUNTS, "billCycleDay", 1, 31)
    if "paymentTerm" in body and body["paymentTerm"] not in PAYMENT_TERMS:
        raise refused(ACCOUNTS, INVALID, f"Invalid payment term {body['paymentTerm']!r}.")
    contact = body.get("billToContact")
    if contact is not None:
        if not isinstance(contact, dict):
            raise refused(ACCOUNTS, INVALID, "billToContact must be an object.")
        known_fields(contact, ACCOUNTS, CONTACT_FIELDS)
        required(contact, ACCOUNTS, "firstName", "lastName")
    return {k: v for k, v in body.items() if k in allowed | tenant.account_fields}


def account_view(tenant: Tenant, account: dict[str, Any]) -> dict[str, Any]:
    custom = {k: v for k, v in account.items() if k in tenant.account_fields}
    return {
        "success": True,
        "basicInfo": {
            "id": account["id"],
            "accountNumber": account["accountNumber"],
            "name": account["name"],
            "status": account["status"],
            **custom,
        },
        "billingAndPayment": {
            "currency": account["currency"],
            "billCycleDay": account["billCycleDay"],
            "paymentTerm": account["paymentTerm"],
            "autoPay": account["autoPay"],
        },
        "billToContact": dict(account["billToContact"]),
    }


def create_subscription(tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    known_fields(body, SUBSCRIPTIONS, SUBSCRIPTION_FIELDS | tenant.subscription_fields)
    required(body, SUBSCRIPTIONS, "accountKey", "contractEffectiveDate", "termType")
    required(body, SUBSCRIPTIONS, "subscribeToRatePlans")
    account = tenant.account(str(body["accountKey"]))
    number = str(body.get("subscriptionNumber") or tenant.next_number("A-S"))
    if any(s["subscriptionNumber"] == number for s in tenant.subscriptions.values()):
        raise refused(SUBSCRIPTIONS, RULE, f"The subscription number {number} already exists.")
    start = a_date(body["contractEffectiveDate"], SUBSCRIPTIONS, "contractEffectiveDate")
    subscription = {
        "id": tenant.new_id(),
        "subscriptionNumber": number,
        "accountId": account["id"],
        "accountNumber": account["accountNumber"],
        "status": "Active",
        "contractEffectiveDate": start,
        "termType": body["termType"],
        "termStartDate": start,
        "termEndDate": term_end(body, start),
        "ratePlans": [rate_plan(tenant, plan) for plan in plans_of(body)],
        **{k: v for k, v in body.items() if k in tenant.subscription_fields},
    }
    tenant.subscriptions[subscription["id"]] = subscription
    return subscription


def term_end(body: dict[str, Any], start: str) -> str | None:
    if body["termType"] == "EVERGREEN":
        return None
    if body["termType"] != "TERMED":
        raise refused(SUBSCRIPTIONS, INVALID, "termType must be TERMED or EVERGREEN.")
    required(body, SUBSCRIPTIONS, "initialTerm", "renewalTerm")
    length = a_whole(body["initialTerm"], SUBSCRIPTIONS, "initialTerm", 1, 100000)
    period = body.get("initialTermPeriodType", "Month")
    if period not in TERM_PERIODS:
        raise refused(SUBSCRIPTIONS, INVALID, f"Invalid initialTermPeriodType {period!r}.")
    if period != "Day":
        return None  # only day terms are reckoned here
    return (dt.date.fromisoformat(start) + dt.timedelta(days=length)).isoformat()


def plans_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    plans = body["subscribeToRatePlans"]
    if not isinstance(plans, list) or not all(isinstance(p, dict) for p in plans):
        raise refused(SUBSCRIPTIONS, INVALID, "subscribeToRatePlans must be a list of objects.")
    return plans


def rate_plan(tenant: Tenant, plan: dict[str, Any]) -> dict[str, Any]:
    known_fields(plan, SUBSCRIPTIONS, {"productRatePlanId", "chargeOverrides"})
    required(plan, SUBSCRIPTIONS, "productRatePlanId")
    plan_id = str(plan["productRatePlanId"])
    if plan_id not in {c.product_rate_plan_id for c in tenant.catalog.values()}:
        raise refused(SUBSCRIPTIONS, INVALID, f"Invalid productRatePlanId {plan_id}.")
    overrides = plan.get("chargeOverrides") or []
    if not isinstance(overrides, list) or not all(isinstance(o, dict) for o in overrides):
        raise refused(SUBSCRIPTIONS, INVALID, "chargeOverrides must be a list of objects.")
    charges = [rate_plan_charge(tenant, plan_id, override) for override in overrides]
    return {"id": tenant.new_id(), "productRatePlanId": plan_id, "ratePlanCharges": charges}


def rate_plan_charge(tenant: Tenant, plan_id: str, override: dict[str, Any]) -> dict[str, Any]:
    known_fields(override, SUBSCRIPTIONS, OVERRIDE_FIELDS)
    required(override, SUBSCRIPTIONS, "productRatePlanChargeId")
    charge_id = str(override["productRatePlanChargeId"])
    charge = tenant.catalog.get(charge_id)
    if charge is None or charge.product_rate_plan_id != plan_id:
        raise refused(SUBSCRIPTIONS, INVALID, f"Invalid productRatePlanChargeId {charge_id}.")
    period = override.get("billingPeriod")
    if period is not None and period not in BILLING_PERIODS:
        raise refused(SUBSCRIPTIONS, INVALID, f"Invalid billingPeriod {period!r}.")
    price = a_number(override.get("price", 0), SUBSCRIPTIONS, "price")
    return {
        "id": tenant.new_id(),
        "number": str(override.get("number") or tenant.next_number("C-")),
        "productRatePlanChargeId": charge_id,
        "type": charge.charge_type,
        "model": charge.charge_model,
        "uom": charge.uom or None,
        "price": price,
        "billingPeriod": period if charge.charge_type == "Recurring" else None,
        "description": str(override.get("description") or ""),
    }


def subscription_view(subscription: dict[str, Any]) -> dict[str, Any]:
    return {"success": True, **subscription}


def issue_invoice(
    tenant: Tenant,
    account_key: str,
    invoice_date: dt.date,
    amount: Decimal,
    *,
    due_date: dt.date | None = None,
    balance: Decimal | None = None,
    status: str = "Posted",
) -> dict[str, Any]:
    account = tenant.account(account_key)
    terms = str(account["paymentTerm"])
    days = int(terms.removeprefix("Net ")) if terms.startswith("Net ") else 0
    invoice = {
        "id": tenant.new_id(),
        "accountId": account["id"],
        "accountNumber": account["accountNumber"],
        "accountName": account["name"],
        "invoiceNumber": tenant.next_number("INV"),
        "invoiceDate": invoice_date.isoformat(),
        "dueDate": (due_date or invoice_date + dt.timedelta(days=days)).isoformat(),
        "amount": amount,
        "balance": amount if balance is None else balance,
        "status": status,
        "createdDate": now(),
    }
    tenant.invoices[invoice["id"]] = invoice
    return invoice


def invoices_of(tenant: Tenant, account_key: str) -> list[dict[str, Any]]:
    account = tenant.account(account_key)
    found = [i for i in tenant.invoices.values() if i["accountId"] == account["id"]]
    return sorted(found, key=lambda i: (i["invoiceDate"], i["invoiceNumber"]), reverse=True)
