"""Salesforce as o2c's CRM. The engagement is shown on its opportunity in the mapped fields, a
write that is the same however often it is repeated. A closed-won deal is read with SOQL: the
opportunity with its account, whether its stage is won as OpportunityStage says, and the rate
card and work packages under it. Each invoice's payment status is one record per account and
invoice, upserted by an external id, so a repeat or a later status updates the same record;
many are sent together as composite requests of 25."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import InvalidOperation
from typing import Any
from urllib.parse import quote

from adapters.vendors.salesforce import payloads
from adapters.vendors.salesforce.client import MOST_SUBREQUESTS, Reply, SalesforceClient, Subrequest
from adapters.vendors.salesforce.errors import SYSTEM
from adapters.vendors.salesforce.mapping import Section
from adapters.vendors.salesforce.settings import SalesforceSettings
from application.crm_ports import AccountPaymentStatus, CrmDeal
from application.errors import VendorRejected
from application.ports import EngagementLink


class SalesforceCrm:
    def __init__(
        self, settings: SalesforceSettings, client: SalesforceClient | None = None
    ) -> None:
        self.settings = settings
        self.mapping = settings.mapping
        self.client = client or SalesforceClient(settings)

    def close(self) -> None:
        self.client.close()

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

    def record_payment_status(self, status: AccountPaymentStatus) -> str:
        url = self.status_url(status)
        reply = self.client.call("PATCH", url, body=payloads.status_body(self.mapping, status))
        return self.upserted_id(url, reply)

    def record_payment_statuses(self, statuses: Sequence[AccountPaymentStatus]) -> list[str]:
        """Many statuses, 25 to a composite request, each request written whole or not at all."""
        written: list[str] = []
        for start in range(0, len(statuses), MOST_SUBREQUESTS):
            batch = statuses[start : start + MOST_SUBREQUESTS]
            subrequests = [
                Subrequest(
                    "PATCH",
                    self.status_url(status),
                    f"status{index}",
                    payloads.status_body(self.mapping, status),
                )
                for index, status in enumerate(batch)
            ]
            replies = self.client.composite(subrequests, all_or_none=True)
            written += [
                self.upserted_id(s.url, r) for s, r in zip(subrequests, replies, strict=True)
            ]
        return written

    def status_url(self, status: AccountPaymentStatus) -> str:
        section = self.mapping.payment_status
        key = segment(payloads.status_key(status))
        return f"sobjects/{section.object}/{section['external_id']}/{key}"

    def upserted_id(self, url: str, reply: Reply) -> str:
        """Before v46.0 an update by upsert answers 204 without the id: it is read back."""
        if isinstance(reply.body, dict) and reply.body.get("id"):
            return str(reply.body["id"])
        found = self.client.call("GET", url).body
        with reading(url):
            return str(found["Id"])


def segment(value: str) -> str:
    return quote(value, safe="")


@contextmanager
def reading(what: str) -> Iterator[None]:
    """An answer o2c cannot read is refused, naming what was being read."""
    try:
        yield
    except (KeyError, ValueError, TypeError, IndexError, InvalidOperation) as error:
        raise VendorRejected(SYSTEM, f"{what}: cannot read {error!r}") from error
