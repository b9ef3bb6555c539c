"""The operations dashboard's questions, answered per role: each role sees only its own items.

A viewer is an `operations` caller whose token grants `dashboard:<role>` scopes; every item it
is shown, and every lineage it may open, belongs to one of those roles."""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Protocol

from attrs import frozen

from application import lineage as lineage_entries
from application.lineage import LineageReaders, get_lineage
from domain.errors import CallerNotAllowed, LegalEntityNotAllowed, NotFound
from domain.exception_case import OwnerRole, ReasonCode, Workflow
from domain.principal import CallingSystem, Principal

SCOPE_PREFIX = "dashboard:"
VIEWERS = (CallingSystem.OPERATIONS,)
CHART_DAYS = 14
ITEM_LIMIT = 200
AGE_BUCKETS = ((0, 30), (31, 60), (61, 90), (91, None))


class Role(enum.Enum):
    FINANCE = "finance"
    PMO = "pmo"
    SALES_OPS = "sales-ops"

    @property
    def owner(self) -> OwnerRole:
        return OwnerRole(self.value)

    @property
    def scope(self) -> str:
        return SCOPE_PREFIX + self.value


@frozen
class Item:
    """An open exception as a dashboard row; `business_key` opens its lineage."""

    business_key: str
    workflow: str
    reason_code: str
    detail: str
    status: str
    attempts: int
    opened_at: dt.datetime


@frozen
class Section:
    title: str
    items: tuple[Item, ...]


@frozen
class ExceptionSpan:
    opened_at: dt.datetime
    closed_at: dt.datetime | None


@frozen
class DayCount:
    day: dt.date
    count: int


@frozen
class UnbilledTotal:
    currency: str
    entries: int
    hours: Decimal
    amount_minor_units: int


@frozen
class AgeBucket:
    label: str
    totals: tuple[UnbilledTotal, ...]

    @property
    def entries(self) -> int:
        return sum(total.entries for total in self.totals)

    @property
    def hours(self) -> Decimal:
        return sum((total.hours for total in self.totals), Decimal(0))


@frozen
class UnbilledEntry:
    business_key: str  # the engagement's opportunity: its lineage
    engagement_id: str
    source_id: str
    resource: str
    hours: Decimal
    currency: str
    amount_minor_units: int
    status: str
    approved_at: dt.datetime


@frozen
class ControlRun:
    control: str
    ran_at: dt.datetime
    matched: int
    variances: int


@frozen
class RoleView:
    role: Role
    sections: tuple[Section, ...]
    open_per_day: tuple[DayCount, ...]
    unbilled_by_age: tuple[AgeBucket, ...] = ()
    unbilled: tuple[UnbilledEntry, ...] = ()
    control_runs: tuple[ControlRun, ...] = ()

    def business_keys(self) -> frozenset[str]:
        items = {item.business_key for section in self.sections for item in section.items}
        return frozenset(items | {entry.business_key for entry in self.unbilled})


@frozen
class LineageEntry:
    at: dt.datetime
    kind: str  # call, saga step, exception
    what: str
    outcome: str
    detail: str


class DashboardQueries(Protocol):
    def open_exceptions(self, owner: OwnerRole, limit: int) -> list[Item]: ...
    def exception_spans(self, owner: OwnerRole, since: dt.datetime) -> list[ExceptionSpan]:
        """Exceptions of `owner` opened before now and not closed before `since`."""
        ...

    def unbilled_totals(
        self, approved_after: dt.datetime | None, approved_until: dt.datetime | None
    ) -> list[UnbilledTotal]:
        """Approved time not yet invoiced, approved in (after, until], per currency."""
        ...

    def oldest_unbilled(self, limit: int) -> list[UnbilledEntry]: ...
    def control_runs(self, limit: int) -> list[ControlRun]: ...
    def lineage(self, business_key: str) -> list[LineageEntry]: ...


@frozen
class Sectioning:
    title: str
    reasons: frozenset[str] = frozenset()
    workflows: frozenset[str] = frozenset()

    def takes(self, item: Item) -> bool:
        return item.reason_code in self.reasons or item.workflow in self.workflows


def reasons(*codes: ReasonCode | str) -> frozenset[str]:
    return frozenset(code.value if isinstance(code, ReasonCode) else code for code in codes)


def workflows(*names: Workflow) -> frozenset[str]:
    return frozenset(name.value for name in names)


# RECONCILIATION_VARIANCE: what the reconciliation controls park (application.controls).
VARIANCES = reasons(
    ReasonCode.LEDGER_VARIANCE, ReasonCode.PAYMENT_UNMATCHED, "RECONCILIATION_VARIANCE"
)
SECTIONS: dict[Role, tuple[Sectioning, ...]] = {
    Role.FINANCE: (
        Sectioning("Reconciliation variances", reasons=VARIANCES),
        Sectioning("Invoice posting errors", workflows=workflows(Workflow.INVOICE_TO_ERP)),
    ),
    Role.PMO: (
        Sectioning(
            "Failed project creation",
            reasons=reasons(ReasonCode.PSA_PROVISIONING_FAILED),
            workflows=workflows(Workflow.CLOSED_WON_TO_ENGAGEMENT),
        ),
    ),
    Role.SALES_OPS: (
        Sectioning(
            "Customer master mismatches",
            reasons=reasons(ReasonCode.CUSTOMER_MASTER_MISMATCH),
        ),
        Sectioning(
            "Rejected deals",
            reasons=reasons(ReasonCode.VENDOR_EVENT_REJECTED),
            workflows=workflows(Workflow.CLOSED_WON_TO_ENGAGEMENT),
        ),
    ),
}
OTHERS = "Other open items"


