"""What o2c made in Kantata, found again by the external reference written on it. Kantata has
no idempotency key, so o2c searches before it creates; callers racing past the search each
create one, and all then keep the oldest (the lowest id) and archive their own if it lost."""

from __future__ import annotations

import threading
from collections.abc import Callable

from attrs import frozen

from adapters.vendors.kantata.client import KantataClient
from adapters.vendors.kantata.payloads import records, reference


@frozen
class Subject:
    type: str  # Kantata's subject_type: Workspace, Story
    collection: str  # workspaces, stories
    key: str  # the object's key in a create or update body: workspace, story
    model: str  # what it is to o2c, as the reference's service_model


WORK_PACKAGE = Subject("Workspace", "workspaces", "workspace", "WorkPackage")
CHANGE_ORDER = Subject("Story", "stories", "story", "ChangeOrder")


class ExternalReferences:
    def __init__(self, client: KantataClient, service_name: str) -> None:
        self.client = client
        self.service_name = service_name
        self.locks: dict[tuple[str, str], threading.Lock] = {}
        self.guard = threading.Lock()

    def find_or_create(
        self, subject: Subject, ref: str, create: Callable[[dict[str, str]], str]
    ) -> str:
        with self.lock_for(subject, ref):
            found = self.find(subject, ref)
            if found:
                return found
            made = create(reference(self.service_name, subject.model, ref))
            kept = self.find(subject, ref) or made
            if kept != made:
                self.archive(subject, made)
            return kept

    def find(self, subject: Subject, ref: str) -> str:
        """The oldest live object carrying the reference; "" when there is none."""
        query = {
            **reference(self.service_name, subject.model, ref),
            "subject_type": subject.type,
        }
        ids = {
            str(found["subject_id"])
            for page in self.client.pages("external_references", query)
            for found in records(page)
        }
        if not ids:
            return ""
        live = [
            str(found["id"])
            for page in self.client.pages(
                subject.collection, {"only": ",".join(sorted(ids)), "include_archived": "true"}
            )
            for found in records(page)
            if not found.get("archived")
        ]
        return min(live, key=lambda i: (len(i), i), default="")

    def archive(self, subject: Subject, subject_id: str) -> None:
        self.client.put(f"{subject.collection}/{subject_id}", {subject.key: {"archived": True}})

    def lock_for(self, subject: Subject, ref: str) -> threading.Lock:
        with self.guard:
            return self.locks.setdefault((subject.model, ref), threading.Lock())
