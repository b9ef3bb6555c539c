"""The dashboard's rules without a database: who may see which role's view, and what it counts."""

from __future__ import annotations

import datetime as dt

import pytest

from application import dashboard
from application.dashboard import (
    ControlRun,
    ExceptionSpan,
    Item,
    LineageEntry,
    Role,
    UnbilledEntry,
    UnbilledTotal,
)
from domain.errors import CallerNotAllowed, LegalEntityNotAllowed, NotFound
from domain.exception_case import OwnerRole
from domain.principal import CallingSystem, Principal

NOW = dt.datetime(2025, 3, 14, 15, 0, tzinfo=dt.UTC)


def viewer(*roles: str, system: str = "operations", entities: str = "*") -> Principal:
    scopes = frozenset(f"dashboard:{role}" for role in roles)
    return Principal("lead", CallingSystem(system), frozenset({entities}), scopes)


def an_item(key: str, reason: str, workflow: str = "invoice_to_erp") -> Item:
    return Item(key, workflow, reason, "it failed", "open", 1, NOW - dt.timedelta(days=2))


class SeededQueries:
    def __init__(self) -> None:
        self.items = {
            OwnerRole.FINANCE: [
                an_item("INV-1", "ERP_POSTING_FAILED"),
                an_item("INV-2", "RECONCILIATION_VARIANCE", "reconciliation"),
            ],
            OwnerRole.SALES_OPS: [
                an_item("001-A", "CUSTOMER_MASTER_MISMATCH", "customer_master_sync"),
            ],
        }
        self.spans = [
            ExceptionSpan(NOW - dt.timedelta(days=3), None),
            ExceptionSpan(NOW - dt.timedelta(days=5), NOW - dt.timedelta(days=1, hours=20)),
        ]

    def open_exceptions(self, owner: OwnerRole, limit: int) -> list[Item]:
        return self.items.get(owner, [])[:limit]

    def exception_spans(self, owner: OwnerRole, since: dt.datetime) -> list[ExceptionSpan]:
        return self.spans if owner is OwnerRole.FINANCE else []

    def unbilled_totals(
        self, approved_after: dt.datetime | None, approved_until: dt.datetime | None
    ) -> list[UnbilledTotal]:
        return []

    def oldest_unbilled(self, limit: int) -> list[UnbilledEntry]:
        return []

    def control_runs(self, limit: int) -> list[ControlRun]:
        return []

    def lineage(self, business_key: str) -> list[LineageEntry]:
        return [LineageEntry(NOW, "exception", business_key, "parked for finance", "")]


def test_a_viewer_holds_the_roles_its_token_grants_as_dashboard_scopes() -> None:
    assert dashboard.roles_of(viewer("pmo", "finance")) == (Role.FINANCE, Role.PMO)


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        (viewer("finance", system="crm"), CallerNotAllowed),
        (viewer("finance", entities="US01"), LegalEntityNotAllowed),
        (viewer(), CallerNotAllowed),
    ],
)
def test_only_an_operations_caller_over_every_entity_with_a_role_opens_it(
    who: Principal, refusal: type[Exception]
) -> None:
    with pytest.raises(refusal):
        dashboard.roles_of(who)


def test_a_role_not_granted_is_refused_by_the_server() -> None:
    with pytest.raises(CallerNotAllowed):
        dashboard.role_view(viewer("sales-ops"), Role.FINANCE, SeededQueries(), NOW)


def test_finance_sees_posting_errors_and_variances_in_their_sections() -> None:
    view = dashboard.role_view(viewer("finance"), Role.FINANCE, SeededQueries(), NOW)
    titles = {section.title: [i.business_key for i in section.items] for section in view.sections}
    assert titles == {"Reconciliation variances": ["INV-2"], "Invoice posting errors": ["INV-1"]}


def test_open_exceptions_per_day_count_what_was_open_at_each_days_end() -> None:
    view = dashboard.role_view(viewer("finance"), Role.FINANCE, SeededQueries(), NOW)
    counts = {day.day.isoformat(): day.count for day in view.open_per_day}
    assert len(counts) == dashboard.CHART_DAYS
    assert counts["2025-03-08"] == 0
    assert counts["2025-03-09"] == 1  # opened five days back
    assert counts["2025-03-11"] == 2  # and three days back
    assert counts["2025-03-12"] == 1  # the older one closed on the evening of the 12th
    assert counts["2025-03-14"] == 1


def test_lineage_opens_only_for_a_key_of_the_viewers_roles() -> None:
    queries = SeededQueries()
    assert dashboard.lineage(viewer("finance"), "INV-1", queries, NOW)[0].what == "INV-1"
    with pytest.raises(NotFound):
        dashboard.lineage(viewer("sales-ops"), "INV-1", queries, NOW)
