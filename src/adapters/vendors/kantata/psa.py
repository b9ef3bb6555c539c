"""Kantata as o2c's PSA: a workspace per work package and a story per change order, each found
again by the external reference o2c wrote on it; approved time entries and expenses read in
pages; and the invoice written back on each item as an external reference of its own, which
Kantata upserts by subject, service and model, so sending it again changes nothing.

Milestones are not read: Kantata's milestone stories carry no approval or billing amount of
their own that o2c could take as a completed, billable milestone."""

from __future__ import annotations

import datetime as dt

from adapters.vendors.kantata.client import SYSTEM, KantataClient, KantataRejected
from adapters.vendors.kantata.payloads import change_order_story, only_id, workspace
from adapters.vendors.kantata.references import CHANGE_ORDER, WORK_PACKAGE, ExternalReferences
from adapters.vendors.kantata.settings import KantataSettings
from adapters.vendors.kantata.work import ApprovedWorkReader
from application.billing_ports import ChangeOrder
from application.errors import VendorRejected
from application.ports import ProjectRequest
from application.psa_work_ports import Invoiced, WorkPage

SUBJECT_TYPES = {"time": "TimeEntry", "expense": "Expense"}
INVOICE_MODEL = "Invoice"


class KantataPsa:
    def __init__(self, settings: KantataSettings, client: KantataClient | None = None) -> None:
        self.settings = settings
        self.client = client or KantataClient(settings)
        self.references = ExternalReferences(self.client, settings.service_name)
        self.work = ApprovedWorkReader(self.client, settings)

    def close(self) -> None:
        self.client.close()

    def create_project(self, request: ProjectRequest) -> str:
        def create(reference: dict[str, str]) -> str:
            return only_id(self.client.post("workspaces", workspace(request, reference)))

        return self.references.find_or_create(WORK_PACKAGE, request.external_id, create)

    def remove_project(self, project_id: str) -> None:
        """Archived, which Kantata keeps and lists no more; one already gone is left alone."""
        try:
            self.references.archive(WORK_PACKAGE, project_id)
        except KantataRejected as refused:
            if refused.status != 404:
                raise

    def apply_change_order(self, order: ChangeOrder) -> str:
        story_type = self.settings.change_order_story_type

        def create(reference: dict[str, str]) -> str:
            body = change_order_story(order, story_type, reference)
            return only_id(self.client.post("stories", body))

        return self.references.find_or_create(CHANGE_ORDER, order.external_id, create)

    def approved_work(self, since: dt.date, cursor: str, limit: int) -> WorkPage:
        return self.work.page(since, cursor, limit)

    def mark_invoiced(self, invoiced: Invoiced) -> None:
        subject_type = SUBJECT_TYPES.get(invoiced.kind)
        if subject_type is None:
            raise VendorRejected(SYSTEM, f"o2c reads no {invoiced.kind} items from Kantata")
        body = {
            "external_reference": {
                "subject_type": subject_type,
                "subject_id": invoiced.source_id,
                "service_name": self.settings.service_name,
                "service_model": INVOICE_MODEL,
                "service_model_ref": invoiced.invoice_number,
                "status": "synced",
                "external_status": "invoiced",
                "external_message": f"Invoiced on {invoiced.invoiced_on.isoformat()}",
            }
        }
        self.client.post("external_references/create_or_update", body)
