"""Certinia as o2c's PSA. A work package's project (pse__Proj__c) and its milestones are
upserted by o2c's external ids in one composite request, written whole or not at all, so a
repeat or a racing caller finds the same records; a change order is a record under the project,
upserted by its own external id. Approved work is read with SOQL, and the invoice is written on
the item itself: the same fields each time, so sending it again changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from adapters.vendors.certinia import payloads
from adapters.vendors.certinia.mapping import Section
from adapters.vendors.certinia.payloads import SYSTEM
from adapters.vendors.certinia.settings import CertiniaSettings
from adapters.vendors.certinia.work import ApprovedWorkReader
from adapters.vendors.salesforce.client import MOST_SUBREQUESTS, Reply, SalesforceClient, Subrequest
from adapters.vendors.salesforce.crm import reading, segment
from adapters.vendors.salesforce.errors import SalesforceRejected
from application.billing_ports import ChangeOrder
from application.errors import VendorRejected
from application.ports import ProjectMilestone, ProjectRequest
from application.psa_work_ports import Invoiced, WorkPage

PROJECT = "project"
PROJECT_ID = f"@{{{PROJECT}.id}}"  # the project's id once the composite request upserted it
GONE = {"NOT_FOUND", "ENTITY_IS_DELETED"}
RACED = "DUPLICATE_VALUE"  # two callers inserting one external id at once: the loser retries


class CertiniaPsa:
    def __init__(self, settings: CertiniaSettings, client: SalesforceClient | None = None) -> None:
        """`client` may be the CRM's, when Certinia runs on the CRM's org: one allocation."""
        self.settings = settings
        self.mapping = settings.mapping
        self.client = client or SalesforceClient(settings.org)
        self.work = ApprovedWorkReader(self.client, self.mapping)

    def close(self) -> None:
        self.client.close()

    def create_project(self, request: ProjectRequest) -> str:
        try:
            return self.upsert_project(request)
        except SalesforceRejected as refused:
            if RACED not in refused.codes:
                raise
            return self.upsert_project(request)

    def upsert_project(self, request: ProjectRequest) -> str:
        section = self.mapping.project
        url = self.upsert_url(section.object, section["external_id"], request.external_id)
        first = Subrequest("PATCH", url, PROJECT, payloads.project_body(section, request))
        pending = [self.milestone_upsert(request, m, i) for i, m in enumerate(request.milestones)]
        replies = self.client.composite([first, *pending[: MOST_SUBREQUESTS - 1]], all_or_none=True)
        project_id = upserted_id(f"the project {request.external_id}", replies[0])
        for batch in batches(pending[MOST_SUBREQUESTS - 1 :]):
            self.client.composite([named(s, project_id) for s in batch], all_or_none=True)
        return project_id

    def milestone_upsert(
        self, request: ProjectRequest, milestone: ProjectMilestone, index: int
    ) -> Subrequest:
        section = self.mapping.milestones
        key = payloads.milestone_key(request, milestone)
        return Subrequest(
            "PATCH",
            self.upsert_url(section.object, section["external_id"], key),
            f"milestone{index}",
            payloads.milestone_body(section, milestone, PROJECT_ID),
        )

    def remove_project(self, project_id: str) -> None:
        """Milestones first, then the project, deleted or deactivated as the settings say; a
        project already gone is left alone."""
        milestones = self.mapping.milestones
        found = self.client.query(payloads.milestones_query(milestones, project_id))
        taken_back = [
            self.take_back(milestones, str(row["Id"]), f"milestone{index}")
            for index, row in enumerate(found)
        ]
        taken_back.append(self.take_back(self.mapping.project, project_id, PROJECT))
        try:
            for batch in batches(taken_back):
                self.client.composite(batch, all_or_none=True)
        except SalesforceRejected as refused:
            if not refused.codes & GONE:
                raise

    def take_back(self, section: Section, record_id: str, reference: str) -> Subrequest:
        url = f"sobjects/{section.object}/{segment(record_id)}"
        if self.settings.removal == "delete":
            return Subrequest("DELETE", url, reference)
        body: dict[str, object] = {section["external_id"]: None}
        if section["active"]:
            body[section["active"]] = False
        return Subrequest("PATCH", url, reference, body)

    def apply_change_order(self, order: ChangeOrder) -> str:
        section = self.mapping.change_orders
        url = self.upsert_url(section.object, section["external_id"], order.external_id)
        reply = self.client.call("PATCH", url, body=payloads.change_order_body(section, order))
        return upserted_id(f"the change order {order.external_id}", reply)

    def approved_work(self, since: dt.date, cursor: str, limit: int) -> WorkPage:
        return self.work.page(since, cursor, limit)

    def mark_invoiced(self, invoiced: Invoiced) -> None:
        section = self.mapping.work(invoiced.kind)
        if section is None:
            raise VendorRejected(SYSTEM, f"o2c reads no {invoiced.kind} items from Certinia")
        url = f"sobjects/{section.object}/{segment(invoiced.source_id)}"
        self.client.call("PATCH", url, body=payloads.invoice_body(section, invoiced))

    def upsert_url(self, sobject: str, key: str, value: str) -> str:
        return f"sobjects/{sobject}/{key}/{segment(value)}"


def batches(subrequests: Sequence[Subrequest]) -> list[list[Subrequest]]:
    return [
        list(subrequests[start : start + MOST_SUBREQUESTS])
        for start in range(0, len(subrequests), MOST_SUBREQUESTS)
    ]


def named(subrequest: Subrequest, project_id: str) -> Subrequest:
    """A milestone after the first composite request, its project now known by id."""
    body = {
        name: project_id if value == PROJECT_ID else value
        for name, value in (subrequest.body or {}).items()
    }
    return Subrequest(subrequest.method, subrequest.url, subrequest.reference_id, body)


def upserted_id(what: str, reply: Reply) -> str:
    with reading(what):
        return str(reply.body["id"])
