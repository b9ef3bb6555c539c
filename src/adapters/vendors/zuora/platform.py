"""Zuora as o2c's billing platform. o2c's account key is the account number and its
subscription key the subscription number, so each write is found again by Zuora's own key: an
account is read, then updated or created; a subscription is read and created only when absent,
and a create that loses a race to another caller reads back the winner's. Usage goes up as CSV
files whose UNIQUE_KEY column is o2c's event id, so a record Zuora holds is not imported twice;
each import is followed through `checkImportStatus` to its end and its counts read from the
Import object. Invoices are read in Zuora's pages, oldest first."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from attrs import frozen

from adapters.vendors.zuora import payloads
from adapters.vendors.zuora.client import SYSTEM, ZuoraClient, ZuoraRejected
from adapters.vendors.zuora.settings import ZuoraSettings
from application.billing_platform_ports import (
    PlatformAccount,
    PlatformInvoice,
    PlatformSubscription,
    UsageRecord,
    UsageUpload,
)
from application.errors import VendorRejected, VendorUnavailable

DONE, FAILED = "Completed", {"Failed", "Canceled"}


@frozen
class Imported:
    import_id: str
    total: int
    imported: int


class ZuoraBillingPlatform:
    def __init__(
        self,
        settings: ZuoraSettings,
        client: ZuoraClient | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.mapping = settings.mapping
        self.client = client or ZuoraClient(settings, sleep=sleep)
        self.sleep = sleep

    def close(self) -> None:
        self.client.close()

    def upsert_account(self, account: PlatformAccount) -> str:
        found = self.account(account.account_key)
        if found is None:
            try:
                body = payloads.new_account(self.mapping, account)
                return str(self.client.post("/v1/accounts", body)["accountId"])
            except ZuoraRejected:
                found = self.account(account.account_key)
                if found is None:
                    raise
        path = f"/v1/accounts/{segment(account.account_key)}"
        self.client.put(path, payloads.account_fields(self.mapping, account))
        return str(found["basicInfo"]["id"])

    def subscribe(self, subscription: PlatformSubscription) -> str:
        found = self.subscription(subscription.subscription_key)
        if found is not None:
            return found
        body = payloads.new_subscription(self.mapping, subscription)
        try:
            return str(self.client.post("/v1/subscriptions", body)["subscriptionId"])
        except ZuoraRejected:
            found = self.subscription(subscription.subscription_key)
            if found is None:
                raise
            return found

    def upload_usage(self, records: Sequence[UsageRecord]) -> UsageUpload:
        first: dict[str, UsageRecord] = {}
        for record in records:
            first.setdefault(record.unique_key, record)
        unique = list(first.values())
        size = self.settings.usage_records_per_file
        imports = [self.imported(unique[i : i + size]) for i in range(0, len(unique), size)]
        accepted = sum(i.imported for i in imports)
        return UsageUpload(
            accepted=accepted,
            already_held=len(records) - accepted,
            upload_id=",".join(i.import_id for i in imports),
        )

    def invoices(self, account_key: str, since: dt.date) -> list[PlatformInvoice]:
        found = self.account(account_key)
        if found is None:
            return []
        currency = str(found["billingAndPayment"]["currency"])
        path = f"/v1/transactions/invoices/accounts/{segment(account_key)}"
        params: dict[str, str] | None = {"pageSize": str(self.settings.invoices_per_page)}
        rows: list[dict[str, Any]] = []
        while path:
            page = self.client.get(path, params)
            rows += page.get("invoices") or []
            path, params = str(page.get("nextPage") or ""), None
        invoices = [payloads.invoice_of(row, account_key, currency) for row in rows]
        return sorted(
            (i for i in invoices if i.invoice_date >= since),
            key=lambda i: (i.invoice_date, i.number),
        )

    def account(self, account_key: str) -> dict[str, Any] | None:
        try:
            return self.client.get(f"/v1/accounts/{segment(account_key)}")
        except ZuoraRejected as refused:
            if refused.not_found:
                return None
            raise

    def subscription(self, subscription_key: str) -> str | None:
        try:
            return str(self.client.get(f"/v1/subscriptions/{segment(subscription_key)}")["id"])
        except ZuoraRejected as refused:
            if refused.not_found:
                return None
            raise

    def imported(self, records: Sequence[UsageRecord]) -> Imported:
        content = payloads.usage_file(self.mapping, records, self.settings.usage_date_format)
        digest = hashlib.sha256(content).hexdigest()
        answer = self.client.upload("/v1/usage", f"o2c-usage-{digest[:24]}.csv", content)
        status_path = str(answer["checkImportStatus"])
        import_id = status_path.rstrip("/").removesuffix("/status").rsplit("/", 1)[-1]
        self.wait_for(status_path, import_id)
        job = self.client.get(f"/v1/object/import/{segment(import_id)}")
        return Imported(import_id, int(job["TotalCount"]), int(job["ImportedCount"]))

    def wait_for(self, status_path: str, import_id: str) -> None:
        for poll in range(self.settings.import_polls):
            status = self.client.get(status_path)
            state = str(status.get("importStatus") or "")
            if state == DONE:
                return
            if state in FAILED:
                reason = status.get("message") or "no reason given"
                raise VendorRejected(SYSTEM, f"usage import {import_id} {state}: {reason}")
            if poll + 1 < self.settings.import_polls:
                self.sleep(self.settings.import_poll_seconds)
        raise VendorUnavailable(SYSTEM, f"usage import {import_id} has not finished yet")


def segment(key: str) -> str:
    return quote(key, safe="")
