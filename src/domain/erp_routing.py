"""Which ERP a legal entity's invoices post to, from which day: data, set by an admin, never
known upstream. A route is single (one ERP) or dual-write (a primary, the financial record, and
a shadow that mirrors it during a pilot)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Sequence

from attrs import define, field, frozen

from domain.errors import InvalidField, NotFound, UnknownValue
from domain.events import AggregateRef, BusinessKey, BusinessKeyKind, Event


class Erp(enum.Enum):
    LEGACY = "legacy"
    NETSUITE = "netsuite"
    DYNAMICS365 = "dynamics365"
    SANDBOX = "sandbox"


class RouteMode(enum.Enum):
    SINGLE = "single"
    DUAL_WRITE = "dual_write"


@frozen
class ErpTarget:
    """One ERP, and the code it knows the legal entity by (a NetSuite subsidiary id, a
    Dynamics dataAreaId, a legacy operating unit)."""

    erp: Erp
    erp_legal_entity: str


@frozen
class ErpRoute:
    legal_entity_code: str
    effective_from: dt.date
    primary: ErpTarget
    shadow: ErpTarget | None = None

    @property
    def mode(self) -> RouteMode:
        return RouteMode.SINGLE if self.shadow is None else RouteMode.DUAL_WRITE

    @property
    def targets(self) -> tuple[ErpTarget, ...]:
        return (self.primary,) if self.shadow is None else (self.primary, self.shadow)

    def check(self) -> None:
        for name, target in (("primary", self.primary), ("shadow", self.shadow)):
            if target is not None and not target.erp_legal_entity.strip():
                raise InvalidField(
                    f"the {name} ERP's code for the legal entity is required",
                    field=f"route.{name}.erp_legal_entity",
                )
        if self.shadow is not None and self.shadow.erp is self.primary.erp:
            raise InvalidField(
                f"a dual-write mirrors the primary in another ERP, not in {self.primary.erp.value}",
                field="route.shadow.erp",
                keys={"erp": self.primary.erp.value},
            )


@frozen(kw_only=True)
class ErpRouteSet(Event):
    """Who changed a legal entity's route, when, from what to what."""

    legal_entity_code: str
    set_by: str
    previous: ErpRoute | None
    route: ErpRoute

    @property
    def aggregate(self) -> AggregateRef:
        return AggregateRef("erp_routes", self.legal_entity_code)

    @property
    def key(self) -> BusinessKey:
        return BusinessKey(BusinessKeyKind.LEGAL_ENTITY, self.legal_entity_code)


@define(slots=False, eq=False)
class RouteBook:
    """A legal entity's routes, in effective order: each takes over from the one before on its
    day. The first may start on any day; each later one after the last and from today on, so
    no day already routed, and no invoice already posted, is re-routed."""

    legal_entity_code: str
    routes: list[ErpRoute] = field(factory=list)
    version: int = 1
    events: list[Event] = field(factory=list)

    @classmethod
    def start(cls, legal_entity_code: str, known: Collection[str]) -> RouteBook:
        if legal_entity_code not in known:
            raise UnknownValue(
                f"o2c knows no legal entity {legal_entity_code!r}",
                field="route.legal_entity_code",
                keys={"legal_entity_code": legal_entity_code},
            )
        return cls(legal_entity_code)

    def set(self, route: ErpRoute, *, today: dt.date, set_by: str, now: dt.datetime) -> None:
        route.check()
        last = self.routes[-1] if self.routes else None
        if last is not None and route.effective_from < today:
            raise InvalidField(
                f"a new route takes effect from today, {today}, or later: invoices already "
                "posted stay where they are",
                field="route.effective_from",
                keys={"effective_from": route.effective_from.isoformat()},
            )
        if last is not None and route.effective_from <= last.effective_from:
            raise InvalidField(
                f"{self.legal_entity_code} is routed to {last.primary.erp.value} from "
                f"{last.effective_from}: a new route takes effect after that day",
                field="route.effective_from",
                keys={"effective_from": route.effective_from.isoformat()},
            )
        self.routes = [*self.routes, route]
        self.events.append(
            ErpRouteSet(
                occurred_at=now,
                legal_entity_code=self.legal_entity_code,
                set_by=set_by,
                previous=last,
                route=route,
            )
        )

    def route_on(self, day: dt.date) -> ErpRoute:
        in_effect = route_in_effect(self.routes, day)
        if in_effect is None:
            raise NotFound(
                f"{self.legal_entity_code} has no ERP route on {day}",
                field="legal_entity_code",
                keys={"legal_entity_code": self.legal_entity_code, "on": day.isoformat()},
            )
        return in_effect


def route_in_effect(routes: Sequence[ErpRoute], day: dt.date) -> ErpRoute | None:
    in_effect = [route for route in routes if route.effective_from <= day]
    return in_effect[-1] if in_effect else None
