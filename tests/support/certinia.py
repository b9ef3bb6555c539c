"""A Salesforce org with Certinia installed, on loopback, and o2c's Certinia adapter signed in
to it; the org's people approve work the way Certinia's users do, for the PSA contracts and the
wire-format tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from attrs import define

from adapters.vendors.certinia.mapping import CertiniaMapping, load_mapping
from adapters.vendors.certinia.psa import CertiniaPsa
from adapters.vendors.certinia.settings import CertiniaSettings
from application.psa_work_ports import ApprovedWork
from simulators.certinia import CertiniaDesk, certinia_org
from simulators.salesforce import SalesforceSimulator
from support.salesforce import PIPELINE, a_connected_app, settings_for

DELIVERY = "a4E5g00000DELIVRAAA"  # the project work is approved on unless it names its own


def approval_moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), dt.UTC)


@define
class CertiniaWorld:
    org: SalesforceSimulator
    psa: CertiniaPsa

    @property
    def desk(self) -> CertiniaDesk:
        return CertiniaDesk(self.org)

    def approve(self, work: ApprovedWork, approved_on: dt.date) -> str:
        """The consultant enters the item, the project manager approves it on `approved_on`."""
        project_id = work.project_id or self.delivery_project()
        at = approval_moment(approved_on)
        if work.kind == "milestone":
            return self.milestone_approved(work, project_id, at)
        resource_id = self.desk.resource(work.resource)
        day = dt.date.fromisoformat(work.day)
        if work.kind == "expense":
            expense_id = self.desk.expense(
                project_id,
                resource_id,
                day,
                record_id=work.source_id,
                pse__Type__c=work.category,
                pse__Amount__c=Decimal(work.cost_amount),
                CurrencyIsoCode=work.cost_currency,
            )
            self.desk.approve("pse__Expense__c", expense_id, at)
            return expense_id
        assignment_id = self.desk.assign(project_id, resource_id, work.role)
        header_id, split_id = self.desk.timecard(
            assignment_id, day, {day: Decimal(work.hours)}, split_id=work.source_id
        )
        self.desk.approve_timecard(header_id, at)
        return split_id

    def milestone_approved(self, work: ApprovedWork, project_id: str, at: dt.datetime) -> str:
        fields = {
            "Name": work.milestone_code,
            "pse__Project__c": project_id,
            "o2c_Code__c": work.milestone_code,
            "pse__Status__c": "Open",
        }
        milestone_id = self.org.seed("pse__Milestone__c", fields, work.source_id)
        self.desk.complete_milestone(milestone_id, dt.date.fromisoformat(work.day))
        self.desk.approve("pse__Milestone__c", milestone_id, at)
        return milestone_id

    def delivery_project(self) -> str:
        if self.org.record("pse__Proj__c", DELIVERY) is None:
            fields = {"Name": "Acme Corp - delivery", "pse__Is_Active__c": True}
            self.org.seed("pse__Proj__c", fields, DELIVERY)
        return DELIVERY

    def invoice_of(self, source_id: str) -> str | None:
        for sobject in ("pse__Timecard__c", "pse__Expense__c", "pse__Milestone__c"):
            record = self.org.record(sobject, source_id)
            if record is not None:
                return record["pse__Invoice_Number__c"]
        return None

    def open_pipeline(self) -> None:
        """Sales' accounts and opportunities, which o2c's projects look up."""
        for account_id, (name, opportunities) in PIPELINE.items():
            self.org.seed("Account", {"Name": name}, account_id)
            for opportunity_id in opportunities:
                fields = {
                    "Name": f"{name} - {opportunity_id}",
                    "AccountId": account_id,
                    "StageName": "Closed Won",
                    "CloseDate": "2026-11-30",
                }
                self.org.seed("Opportunity", fields, opportunity_id)

    def close(self) -> None:
        self.psa.close()
        self.org.stop()


def a_certinia_world(
    *,
    mapping: CertiniaMapping | None = None,
    settings: dict[str, Any] | None = None,
    org_settings: dict[str, Any] | None = None,
    **org_options: Any,
) -> CertiniaWorld:
    org = certinia_org(a_connected_app(), **org_options).start()
    certinia = CertiniaSettings(
        settings_for(org, **(org_settings or {})),
        mapping=mapping or load_mapping(),
        **(settings or {}),
    )
    world = CertiniaWorld(org, CertiniaPsa(certinia))
    world.open_pipeline()
    return world
