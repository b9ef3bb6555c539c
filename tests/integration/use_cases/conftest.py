"""The use cases on real infrastructure: a migrated database, the sandbox vendors, real NATS."""

from __future__ import annotations

import functools
import uuid

import pytest
from sqlalchemy import Engine

from adapters.messaging.event_codec import encode
from adapters.persistence.engine import session_factory
from adapters.persistence.uow import SqlAlchemyUnitOfWork
from adapters.reference.billing_reference import load_billing_reference
from adapters.vendors.sandbox.crm import SandboxCrm
from adapters.vendors.sandbox.erp import SandboxErp, parse_legal_entities
from adapters.vendors.sandbox.psa import SandboxPsa
from adapters.vendors.sandbox.records import SandboxRecords
from application.billing_ports import BillingPorts
from application.create_engagement import ProvisioningPorts
from application.retry import RetryPolicy
from domain.ownership import OwnershipMatrix
from entrypoints.system import SystemClock, UuidIds

LEGAL_ENTITIES = "US01=USMF:US-EIN-12-3456789,GB01=GBSI:,JP01=JPMF:,KW01=KWMF:"


@pytest.fixture
def subject_root() -> str:
    """Subjects of the test's own, so its stream never overlaps another on a shared server."""
    return f"o2ctest{uuid.uuid4().hex[:10]}"


@pytest.fixture
def uow_factory(engine: Engine, subject_root: str):
    encoder = functools.partial(encode, prefix=f"{subject_root}.v1")
    return functools.partial(SqlAlchemyUnitOfWork, session_factory(engine), encoder)


@pytest.fixture
def erp(engine: Engine) -> SandboxErp:
    return SandboxErp(SandboxRecords(engine, "erp"), parse_legal_entities(LEGAL_ENTITIES))


@pytest.fixture
def psa(engine: Engine) -> SandboxPsa:
    return SandboxPsa(SandboxRecords(engine, "psa"))


@pytest.fixture
def crm(engine: Engine) -> SandboxCrm:
    return SandboxCrm(SandboxRecords(engine, "crm"))


@pytest.fixture
def provisioning(uow_factory, erp, psa, crm) -> ProvisioningPorts:
    return ProvisioningPorts(
        uow_factory=uow_factory,
        master_data=erp,
        customers=erp,
        psa=psa,
        crm=crm,
        clock=SystemClock(),
        ids=UuidIds(),
        retry=RetryPolicy(attempts=3, first_delay=0.01),
    )


@pytest.fixture
def billing(uow_factory, psa) -> BillingPorts:
    return BillingPorts(
        uow_factory=uow_factory,
        clock=SystemClock(),
        ids=UuidIds(),
        ownership=OwnershipMatrix.default(),
        reference=load_billing_reference(""),
        psa=psa,
        change_orders=psa,
    )
