from __future__ import annotations

import pytest

from application.approve_billable_event import BillingPorts
from application.create_engagement import ProvisioningPorts
from application.ports import LegalEntity
from application.retry import RetryPolicy
from domain.ownership import OwnershipMatrix
from unit.fakes import FakeClock, FakeCrm, FakeErp, FakePsa, FakeUnitOfWork, SequentialIds, Store

US_ENTITY = LegalEntity("US01", "USMF", "US-EIN-12-3456789")


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def erp() -> FakeErp:
    return FakeErp({"US01": US_ENTITY})


@pytest.fixture
def psa() -> FakePsa:
    return FakePsa()


@pytest.fixture
def crm() -> FakeCrm:
    return FakeCrm()


@pytest.fixture
def provisioning(
    store: Store, erp: FakeErp, psa: FakePsa, crm: FakeCrm, clock: FakeClock
) -> ProvisioningPorts:
    return ProvisioningPorts(
        uow_factory=lambda: FakeUnitOfWork(store),
        master_data=erp,
        customers=erp,
        psa=psa,
        crm=crm,
        clock=clock,
        ids=SequentialIds("eng"),
        retry=RetryPolicy(attempts=3, first_delay=0.5),
    )


@pytest.fixture
def billing(store: Store, clock: FakeClock) -> BillingPorts:
    return BillingPorts(
        uow_factory=lambda: FakeUnitOfWork(store),
        clock=clock,
        ids=SequentialIds("be"),
        ownership=OwnershipMatrix.default(),
    )
