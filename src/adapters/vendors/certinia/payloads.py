"""o2c's writes in Certinia's fields and Certinia's records in o2c's words, both through the
firm's mapping: a project and its milestones, a change order, approved work and the invoice
written back on it. SOQL is written here, its literals escaped."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from adapters.vendors.certinia.mapping import Scalar, Section
from adapters.vendors.salesforce.payloads import amount_text, soql_literal, text_of
from application.billing_ports import ChangeOrder
from application.ports import ProjectMilestone, ProjectRequest
from application.psa_work_ports import ApprovedWork, Invoiced

SYSTEM = "certinia"
LONGEST_NAME = 80  # a custom object's Name


def mapped(section: Section, values: dict[str, Any]) -> dict[str, Any]:
    """`values` by o2c's names, in the fields the firm maps them to."""
    return {section[name]: value for name, value in values.items() if section[name]}


def project_body(section: Section, request: ProjectRequest) -> dict[str, Any]:
    values = {
        "name": request.name[:LONGEST_NAME],
        "account": request.account_id or None,
        "opportunity": request.opportunity_id or None,
        "active": True,
        "start_date": request.start_date.isoformat(),
        "end_date": request.end_date.isoformat(),
        "engagement_id": request.engagement_id,
        "region": request.region or None,
    }
    return {**section.fixed, **mapped(section, values)}


def milestone_key(request: ProjectRequest, milestone: ProjectMilestone) -> str:
    return f"{request.external_id}:{milestone.code}"


def milestone_body(section: Section, milestone: ProjectMilestone, project: str) -> dict[str, Any]:
    values = {
        "project": project,
        "code": milestone.code,
        "name": (milestone.name or milestone.code)[:LONGEST_NAME],
        "amount": milestone.amount.amount,
        "currency": milestone.amount.currency,
    }
    return {**section.fixed, **mapped(section, values)}


def change_order_body(section: Section, order: ChangeOrder) -> dict[str, Any]:
    values = {
        "project": order.project_id,
        "engagement_id": order.engagement_id,
        "version": order.version,
        "effective_on": order.effective_on or None,
        "summary": order.summary,
    }
    return {**section.fixed, **mapped(section, values)}


def invoice_body(section: Section, invoiced: Invoiced) -> dict[str, Any]:
    values = {
        "invoiced": True,
        "invoice_number": invoiced.invoice_number,
        "invoice_date": invoiced.invoiced_on.isoformat(),
    }
    return mapped(section, values)


def literal(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return soql_literal(value) if isinstance(value, str) else str(value)


def select(names: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(n for n in names if n))


def approved_query(section: Section, read: Iterable[str]) -> str:
    """Every approved item; SOQL orders it, o2c picks the day and the page."""
    fields = select(["Id", *(section[name] for name in read), *section.extensions.values()])
    where = " AND ".join(f"{name} = {literal(v)}" for name, v in section.approved_when.items())
    return (
        f"SELECT {fields} FROM {section.object} WHERE {where} ORDER BY {section['approved_on']}, Id"
    )


def milestones_query(section: Section, project_id: str) -> str:
    return (
        f"SELECT Id FROM {section.object} WHERE {section['project']} = {soql_literal(project_id)}"
    )


def at(row: dict[str, Any], path: str) -> Any:
    """A value of the row, following lookups (`pse__Resource__r.Name`) as SOQL nests them."""
    value: Any = row
    for step in path.split(".") if path else ():
        value = value.get(step) if isinstance(value, dict) else None
    return None if isinstance(value, dict) else value


def text_at(row: dict[str, Any], section: Section, name: str) -> str:
    return text_of(at(row, section[name])) if section[name] else ""


def carried(row: dict[str, Any], section: Section) -> dict[str, str]:
    found = {key: at(row, path) for key, path in section.extensions.items()}
    return {key: text_of(value) for key, value in found.items() if value is not None}


def time_worked(row: dict[str, Any], section: Section) -> ApprovedWork:
    return ApprovedWork(
        source_id=str(row["Id"]),
        kind="time",
        project_id=text_at(row, section, "project"),
        day=text_at(row, section, "day"),
        resource=text_at(row, section, "resource"),
        role=text_at(row, section, "role"),
        hours=text_at(row, section, "hours"),
        extensions=carried(row, section),
    )


def expense(row: dict[str, Any], section: Section) -> ApprovedWork:
    currency = text_at(row, section, "currency")
    return ApprovedWork(
        source_id=str(row["Id"]),
        kind="expense",
        project_id=text_at(row, section, "project"),
        day=text_at(row, section, "day"),
        resource=text_at(row, section, "resource"),
        category=text_at(row, section, "category"),
        cost_amount=amount_text(at(row, section["amount"]), currency),
        cost_currency=currency,
        extensions=carried(row, section),
    )


def milestone(row: dict[str, Any], section: Section) -> ApprovedWork:
    return ApprovedWork(
        source_id=str(row["Id"]),
        kind="milestone",
        project_id=text_at(row, section, "project"),
        day=text_at(row, section, "day"),
        milestone_code=text_at(row, section, "code"),
        extensions=carried(row, section),
    )


def day_of(moment: str) -> str:
    """A date, or the day of a datetime, which Salesforce answers in UTC."""
    return moment[: len("YYYY-MM-DD")]
