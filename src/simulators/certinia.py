"""Certinia PSA's objects on a simulated Salesforce org: the pse__ schemas registered with the
org's Schemas (the fields vendors.md lists, and those o2c's default mapping names that it marks
not confirmed), Contact for Certinia's resources, and o2c's own change-order object and
external-id fields as a firm would add them. REST, SOQL, composite, sign-in and limits are the
Salesforce simulator's.

`CertiniaDesk` is the org's users at work, for tests and the demo: resources and assignments,
timecards entered and approved, expenses, milestones completed, each approval stamped with its
moment as Salesforce stamps LastModifiedDate (the org's clock, set for the
write: the Salesforce simulator takes no clock of its own)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from simulators.salesforce import SalesforceSimulator
from simulators.salesforce_auth import ConnectedApp
from simulators.salesforce_schema import (
    CURRENCY,
    Field,
    Schemas,
    SObject,
    default_schemas,
    lookup,
    money,
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
APPROVED = "Approved"


def external_id(name: str = "o2c_External_Id__c") -> Field:
    return Field(name, external_id=True, unique=True)


def hours(name: str) -> Field:
    return Field(name, "double", scale=2)


def invoice_fields() -> tuple[Field, ...]:
    return (
        Field("pse__Invoiced__c", "boolean"),
        Field("pse__Invoice_Number__c", length=80),
        Field("pse__Invoice_Date__c", "date"),
    )


CONTACT = SObject.of(
    "Contact",
    "003",
    Field("FirstName", length=40),
    Field("LastName", required=True, length=80),
    Field("Name", writable=False, length=121),
    lookup("AccountId", "Account"),
    Field("Email", length=80),
)
PROJECT = SObject.of(
    "pse__Proj__c",
    "a4E",
    Field("Name", required=True, length=80),
    lookup("pse__Account__c", "Account"),
    lookup("pse__Opportunity__c", "Opportunity"),
    Field("pse__Is_Active__c", "boolean"),
    Field("pse__Project_Type__c", "picklist"),
    Field("pse__Practice__c", length=18),
    Field("pse__Group__c", length=18),
    lookup("pse__Project_Manager__c", "Contact"),
    Field("pse__Start_Date__c", "date"),
    Field("pse__End_Date__c", "date"),
    CURRENCY,
    external_id(),
    Field("o2c_Engagement_Id__c", length=64),
    Field("o2c_Region__c", length=40),
)
MILESTONE = SObject.of(
    "pse__Milestone__c",
    "a4F",
    Field("Name", required=True, length=80),
    lookup("pse__Project__c", "pse__Proj__c", required=True),
    money("pse__Milestone_Amount__c"),
    Field("pse__Status__c", "picklist"),
    Field("pse__Target_Date__c", "date"),
    Field("pse__Actual_Date__c", "date"),
    Field("pse__Approved__c", "boolean"),
    *invoice_fields(),
    CURRENCY,
    external_id(),
    Field("o2c_Code__c", length=40),
)
ASSIGNMENT = SObject.of(
    "pse__Assignment__c",
    "a4G",
    Field("Name", required=True, length=80),
    lookup("pse__Project__c", "pse__Proj__c", required=True),
    lookup("pse__Resource__c", "Contact", required=True),
    Field("pse__Role__c", "picklist"),
)
TIMECARD_HEADER = SObject.of(
    "pse__Timecard_Header__c",
    "a4H",
    Field("Name", writable=False, auto_number="TCH-"),
    lookup("pse__Resource__c", "Contact", required=True),
    lookup("pse__Project__c", "pse__Proj__c", required=True),
    lookup("pse__Assignment__c", "pse__Assignment__c"),
    Field("pse__Start_Date__c", "date", required=True),
    Field("pse__End_Date__c", "date", required=True),
    Field("pse__Status__c", "picklist"),
    Field("pse__Billable__c", "boolean"),
    *(hours(f"pse__{day}_Hours__c") for day in WEEKDAYS),
    hours("pse__Total_Hours__c"),
)
TIMECARD_SPLIT = SObject.of(
    "pse__Timecard__c",
    "a4I",
    Field("Name", writable=False, auto_number="TC-"),
    lookup("pse__Timecard_Header__c", "pse__Timecard_Header__c", required=True),
    Field("pse__Start_Date__c", "date"),
    Field("pse__End_Date__c", "date"),
    Field("pse__Status__c", "picklist"),
    Field("pse__Billed__c", "boolean"),
    money("pse__Total_Billable_Amount__c"),
    *(hours(f"pse__{day}_Hours__c") for day in WEEKDAYS),
    hours("pse__Total_Hours__c"),
    *invoice_fields(),
    CURRENCY,
)
EXPENSE = SObject.of(
    "pse__Expense__c",
    "a4J",
    Field("Name", writable=False, auto_number="EX-"),
    lookup("pse__Project__c", "pse__Proj__c", required=True),
    lookup("pse__Resource__c", "Contact"),
    Field("pse__Expense_Date__c", "date"),
    Field("pse__Type__c", "picklist"),
    money("pse__Amount__c"),
    Field("pse__Status__c", "picklist"),
    Field("pse__Approved__c", "boolean"),
    Field("pse__Billable__c", "boolean"),
    *invoice_fields(),
    CURRENCY,
)
CHANGE_ORDER = SObject.of(
    "o2c_Change_Order__c",
    "a4K",
    Field("Name", writable=False, auto_number="CO-"),
    external_id(),
    lookup("o2c_Project__c", "pse__Proj__c", required=True),
    Field("o2c_Engagement_Id__c", length=64),
    Field("o2c_Version__c", "double", scale=0),
    Field("o2c_Effective_On__c", "date"),
    Field("o2c_Summary__c", "textarea", length=32768),
)
CERTINIA_OBJECTS = (
    CONTACT, PROJECT, MILESTONE, ASSIGNMENT, TIMECARD_HEADER, TIMECARD_SPLIT, EXPENSE, CHANGE_ORDER
)  # fmt: skip


def certinia_schemas(schemas: Schemas | None = None) -> Schemas:
    """The org's schemas (the default ones unless given) with Certinia's objects added."""
    schemas = schemas or default_schemas()
    for sobject in CERTINIA_OBJECTS:
        schemas.register(sobject)
    return schemas


def certinia_org(app: ConnectedApp, **options: Any) -> SalesforceSimulator:
    """A Salesforce org with Certinia installed; `schemas`, given, are `certinia_schemas()`
    with a firm's own fields added."""
    schemas = options.pop("schemas", None) or certinia_schemas()
    return SalesforceSimulator(app, schemas=schemas, **options)


