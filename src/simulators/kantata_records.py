"""What one Kantata account holds, as its API shows it: workspaces, stories, time entries,
expenses, the users and roles they name, the timesheet and expense report submissions a
project manager approves, and the external references integrations attach to any of them.

Ids are numeric strings issued in order; a test may pin a time entry's or an expense's id so that
a shared suite's own ids come back unchanged. Errors are `Refusal`s in Kantata's envelope."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

SUBJECT_COLLECTIONS = {
    "Workspace": "workspaces",
    "Story": "stories",
    "TimeEntry": "time_entries",
    "Expense": "expenses",
}
SUBMISSIONS = {"time_entries": "timesheet_submissions", "expenses": "expense_report_submissions"}
SUBMITTED_IDS = {"time_entries": "time_entry_ids", "expenses": "expense_ids"}
STORY_TYPES = frozenset({"task", "deliverable", "milestone"})
CREATOR_ROLES = frozenset({"maven", "buyer"})
REFERENCE_FIELDS = (
    "service_name",
    "service_model",
    "service_model_ref",
    "status",
    "external_link",
    "external_message",
    "external_status",
    "locked",
)


class Refusal(Exception):
    def __init__(self, status: int, kind: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.status, self.kind, self.message, self.field = status, kind, message, field

    def body(self) -> dict[str, Any]:
        error = {"type": self.kind, "message": self.message}
        return {"errors": [error | ({"field": self.field} if self.field else {})]}


def invalid(field: str, message: str) -> Refusal:
    return Refusal(422, "validation", message, field)


def a_date(value: Any, field: str) -> str:
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise invalid(field, f"{field} must be a date as YYYY-MM-DD") from None


def whole(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise invalid(field, f"{field} must be a whole number")
    try:
        return int(value)
    except ValueError:
        raise invalid(field, f"{field} must be a whole number") from None


def required(fields: dict[str, Any], *names: str) -> None:
    for name in names:
        if fields.get(name) in (None, ""):
            raise invalid(name, f"{name} can't be blank")


class KantataRecords:
    def __init__(self) -> None:
        self.collections: dict[str, dict[str, dict[str, Any]]] = {
            name: {}
            for name in (
                *SUBJECT_COLLECTIONS.values(),
                *SUBMISSIONS.values(),
                "users",
                "roles",
                "external_references",
            )
        }
        self.ids = itertools.count(10001)
        self.lock = threading.RLock()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self.lock:
            yield

    def new_id(self) -> str:
        return str(next(self.ids))

    def get(self, collection: str, record_id: str) -> dict[str, Any]:
        found = self.collections[collection].get(record_id)
        if found is None:
            raise Refusal(404, "system", f"{collection} {record_id} was not found")
        return found

    def all(self, collection: str) -> list[dict[str, Any]]:
        return sorted(self.collections[collection].values(), key=ordered)

    def add(self, collection: str, record: dict[str, Any], record_id: str = "") -> dict[str, Any]:
        record_id = record_id or self.new_id()
        if record_id in self.collections[collection]:
            raise invalid("id", f"{collection} {record_id} exists already")
        stamp = now()
        stored = {"id": record_id, "created_at": stamp, "updated_at": stamp, **record}
        self.collections[collection][record_id] = stored
        return stored

    def update(self, collection: str, record_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        record = self.get(collection, record_id)
        record.update(fields, updated_at=now())
        return record

    def create_workspace(self, fields: dict[str, Any]) -> dict[str, Any]:
        required(fields, "title", "creator_role")
        if fields["creator_role"] not in CREATOR_ROLES:
            raise invalid("creator_role", "creator_role must be maven or buyer")
        workspace = {
            "title": str(fields["title"]),
            "description": str(fields.get("description") or ""),
            "start_date": fields.get("start_date") and a_date(fields["start_date"], "start_date"),
            "due_date": fields.get("due_date") and a_date(fields["due_date"], "due_date"),
            "archived": False,
        }
        return self.with_reference("Workspace", self.add("workspaces", workspace), fields)

    def create_story(self, fields: dict[str, Any]) -> dict[str, Any]:
        required(fields, "title", "story_type", "workspace_id")
        if fields["story_type"] not in STORY_TYPES:
            raise invalid("story_type", "story_type must be task, deliverable or milestone")
        if len(str(fields["title"])) > 200:
            raise invalid("title", "title is at most 200 characters")
        workspace_id = str(fields["workspace_id"])
        self.get("workspaces", workspace_id)
        story = {
            "title": str(fields["title"]),
            "story_type": fields["story_type"],
            "workspace_id": workspace_id,
            "description": str(fields.get("description") or "")[:1000],
            "start_date": fields.get("start_date") and a_date(fields["start_date"], "start_date"),
            "state": fields.get("state") or "not started",
            "archived": False,
        }
        return self.with_reference("Story", self.add("stories", story), fields)

    def with_reference(
        self, subject_type: str, record: dict[str, Any], fields: dict[str, Any]
    ) -> dict[str, Any]:
        reference = fields.get("external_reference")
        if reference is not None:
            if not isinstance(reference, dict):
                raise invalid("external_reference", "external_reference must be an object")
            self.upsert_reference(
                {**reference, "subject_type": subject_type, "subject_id": record["id"]}
            )
        return record

    def upsert_reference(self, fields: dict[str, Any]) -> dict[str, Any]:
        required(fields, "subject_type", "subject_id", "service_name", "service_model")
        collection = SUBJECT_COLLECTIONS.get(str(fields["subject_type"]))
        if collection is None:
            raise invalid("subject_type", f"subject_type {fields['subject_type']} is not known")
        subject_id = str(fields["subject_id"])
        self.get(collection, subject_id)
        key = (fields["subject_type"], subject_id, fields["service_name"], fields["service_model"])
        values = {name: fields[name] for name in REFERENCE_FIELDS if name in fields}
        for reference in self.collections["external_references"].values():
            if reference_key(reference) == key:
                return self.update("external_references", reference["id"], values)
        new = {"subject_type": key[0], "subject_id": subject_id, **values}
        return self.add("external_references", new)

    def references(self, subject_type: str, subject_id: str) -> list[dict[str, Any]]:
        return [
            r
            for r in self.all("external_references")
            if (r["subject_type"], r["subject_id"]) == (subject_type, subject_id)
        ]

    def named(self, collection: str, field: str, value: str) -> str:
        for record in self.collections[collection].values():
            if record[field] == value:
                return str(record["id"])
        return str(self.add(collection, {field: value})["id"])

    def log_time(self, fields: dict[str, Any], entry_id: str = "") -> str:
        required(fields, "workspace_id", "date_performed", "time_in_minutes")
        self.get("workspaces", str(fields["workspace_id"]))
        entry = {
            "workspace_id": str(fields["workspace_id"]),
            "date_performed": a_date(fields["date_performed"], "date_performed"),
            "time_in_minutes": whole(fields["time_in_minutes"], "time_in_minutes"),
            "billable": bool(fields.get("billable", True)),
            "notes": str(fields.get("notes") or ""),
            "user_id": fields.get("user_id"),
            "role_id": fields.get("role_id"),
            "story_id": fields.get("story_id"),
            "approved": False,
            "active_submission_id": None,
        }
        return str(self.add("time_entries", entry, entry_id)["id"])

    def spend(self, fields: dict[str, Any], expense_id: str = "") -> str:
        required(fields, "workspace_id", "date", "category", "amount_in_cents")
        self.get("workspaces", str(fields["workspace_id"]))
        expense = {
            "workspace_id": str(fields["workspace_id"]),
            "date": a_date(fields["date"], "date"),
            "category": str(fields["category"]),
            "amount_in_cents": whole(fields["amount_in_cents"], "amount_in_cents"),
            "currency": str(fields.get("currency") or "USD"),
            "currency_base_unit": whole(
                fields.get("currency_base_unit", 100), "currency_base_unit"
            ),
            "notes": str(fields.get("notes") or ""),
            "is_billable": bool(fields.get("billable", True)),
            "user_id": fields.get("user_id"),
            "approved": False,
            "active_submission_id": None,
        }
        return str(self.add("expenses", expense, expense_id)["id"])

    def approve(self, collection: str, item_ids: Iterable[str], on: dt.date) -> str:
        """A submission of the items, approved on `on`: the items are approved with it."""
        ids = [str(i) for i in item_ids]
        items = [self.get(collection, i) for i in ids]
        submission = {
            "status": "approved",
            "title": f"Submitted {on.isoformat()}",
            "current_resolution_created_at_date": on.isoformat(),
            SUBMITTED_IDS[collection]: ids,
        }
        submission_id = str(self.add(SUBMISSIONS[collection], submission)["id"])
        for item in items:
            item.update(approved=True, active_submission_id=submission_id, updated_at=now())
        return submission_id


def reference_key(reference: dict[str, Any]) -> tuple[Any, ...]:
    return (
        reference["subject_type"],
        reference["subject_id"],
        reference.get("service_name"),
        reference.get("service_model"),
    )


def ordered(record: dict[str, Any]) -> tuple[int, str]:
    record_id = str(record["id"])
    return (int(record_id), "") if record_id.isdigit() else (0, record_id)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
