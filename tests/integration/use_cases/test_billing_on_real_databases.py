"""The billing worked examples again, on a migrated SQLite and PostgreSQL database with the
packaged billing reference data and the sandbox PSA: the same input, the same figures."""

from __future__ import annotations

import pytest
from attrs import evolve
from unit.test_billing_use_cases import *  # noqa: F403 - the same examples, on real storage

from application.billing_ports import ChangeOrder
from application.create_engagement import create_service_engagement, saga_runner


class RecordedChangeOrders:
    """The sandbox PSA's change orders, with a note of each one sent."""

    def __init__(self, psa) -> None:
        self.psa = psa
        self.orders: dict[str, ChangeOrder] = {}

    def apply_change_order(self, order: ChangeOrder) -> str:
        self.orders[order.external_id] = order
        return self.psa.apply_change_order(order)


@pytest.fixture
def change_orders(psa) -> RecordedChangeOrders:
    return RecordedChangeOrders(psa)


@pytest.fixture
def ports(billing, change_orders, provisioning):
    sagas = saga_runner(evolve(provisioning, change_orders=change_orders))
    return evolve(billing, change_orders=change_orders, sagas=sagas)


@pytest.fixture
def engage(provisioning):
    def engage(cmd) -> str:
        return create_service_engagement(cmd, provisioning)

    return engage
