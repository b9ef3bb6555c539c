"""The sandbox CRM: the engagement written back on the opportunity, in the database."""

from __future__ import annotations

from adapters.vendors.sandbox.records import SandboxRecords
from application.ports import EngagementLink


class SandboxCrm:
    def __init__(self, records: SandboxRecords) -> None:
        self.records = records

    def record_engagement(self, link: EngagementLink) -> str:
        payload = {
            "engagement_id": link.engagement_id,
            "engagement_status": link.status,
            "exception_id": link.exception_id,
        }
        return self.records.upsert("opportunity", link.opportunity_id, "OPP", payload)
