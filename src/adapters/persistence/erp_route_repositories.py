"""ERP route books and the audit of their changes over one session. A book is read FOR
UPDATE on PostgreSQL, so two admins setting one legal entity's route take turns; the audit
is plain rows, written and read with SQL of its own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from adapters.persistence.repositories import AggregateRepository
from adapters.persistence.tables import erp_route_books, erp_route_changes
from application.ports import RouteChange
from domain.erp_routing import RouteBook

CHANGES = erp_route_changes


class SqlErpRouteBooks(AggregateRepository[RouteBook]):
    aggregate = RouteBook

    def get(self, legal_entity_code: str) -> RouteBook | None:
        query = select(RouteBook).filter_by(legal_entity_code=legal_entity_code).with_for_update()
        return self._seen(self.session.scalars(query).one_or_none())

    def all(self) -> list[RouteBook]:
        query = select(RouteBook).order_by(erp_route_books.c.legal_entity_code)
        return self._all_seen(self.session.scalars(query))


class SqlRouteChanges:
    def __init__(self, session: Any) -> None:
        self.session = session

    def add(self, change: RouteChange) -> None:
        self.session.execute(
            insert(CHANGES).values(
                legal_entity_code=change.legal_entity_code,
                set_by=change.set_by,
                set_at=change.set_at,
                previous_route=change.previous,
                new_route=change.route,
            )
        )

    def of_entity(self, legal_entity_code: str, after: int, limit: int) -> list[RouteChange]:
        query = select(CHANGES).where(CHANGES.c.legal_entity_code == legal_entity_code)
        if after:
            query = query.where(CHANGES.c.seq < after)
        rows = self.session.execute(query.order_by(CHANGES.c.seq.desc()).limit(limit))
        return [
            RouteChange(
                legal_entity_code=row.legal_entity_code,
                set_by=row.set_by,
                set_at=row.set_at,
                previous=row.previous_route,
                route=row.new_route,
                seq=row.seq,
            )
            for row in rows
        ]
