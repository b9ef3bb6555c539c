"""The sandbox CRM: closed-won deals and their accounts, the engagement written back on the
opportunity, and each invoice's payment status on the account, in the database. A status older
than the one the account shows is not written over it; one sandbox writes its statuses one at a
time, so reading the shown one and writing the next cannot interleave."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from attrs import asdict

from adapters.vendors.sandbox.records import SandboxRecords
from application.commands import RateLine, WorkPackageLine
from application.crm_ports import AccountPaymentStatus, CrmDeal
from application.ports import EngagementLink
from application.reference_ports import CrmAccount
from domain.money import Money


class SandboxCrm:
    def __init__(self, records: SandboxRecords) -> None:
        self.records = records
        self.writing_statuses = threading.Lock()

    def record_engagement(self, link: EngagementLink) -> str:
        payload = {
            "engagement_id": link.engagement_id,
            "engagement_status": link.status,
            "exception_id": link.exception_id,
        }
        return self.records.upsert("opportunity", link.opportunity_id, "OPP", payload)

    def deal(self, opportunity_id: str) -> CrmDeal | None:
        record_id = self.records.find("deal", opportunity_id)
        payload = None if record_id is None else self.records.payload("deal", record_id)
        return None if payload is None else deal_of(payload)

    def close_deal(self, deal: CrmDeal) -> str:
        """The sandbox's sales team closing a deal, for tests and the demo."""
        self.keep_account(
            CrmAccount(
                account_id=deal.account_id,
                name=deal.account_name,
                tax_registration=deal.customer_vat_number,
                country=deal.customer_country,
                legal_entity_code=deal.legal_entity_code,
            )
        )
        return self.records.upsert("deal", deal.opportunity_id, "DEAL", asdict(deal))

    def keep_account(self, account: CrmAccount) -> str:
        """The CRM's users making or renaming an account, for tests and the demo."""
        return self.records.upsert("account", account.account_id, "ACC", asdict(account))

    def accounts(self, account_ids: Sequence[str]) -> dict[str, CrmAccount]:
        asked = set(account_ids)
        return {
            external_id: CrmAccount(**payload)
            for external_id, _, payload in self.records.live("account")
            if external_id in asked
        }

    def record_payment_status(self, status: AccountPaymentStatus) -> str:
        payload = {
            "account_id": status.account_id,
            "invoice_number": status.invoice_number,
            "status": status.status,
            "currency": status.total.currency,
            "total": status.total.amount_text(),
            "paid": status.paid.amount_text(),
            "balance": status.balance.amount_text(),
            "as_of": status.as_of.isoformat(),
        }
        key = f"{status.account_id}/{status.invoice_number}"
        with self.writing_statuses:
            shown = self.payment_status(status.account_id, status.invoice_number)
            if shown is not None and shown.as_of > status.as_of:
                return str(self.records.find("payment_status", key))
            return self.records.upsert("payment_status", key, "PST", payload)

    def payment_status(self, account_id: str, invoice_number: str) -> AccountPaymentStatus | None:
        """What the CRM's users see for one invoice, for tests and the demo."""
        record_id = self.records.find("payment_status", f"{account_id}/{invoice_number}")
        payload = None if record_id is None else self.records.payload("payment_status", record_id)
        if payload is None:
            return None
        currency = payload["currency"]
        return AccountPaymentStatus(
            account_id=payload["account_id"],
            invoice_number=payload["invoice_number"],
            status=payload["status"],
            total=Money(currency, Decimal(payload["total"])),
            paid=Money(currency, Decimal(payload["paid"])),
            balance=Money(currency, Decimal(payload["balance"])),
            as_of=dt.datetime.fromisoformat(payload["as_of"]),
        )


def deal_of(payload: dict[str, Any]) -> CrmDeal:
    fields = dict(payload)
    fields["rate_card"] = tuple(RateLine(**line) for line in payload["rate_card"])
    fields["work_packages"] = tuple(WorkPackageLine(**wp) for wp in payload["work_packages"])
    return CrmDeal(**fields)