def roles_of(viewer: Principal) -> tuple[Role, ...]:
    """The dashboard roles `viewer` holds; refused if it holds none or sees only some entities."""
    if viewer.system not in VIEWERS:
        raise CallerNotAllowed(
            f"a {viewer.system.value} caller may not open the dashboard",
            keys={"system": viewer.system.value},
        )
    if not viewer.sees_every_legal_entity():
        raise LegalEntityNotAllowed(
            "the dashboard spans every legal entity; a caller limited to some may not open it",
            keys={"subject": viewer.subject},
        )
    held = tuple(role for role in Role if role.scope in viewer.scopes)
    if not held:
        raise CallerNotAllowed(
            "the token grants no dashboard role (scope dashboard:finance, dashboard:pmo or "
            "dashboard:sales-ops)",
            keys={"subject": viewer.subject},
        )
    return held


def role_view(
    viewer: Principal, role: Role, queries: DashboardQueries, now: dt.datetime
) -> RoleView:
    if role not in roles_of(viewer):
        raise CallerNotAllowed(
            f"the token does not grant the {role.value} view",
            keys={"subject": viewer.subject, "role": role.value},
        )
    items = queries.open_exceptions(role.owner, ITEM_LIMIT)
    since = day_start(now) - dt.timedelta(days=CHART_DAYS - 1)
    view = RoleView(
        role=role,
        sections=sections_of(role, items),
        open_per_day=open_per_day(queries.exception_spans(role.owner, since), now),
    )
    if role is Role.PMO:
        return pmo_view(view, queries, now)
    if role is Role.FINANCE:
        return finance_view(view, queries)
    return view


def pmo_view(view: RoleView, queries: DashboardQueries, now: dt.datetime) -> RoleView:
    return RoleView(
        role=view.role,
        sections=view.sections,
        open_per_day=view.open_per_day,
        unbilled_by_age=unbilled_by_age(queries, now),
        unbilled=tuple(queries.oldest_unbilled(ITEM_LIMIT)),
    )


def finance_view(view: RoleView, queries: DashboardQueries) -> RoleView:
    return RoleView(
        role=view.role,
        sections=view.sections,
        open_per_day=view.open_per_day,
        control_runs=tuple(reversed(queries.control_runs(CHART_DAYS * 4))),
    )


def sections_of(role: Role, items: Sequence[Item]) -> tuple[Section, ...]:
    left = list(items)
    found = []
    for sectioning in SECTIONS[role]:
        taken = [item for item in left if sectioning.takes(item)]
        left = [item for item in left if item not in taken]
        found.append(Section(sectioning.title, tuple(taken)))
    if left:
        found.append(Section(OTHERS, tuple(left)))
    return tuple(found)


def open_per_day(spans: Sequence[ExceptionSpan], now: dt.datetime) -> tuple[DayCount, ...]:
    """How many were open at the end of each of the last days (now, for today)."""
    today = day_start(now)
    ends = [today - dt.timedelta(days=back - 1) for back in range(CHART_DAYS - 1, 0, -1)]
    ends.append(now)
    return tuple(
        DayCount((end - dt.timedelta(microseconds=1)).date(), open_at(spans, end)) for end in ends
    )


def open_at(spans: Sequence[ExceptionSpan], at: dt.datetime) -> int:
    return sum(
        1
        for span in spans
        if span.opened_at < at and (span.closed_at is None or span.closed_at >= at)
    )


def unbilled_by_age(queries: DashboardQueries, now: dt.datetime) -> tuple[AgeBucket, ...]:
    buckets = []
    for youngest, oldest in AGE_BUCKETS:
        until = now - dt.timedelta(days=youngest)
        after = None if oldest is None else now - dt.timedelta(days=oldest + 1)
        label = f"over {youngest - 1} days" if oldest is None else f"{youngest} to {oldest} days"
        buckets.append(AgeBucket(label, tuple(queries.unbilled_totals(after, until))))
    return tuple(buckets)


def lineage(
    viewer: Principal,
    business_key: str,
    queries: DashboardQueries,
    now: dt.datetime,
    readers: LineageReaders | None = None,
) -> list[LineageEntry]:
    """The timeline of a key the viewer's roles show; any other key does not exist for it.

    A key of an engagement gets its whole lineage (every related key); any other key, e.g. an
    account whose customer master differs, what was recorded under that key itself."""
    visible = any(
        business_key in role_view(viewer, role, queries, now).business_keys()
        for role in roles_of(viewer)
    )
    if not visible:
        raise NotFound(
            f"no item {business_key!r} in your dashboard", keys={"business_key": business_key}
        )
    if readers is not None:
        with contextlib.suppress(NotFound):
            found = get_lineage(business_key, viewer, readers)
            return [entry_of(entry) for entry in found.entries]
    return queries.lineage(business_key)


def entry_of(entry: lineage_entries.LineageEntry) -> LineageEntry:
    what = " ".join(filter(None, (entry.system, entry.operation)))
    facts = (
        f"attempt {entry.attempt}" if entry.attempt else "",
        f"{entry.latency_ms} ms" if entry.latency_ms else "",
        entry.detail,
    )
    kind = entry.kind.value.replace("_", " ")
    return LineageEntry(entry.at, kind, what, entry.status, ", ".join(filter(None, facts)))


def day_start(at: dt.datetime) -> dt.datetime:
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


Clock = Callable[[], dt.datetime]
