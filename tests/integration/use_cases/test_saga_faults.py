"""Provisioning killed at every boundary on a real database, then resumed by a fresh worker:
the engagement ends fully provisioned or fully compensated, and nothing is made twice."""

from __future__ import annotations

import attrs
import pytest
from sqlalchemy import func, select
from support.builders import closed_won, integration
from support.faults import Fuse, ProcessDied, fused

from adapters.persistence.tables import sandbox_records as records
from application.create_engagement import create_service_engagement, saga_runner
from application.errors import VendorRejected
from application.queries import get_engagement
from domain.engagement import EngagementStatus

FEWEST_BOUNDARIES = 30


class RefusingPsa:
    """The sandbox PSA, refusing the Europe project for good."""

    def __init__(self, psa) -> None:
        self.psa = psa

    def create_project(self, request):
        if request.region == "EMEA":
            raise VendorRejected("psa", "400 REGION_CLOSED")
        return self.psa.create_project(request)

    def remove_project(self, project_id):
        self.psa.remove_project(project_id)


def made(engine, system: str, external_id_like: str, *, live: bool) -> int:
    """How many records the sandbox ever made (or still has) under these external ids."""
    query = select(func.count()).where(
        records.c.system == system, records.c.external_id.like(external_id_like)
    )
    if live:
        query = query.where(records.c.removed_at.is_(None))
    with engine.connect() as connection:
        return connection.execute(query).scalar_one()


def killed_and_resumed(blows_at: int, provisioning) -> tuple[bool, str]:
    opportunity = closed_won(
        request_id=f"sweep-{blows_at}",
        opportunity_id=f"006-SWEEP-{blows_at}",
        account_id=f"001-SWEEP-{blows_at}",
    )
    fuse = Fuse(blows_at)
    dying = fused(attrs.evolve(provisioning, lease_seconds=0), fuse)
    try:
        create_service_engagement(opportunity, dying)
    except ProcessDied:
        saga_runner(provisioning).resume_abandoned()
    return fuse.blown, create_service_engagement(opportunity, provisioning)


@pytest.mark.parametrize("refused", [False, True], ids=["provisioned", "compensated"])
def test_killed_at_every_boundary_provisioning_ends_whole_or_undone(provisioning, engine, refused):
    ports = (
        attrs.evolve(provisioning, psa=RefusingPsa(provisioning.psa)) if refused else provisioning
    )
    blows_at, blown = 0, True
    while blown:
        blows_at += 1
        blown, engagement_id = killed_and_resumed(blows_at, ports)
        status = get_engagement(
            engagement_id, ports.uow_factory, integration("crm")
        ).engagement.status
        projects = f"{engagement_id}:%"
        customer = f"USMF/001-SWEEP-{blows_at}"
        if refused:
            assert status is EngagementStatus.PROVISIONING_FAILED, blows_at
            assert made(engine, "psa", projects, live=True) == 0, blows_at
            assert made(engine, "erp", customer, live=True) == 0, blows_at
        else:
            assert status is EngagementStatus.ACTIVE, blows_at
            assert made(engine, "psa", projects, live=False) == 2, blows_at
            assert made(engine, "erp", customer, live=False) == 1, blows_at
            assert made(engine, "psa", projects, live=True) == 2, blows_at
    assert blows_at > FEWEST_BOUNDARIES