class CertiniaDesk:
    """What the org's consultants and project managers do in Certinia."""

    def __init__(self, org: SalesforceSimulator) -> None:
        self.org = org

    def resource(self, name: str, **fields: Any) -> str:
        found = self.org.find("Contact", "Name", name)
        if found is not None:
            return str(found["Id"])
        first, _, last = name.rpartition(" ")
        given = {"FirstName": first or None, "LastName": last, "Name": name, **fields}
        return self.org.seed("Contact", given)

    def assign(self, project_id: str, resource_id: str, role: str) -> str:
        for found in self.org.records("pse__Assignment__c"):
            if (found["pse__Project__c"], found["pse__Resource__c"]) == (project_id, resource_id):
                self.org.seed("pse__Assignment__c", {"pse__Role__c": role}, found["Id"])
                return str(found["Id"])
        fields = {
            "Name": f"{role} on {project_id}",
            "pse__Project__c": project_id,
            "pse__Resource__c": resource_id,
            "pse__Role__c": role,
        }
        return self.org.seed("pse__Assignment__c", fields)

    def timecard(
        self,
        assignment_id: str,
        week_from: dt.date,
        hours_by_day: dict[dt.date, Decimal],
        *,
        split_id: str = "",
        **split_fields: Any,
    ) -> tuple[str, str]:
        """A week's timecard on the assignment, saved with one split: (header id, split id)."""
        assignment = self.org.record("pse__Assignment__c", assignment_id)
        assert assignment is not None, f"no assignment {assignment_id}"
        week = {
            f"pse__{WEEKDAYS[day.weekday()]}_Hours__c": amount
            for day, amount in hours_by_day.items()
        }
        span = {
            "pse__Start_Date__c": week_from.isoformat(),
            "pse__End_Date__c": (week_from + dt.timedelta(days=6)).isoformat(),
            "pse__Status__c": "Saved",
            "pse__Total_Hours__c": sum(hours_by_day.values(), Decimal(0)),
            **week,
        }
        header = {
            "pse__Resource__c": assignment["pse__Resource__c"],
            "pse__Project__c": assignment["pse__Project__c"],
            "pse__Assignment__c": assignment_id,
            "pse__Billable__c": True,
            **span,
        }
        header_id = self.org.seed("pse__Timecard_Header__c", header)
        split = {"pse__Timecard_Header__c": header_id, "pse__Billed__c": False, **span}
        return header_id, self.org.seed("pse__Timecard__c", {**split, **split_fields}, split_id)

    def approve_timecard(self, header_id: str, at: dt.datetime) -> None:
        self.approve("pse__Timecard_Header__c", header_id, at)
        for split in self.org.records("pse__Timecard__c"):
            if split["pse__Timecard_Header__c"] == header_id:
                self.approve("pse__Timecard__c", split["Id"], at)

    def expense(self, project_id: str, resource_id: str, on: dt.date, **fields: Any) -> str:
        record_id = str(fields.pop("record_id", ""))
        given = {
            "pse__Project__c": project_id,
            "pse__Resource__c": resource_id,
            "pse__Expense_Date__c": on.isoformat(),
            "pse__Status__c": "Submitted",
            "pse__Billable__c": True,
            **fields,
        }
        return self.org.seed("pse__Expense__c", given, record_id)

    def complete_milestone(self, milestone_id: str, on: dt.date) -> None:
        self.org.seed("pse__Milestone__c", {"pse__Actual_Date__c": on.isoformat()}, milestone_id)

    def approve(self, sobject: str, record_id: str, at: dt.datetime, **fields: Any) -> None:
        """Status Approved, as its approver leaves it at `at`."""
        given = {"pse__Status__c": APPROVED, **fields}
        if self.org.schemas.get_required(sobject).field("pse__Approved__c"):
            given["pse__Approved__c"] = True
        with self.org.lock:
            clock, self.org.store.clock = self.org.store.clock, lambda: at
            try:
                self.org.seed(sobject, given, record_id)
            finally:
                self.org.store.clock = clock
