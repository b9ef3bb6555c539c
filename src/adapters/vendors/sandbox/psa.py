"""The sandbox PSA: project shells and their change orders in the database, found again by
external id."""

from __future__ import annotations

from adapters.vendors.sandbox.records import SandboxRecords
from application.billing_ports import ChangeOrder
from application.ports import ProjectRequest


class SandboxPsa:
    def __init__(self, records: SandboxRecords) -> None:
        self.records = records

    def create_project(self, request: ProjectRequest) -> str:
        payload = {
            "name": request.name,
            "engagement_id": request.engagement_id,
            "opportunity_id": request.opportunity_id,
            "account_id": request.account_id,
            "region": request.region,
            "start_date": request.start_date.isoformat(),
            "end_date": request.end_date.isoformat(),
            "active": True,
        }
        return self.records.upsert("project", request.external_id, "PRJ", payload)

    def remove_project(self, project_id: str) -> None:
        self.records.remove("project", project_id)

    def apply_change_order(self, order: ChangeOrder) -> str:
        payload = {
            "project_id": order.project_id,
            "engagement_id": order.engagement_id,
            "version": order.version,
            "effective_on": order.effective_on,
            "summary": order.summary,
        }
        return self.records.upsert("change_order", order.external_id, "CO", payload)
