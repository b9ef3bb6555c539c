"""The sandbox billing platform: accounts, subscriptions, usage and invoices in the database,
each kept by o2c's key, so the embedded default bills without a real Zuora. `issue_invoice` is
the sandbox's bill run, for tests and the demo."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from adapters.vendors.sandbox.records import SandboxRecords
from application.billing_platform_ports import (
    PlatformAccount,
    PlatformInvoice,
    PlatformSubscription,
    UsageRecord,
    UsageUpload,
)
from domain.money import Money


class SandboxBillingPlatform:
    def __init__(self, records: SandboxRecords) -> None:
        self.records = records

    def upsert_account(self, account: PlatformAccount) -> str:
        payload = {
            "name": account.name,
            "currency": account.currency,
            "legal_entity_code": account.legal_entity_code,
            "country": account.country,
            "payment_terms_days": account.payment_terms_days,
        }
        return self.records.upsert("account", account.account_key, "ACC", payload)

    def subscribe(self, subscription: PlatformSubscription) -> str:
        found = self.records.find("subscription", subscription.subscription_key)
        if found is not None:
            return found
        payload = {
            "account_key": subscription.account_key,
            "start_date": subscription.start_date.isoformat(),
            "end_date": subscription.end_date.isoformat(),
            "charges": [
                {
                    "charge_key": c.charge_key,
                    "name": c.name,
                    "model": c.model,
                    "price": c.price.amount_text(),
                    "currency": c.price.currency,
                    "unit": c.unit,
                    "billing_period": c.billing_period,
                }
                for c in subscription.charges
            ],
        }
        return self.records.upsert("subscription", subscription.subscription_key, "SUB", payload)

    def upload_usage(self, records: Sequence[UsageRecord]) -> UsageUpload:
        upload_id = f"IMP-{uuid.uuid4().hex[:10].upper()}"
        accepted = 0
        for record in records:
            if self.records.find("usage", record.unique_key) is not None:
                continue
            self.records.upsert("usage", record.unique_key, "USG", usage_payload(record, upload_id))
            accepted += 1
        return UsageUpload(accepted, len(records) - accepted, upload_id)

    def invoices(self, account_key: str, since: dt.date) -> list[PlatformInvoice]:
        found = [
            invoice_of(payload)
            for _, _, payload in self.records.live("invoice")
            if payload["account_key"] == account_key
        ]
        return sorted(
            (i for i in found if i.invoice_date >= since), key=lambda i: (i.invoice_date, i.number)
        )

    def issue_invoice(
        self,
        account_key: str,
        invoice_date: dt.date,
        amount: Decimal,
        *,
        due_date: dt.date | None = None,
        balance: Decimal | None = None,
        status: str = "Posted",
    ) -> str:
        """The sandbox's bill run making one invoice for the account; returns its number."""
        record_id = self.records.find("account", account_key)
        account = None if record_id is None else self.records.payload("account", record_id)
        if account is None:
            raise KeyError(f"no sandbox billing account {account_key}")
        number = f"INV{len(self.records.live('invoice')) + 1:08d}"
        terms = dt.timedelta(days=int(account["payment_terms_days"]))
        payload = {
            "number": number,
            "account_key": account_key,
            "invoice_date": invoice_date.isoformat(),
            "due_date": (due_date or invoice_date + terms).isoformat(),
            "currency": account["currency"],
            "amount": str(amount),
            "balance": str(amount if balance is None else balance),
            "status": status,
        }
        self.records.upsert("invoice", number, "INV", payload)
        return number

    def usage_held(self, account_key: str) -> list[dict[str, Any]]:
        """The usage records the sandbox holds for an account, for tests."""
        return [
            {"unique_key": key, **payload}
            for key, _, payload in self.records.live("usage")
            if payload["account_key"] == account_key
        ]


def usage_payload(record: UsageRecord, upload_id: str) -> dict[str, Any]:
    return {
        "account_key": record.account_key,
        "subscription_key": record.subscription_key,
        "charge_key": record.charge_key,
        "unit": record.unit,
        "quantity": str(record.quantity),
        "day": record.day.isoformat(),
        "upload_id": upload_id,
    }


def invoice_of(payload: dict[str, Any]) -> PlatformInvoice:
    currency = str(payload["currency"])
    return PlatformInvoice(
        number=str(payload["number"]),
        account_key=str(payload["account_key"]),
        invoice_date=dt.date.fromisoformat(payload["invoice_date"]),
        due_date=dt.date.fromisoformat(payload["due_date"]),
        amount=Money.of(payload["amount"], currency),
        balance=Money.of(payload["balance"], currency),
        status=str(payload["status"]),
    )
