"""Lineage's key resolution: whichever key a user holds leads to the engagement it belongs to,
and a key of a legal entity the caller may not see leads nowhere."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
from attrs import define, field

from application.correlation import Trace, accepted, correlated, trace_of, traced
from application.lineage import EntryKind, LineageEntry, RelatedKeys, get_lineage, resolve
from domain.errors import NotFound
from domain.principal import EVERY_LEGAL_ENTITY, CallingSystem, Principal

NOON = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
ACME = RelatedKeys(
    engagement_id="eng-1",
    opportunity_id="006-ACME",
    legal_entity_code="US01",
    project_ids=frozenset({"PRJ-1"}),
    invoice_ids=frozenset({"inv-1"}),
    invoice_numbers=frozenset({"US01-2026-000001"}),
    work_ids=frozenset({"TC-1"}),
)
OPERATIONS = Principal("ops", CallingSystem.OPERATIONS, EVERY_LEGAL_ENTITY)
UK_ONLY = Principal("ops-uk", CallingSystem.OPERATIONS, frozenset({"GB01"}))


@define
class InMemoryLineage:
    """One engagement's keys, the saga step references recorded for it, and its entries."""

    keys: RelatedKeys
    external_refs: dict[str, str] = field(factory=dict)
    entries: list[LineageEntry] = field(factory=list)
    asked_for: list[frozenset[str]] = field(factory=list)

    def engagement_by_id(self, key: str) -> str | None:
        return self.keys.engagement_id if key == self.keys.engagement_id else None

    def engagement_by_opportunity(self, key: str) -> str | None:
        return self.keys.engagement_id if key == self.keys.opportunity_id else None

    def engagement_by_project(self, key: str) -> str | None:
        return self.keys.engagement_id if key in self.keys.project_ids else None

    def engagement_by_invoice(self, key: str) -> str | None:
        invoices = self.keys.invoice_ids | self.keys.invoice_numbers
        return self.keys.engagement_id if key in invoices else None

    def business_key_by_external_ref(self, key: str) -> str | None:
        return self.external_refs.get(key)

    def related(self, engagement_id: str) -> RelatedKeys:
        assert engagement_id == self.keys.engagement_id
        return self.keys

    def timeline(self, keys: frozenset[str]) -> list[LineageEntry]:
        self.asked_for.append(keys)
        return list(self.entries)


def readers_of(reader: InMemoryLineage):
    @contextlib.contextmanager
    def open_reader() -> Iterator[InMemoryLineage]:
        yield reader

    return open_reader


def entry(minute: int, kind: EntryKind, operation: str) -> LineageEntry:
    return LineageEntry(NOON + dt.timedelta(minutes=minute), kind, "o2c", operation, "OK")


@pytest.mark.parametrize(
    "key", ["eng-1", "006-ACME", "PRJ-1", "US01-2026-000001", "inv-1", "CONTRACT-77"]
)
def test_every_kind_of_key_resolves_to_its_engagement(key):
    reader = InMemoryLineage(ACME, external_refs={"CONTRACT-77": "006-ACME"})

    assert resolve(key, reader) == "eng-1"


def test_an_external_reference_of_a_saga_of_no_engagement_resolves_to_nothing():
    reader = InMemoryLineage(ACME, external_refs={"CUST-9": "001-OTHER"})

    assert resolve("CUST-9", reader) is None
    assert resolve("nothing-at-all", reader) is None


def test_the_timeline_is_asked_for_every_related_key_and_comes_back_in_time_order():
    reader = InMemoryLineage(
        ACME,
        entries=[
            entry(5, EntryKind.VENDOR_CALL, "POST /invoice"),
            entry(1, EntryKind.INBOUND_CALL, "CreateServiceEngagement"),
            entry(5, EntryKind.INBOUND_CALL, "RunBillingCycle"),
        ],
    )

    lineage = get_lineage("US01-2026-000001", OPERATIONS, readers_of(reader))

    assert reader.asked_for == [{"eng-1", "006-ACME", "PRJ-1", "inv-1", "US01-2026-000001", "TC-1"}]
    assert [e.operation for e in lineage.entries] == [
        "CreateServiceEngagement",
        "RunBillingCycle",
        "POST /invoice",
    ]


@pytest.mark.parametrize("viewer", [UK_ONLY, OPERATIONS], ids=["other entity", "anyone"])
def test_a_key_nobody_may_see_is_not_found_naming_the_business_key(viewer):
    reader = InMemoryLineage(ACME)
    key = "006-ACME" if viewer is UK_ONLY else "006-UNKNOWN"

    with pytest.raises(NotFound) as refused:
        get_lineage(key, viewer, readers_of(reader))

    assert refused.value.field == "business_key"
    assert reader.asked_for == []


def test_a_caller_offered_correlation_id_is_kept_and_a_strange_one_replaced():
    assert accepted("req-42") == "req-42"
    assert accepted("") != ""
    assert accepted("x" * 65) != "x" * 65
    assert accepted("bad\nid") != "bad\nid"


@define
class StoredSaga:
    business_key: str
    context: dict[str, object]


def test_a_saga_started_under_a_correlation_id_is_resumed_under_it():
    with traced(Trace("corr-1", "006-ACME")):
        context = correlated({"engagement_id": "eng-1"})

    resumed = trace_of(StoredSaga("006-ACME", context))

    assert resumed == Trace("corr-1", "006-ACME")
