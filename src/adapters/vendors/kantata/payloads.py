"""Kantata's bodies in o2c's words and back: the envelope's records, a workspace for a work
package, a story for a change order, and approved time entries and expenses as ApprovedWork."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from adapters.vendors.kantata.mapping import KindMapping
from application.billing_ports import ChangeOrder
from application.ports import ProjectRequest
from application.psa_work_ports import ApprovedWork

Envelope = Mapping[str, Any]
MINUTES_PER_HOUR = Decimal(60)


def records(envelope: Envelope) -> list[dict[str, Any]]:
    """The envelope's results, in Kantata's order, from their top-level collections."""
    return [envelope[r["key"]][str(r["id"])] for r in envelope.get("results", [])]


def only_id(envelope: Envelope) -> str:
    return str(envelope["results"][0]["id"])


def reference(service_name: str, model: str, ref: str) -> dict[str, str]:
    return {"service_name": service_name, "service_model": model, "service_model_ref": ref}


def workspace(request: ProjectRequest, external_reference: dict[str, str]) -> dict[str, Any]:
    return {
        "workspace": {
            "title": request.name,
            "creator_role": "maven",
            "description": (
                f"Engagement {request.engagement_id}, opportunity {request.opportunity_id}, "
                f"account {request.account_id}, region {request.region}"
            ),
            "start_date": request.start_date.isoformat(),
            "due_date": request.end_date.isoformat(),
            "external_reference": external_reference,
        }
    }


def change_order_story(
    order: ChangeOrder, story_type: str, external_reference: dict[str, str]
) -> dict[str, Any]:
    return {
        "story": {
            "workspace_id": order.project_id,
            "story_type": story_type,
            "title": f"Change order v{order.version} ({order.engagement_id})"[:200],
            "description": order.summary[:1000],
            "start_date": order.effective_on,
            "external_reference": external_reference,
        }
    }


def time_worked(item: Mapping[str, Any], envelope: Envelope, mapping: KindMapping) -> ApprovedWork:
    return ApprovedWork(
        source_id=str(item["id"]),
        kind="time",
        project_id=str(item.get("workspace_id") or ""),
        day=str(item.get("date_performed") or ""),
        resource=mapping.value("resource", item, envelope),
        role=mapping.value("role", item, envelope),
        hours=hours(item.get("time_in_minutes")),
        extensions=mapping.extension_values(item, envelope),
    )


def expense(item: Mapping[str, Any], envelope: Envelope, mapping: KindMapping) -> ApprovedWork:
    return ApprovedWork(
        source_id=str(item["id"]),
        kind="expense",
        project_id=str(item.get("workspace_id") or ""),
        day=str(item.get("date") or ""),
        resource=mapping.value("resource", item, envelope),
        category=mapping.value("category", item, envelope),
        cost_amount=amount(item.get("amount_in_cents"), item.get("currency_base_unit")),
        cost_currency=mapping.value("currency", item, envelope),
        extensions=mapping.extension_values(item, envelope),
    )


def hours(minutes: Any) -> str:
    """Exact where it ends (450 minutes: "7.5"); o2c refuses what needs more than its decimals."""
    if minutes is None:
        return ""
    return decimal_text(Decimal(int(minutes)) / MINUTES_PER_HOUR)


def amount(in_cents: Any, base_unit: Any) -> str:
    """Kantata's "cents" are the currency's minor units, `currency_base_unit` to one."""
    if in_cents is None:
        return ""
    unit = int(base_unit or 100)
    places = len(str(unit)) - 1 if str(unit).strip("0") == "1" else 2
    return str((Decimal(int(in_cents)) / unit).quantize(Decimal(1).scaleb(-places)))


def decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")
