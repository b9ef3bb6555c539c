"""Lineage by business key: whichever key a user holds (an opportunity, an engagement, a PSA
project, an ERP contract, an invoice number), the engagement it belongs to, every key related
to it, and the ordered timeline of what o2c did for them — inbound calls and their outcome,
vendor calls, saga steps, events published, exceptions and their resolution."""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
from collections.abc import Callable, Iterable
from typing import Protocol

from attrs import frozen

from domain.errors import NotFound
from domain.principal import Principal


class EntryKind(enum.Enum):
    INBOUND_CALL = "inbound_call"
    VENDOR_CALL = "vendor_call"
    SAGA_STEP = "saga_step"
    EVENT_PUBLISHED = "event_published"
    EXCEPTION_PARKED = "exception_parked"
    EXCEPTION_CLOSED = "exception_closed"


@frozen
class LineageEntry:
    at: dt.datetime
    kind: EntryKind
    system: str
    operation: str
    status: str
    business_key: str = ""
    latency_ms: int = 0
    attempt: int = 0
    correlation_id: str = ""
    detail: str = ""


@frozen
class RelatedKeys:
    """An engagement's keys: every value its calls, sagas, events and exceptions are filed by."""

    engagement_id: str
    opportunity_id: str
    legal_entity_code: str
    project_ids: frozenset[str] = frozenset()
    invoice_ids: frozenset[str] = frozenset()
    invoice_numbers: frozenset[str] = frozenset()
    work_ids: frozenset[str] = frozenset()  # billable events: their ids and source ids

    @property
    def all(self) -> frozenset[str]:
        singles = {self.engagement_id, self.opportunity_id}
        groups = (self.project_ids, self.invoice_ids, self.invoice_numbers, self.work_ids)
        return frozenset(singles.union(*groups)) - {""}


@frozen
class Lineage:
    keys: RelatedKeys
    entries: tuple[LineageEntry, ...]


class LineageReader(Protocol):
    def engagement_by_id(self, key: str) -> str | None: ...
    def engagement_by_opportunity(self, key: str) -> str | None: ...
    def engagement_by_project(self, key: str) -> str | None: ...
    def engagement_by_invoice(self, key: str) -> str | None: ...
    def business_key_by_external_ref(self, key: str) -> str | None: ...
    def related(self, engagement_id: str) -> RelatedKeys: ...
    def timeline(self, keys: frozenset[str]) -> list[LineageEntry]: ...


LineageReaders = Callable[[], contextlib.AbstractContextManager[LineageReader]]
ORDER = {kind: rank for rank, kind in enumerate(EntryKind)}


def get_lineage(key: str, viewer: Principal, readers: LineageReaders) -> Lineage:
    with readers() as reader:
        engagement_id = resolve(key, reader)
        keys = None if engagement_id is None else reader.related(engagement_id)
        if keys is None or not viewer.sees(keys.legal_entity_code):
            raise NotFound(
                f"nothing is known by the key {key!r}",
                field="business_key",
                keys={"business_key": key},
            )
        return Lineage(keys, in_order(reader.timeline(keys.all)))


def resolve(key: str, reader: LineageReader) -> str | None:
    """The engagement `key` names, directly or through the saga whose vendor record it is."""
    found = engagement_named(key, reader)
    if found is not None:
        return found
    owner = reader.business_key_by_external_ref(key)
    if owner is None or owner == key:
        return None
    return engagement_named(owner, reader)


def engagement_named(key: str, reader: LineageReader) -> str | None:
    lookups = (
        reader.engagement_by_id,
        reader.engagement_by_opportunity,
        reader.engagement_by_project,
        reader.engagement_by_invoice,
    )
    return next((found for lookup in lookups if (found := lookup(key)) is not None), None)


def in_order(entries: Iterable[LineageEntry]) -> tuple[LineageEntry, ...]:
    return tuple(sorted(entries, key=lambda entry: (entry.at, ORDER[entry.kind])))
