"""Salesforce as o2c's CRM. The engagement is shown on its opportunity in the mapped fields, a
write that is the same however often it is repeated. A closed-won deal is read with SOQL: the
opportunity with its account, whether its stage is won as OpportunityStage says, and the rate
card and work packages under it. Accounts are read with SOQL too, 200 ids to a query (far below
its 100,000 characters), each followed page by page. Each invoice's payment status is one record
per account and invoice, never replaced by an older one (see `statuses`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from adapters.vendors.salesforce import payloads
from adapters.vendors.salesforce.client import SalesforceClient
from adapters.vendors.salesforce.errors import reading
from adapters.vendors.salesforce.mapping import Section
from adapters.vendors.salesforce.settings import SalesforceSettings
from adapters.vendors.salesforce.statuses import PaymentStatuses
from application.crm_ports import AccountPaymentStatus, CrmDeal
from application.ports import EngagementLink
from application.reference_ports import CrmAccount

ACCOUNTS_PER_QUERY = 200


class SalesforceCrm:
    def __init__(
        self, settings: SalesforceSettings, client: SalesforceClient | None = None
    ) -> None:
        self.settings = settings
        self.mapping = settings.mapping
        self.client = client or SalesforceClient(settings)

    def close(self) -> None:
        self.client.close()

    @property
    def statuses(self) -> PaymentStatuses:
        return PaymentStatuses(self.client, self.mapping)

    def record_engagement(self, link: EngagementLink) -> str:
        body = payloads.engagement_body(self.mapping, link)
        self.client.call("PATCH", f"sobjects/Opportunity/{segment(link.opportunity_id)}", body=body)
        return link.opportunity_id

    def deal(self, opportunity_id: str) -> CrmDeal | None:
        rows = self.client.query(payloads.deal_query(self.mapping, opportunity_id))
        if not rows:
            return None
        with reading(f"opportunity {opportunity_id}"):
            row = rows[0]
            stages = self.client.query(payloads.stage_query(str(row["StageName"])))
            rates = self.children(self.mapping.rate_card, payloads.RATE_FIELDS, row["Id"])
            packages = self.children(self.mapping.work_packages, payloads.PACKAGE_FIELDS, row["Id"])
            is_won = any(stage.get("IsWon") is True for stage in stages)
            return payloads.deal_of(self.mapping, row, is_won, rates, packages)

    def children(
        self, section: Section, names: tuple[str, ...], parent: str
    ) -> list[dict[str, Any]]:
        return self.client.query(payloads.children_query(section, names, parent))

    def accounts(self, account_ids: Sequence[str]) -> dict[str, CrmAccount]:
        asked = list(dict.fromkeys(account_ids))
        found: dict[str, CrmAccount] = {}
        for start in range(0, len(asked), ACCOUNTS_PER_QUERY):
            chunk = asked[start : start + ACCOUNTS_PER_QUERY]
            rows = self.client.query(payloads.accounts_query(self.mapping, chunk))
            with reading("accounts"):
                accounts = [payloads.account_of(self.mapping, row) for row in rows]
            found.update((account.account_id, account) for account in accounts)
        return found

    def record_payment_status(self, status: AccountPaymentStatus) -> str:
        return self.statuses.record(status)

    def payment_status(self, account_id: str, invoice_number: str) -> AccountPaymentStatus | None:
        key = f"{account_id}:{invoice_number}"
        rows = self.client.query(payloads.status_query(self.mapping, key))
        if not rows:
            return None
        with reading(f"payment status {key}"):
            return payloads.status_of(self.mapping, rows[0])

    def record_payment_statuses(self, statuses: Sequence[AccountPaymentStatus]) -> list[str]:
        """Many statuses, 25 to a composite request, each request written whole or not at all."""
        return self.statuses.record_many(statuses)


def segment(value: str) -> str:
    return quote(value, safe="")
