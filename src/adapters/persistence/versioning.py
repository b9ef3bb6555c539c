"""The engagement's version is the whole aggregate's: changing one of its work packages (a row
of their own) bumps it too, so two requests editing the same package cannot both win.

Its ERP customer accounts are the exception: they are the ERPs' records, each kept by key
(erp, erp_legal_entity), last number wins; a posting records one without moving the version,
so that it never conflicts with a change order committed meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session, attributes
from sqlalchemy.orm.util import identity_key

from domain.engagement import Engagement, WorkPackage


def bump_versions_of_changed_aggregates(
    session: Session, _flush_context: object, _instances: object
) -> None:
    for engagement in set(engagements_with_changed_packages(session)):
        engagement.version += 1


def engagements_with_changed_packages(session: Session) -> Iterator[Engagement]:
    for instance in session.dirty:
        if isinstance(instance, Engagement) and packages_added_or_removed(instance):
            yield instance
        elif isinstance(instance, WorkPackage) and session.is_modified(instance):
            owner = owner_of(session, instance)
            if owner is not None:
                yield owner


def packages_added_or_removed(engagement: Engagement) -> bool:
    return attributes.get_history(engagement, "work_packages").has_changes()


def owner_of(session: Session, package: WorkPackage) -> Any:
    engagement_id = package.engagement_id  # type: ignore[attr-defined]
    return session.identity_map.get(identity_key(Engagement, engagement_id))
