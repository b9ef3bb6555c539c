"""The sandbox PSA: project shells and their change orders in the database, found again by
external id, and the work approved on them, read in pages and marked invoiced."""

from __future__ import annotations

import datetime as dt

from attrs import asdict

from adapters.vendors.sandbox.records import SandboxRecords
from application.billing_ports import ChangeOrder
from application.ports import ProjectRequest
from application.psa_work_ports import ApprovedWork, Invoiced, WorkPage


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

    def approve(self, work: ApprovedWork, approved_on: dt.date) -> str:
        """The sandbox's project manager approving work, for tests and the demo."""
        payload = {**asdict(work), "approved_on": approved_on.isoformat(), "invoice": None}
        return self.records.upsert("approved_work", work.source_id, "WRK", payload)

    def approved_work(self, since: dt.date, cursor: str, limit: int) -> WorkPage:
        found = [
            (payload["approved_on"], record_id, payload)
            for _, record_id, payload in self.records.live("approved_work")
            if payload["approved_on"] >= since.isoformat()
        ]
        found.sort(key=lambda item: (item[0], item[1]))
        after = [
            item for item in found if not cursor or (item[0], item[1]) > tuple(cursor.split("|"))
        ]
        page = after[:limit]
        items = tuple(work_of(payload) for _, _, payload in page)
        more = len(after) > limit
        return WorkPage(items, f"{page[-1][0]}|{page[-1][1]}" if more else "")

    def mark_invoiced(self, invoiced: Invoiced) -> None:
        record_id = self.records.find("approved_work", invoiced.source_id)
        payload = None if record_id is None else self.records.payload("approved_work", record_id)
        if payload is None:
            return
        payload["invoice"] = {
            "number": invoiced.invoice_number,
            "date": invoiced.invoiced_on.isoformat(),
        }
        self.records.upsert("approved_work", invoiced.source_id, "WRK", payload)

    def invoice_of(self, source_id: str) -> str | None:
        """The invoice number written back on an item, for tests."""
        record_id = self.records.find("approved_work", source_id)
        payload = None if record_id is None else self.records.payload("approved_work", record_id)
        return (
            None if payload is None or payload["invoice"] is None else payload["invoice"]["number"]
        )


def work_of(payload: dict[str, object]) -> ApprovedWork:
    fields = {k: v for k, v in payload.items() if k not in ("approved_on", "invoice")}
    return ApprovedWork(**fields)  # type: ignore[arg-type]
