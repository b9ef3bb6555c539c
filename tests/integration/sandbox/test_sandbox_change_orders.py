"""The sandbox PSA hears of an amendment as a change order on the project: once per engagement
version, however often it is sent."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import attrs

from adapters.vendors.sandbox.psa import SandboxPsa
from adapters.vendors.sandbox.records import SandboxRecords
from application.billing_ports import ChangeOrder


def a_change_order(version: int = 1, engagement_id: str = "eng-1") -> ChangeOrder:
    return ChangeOrder(
        external_id=f"{engagement_id}:v{version}",
        project_id="PRJ-NA",
        engagement_id=engagement_id,
        version=version,
        effective_on="2027-01-01",
        summary="NA rollout: senior consultant rate 1500.00 USD from 1 January",
    )


def test_a_change_order_sent_twice_is_one_change_order(engine):
    psa = SandboxPsa(SandboxRecords(engine, "psa"))
    assert psa.apply_change_order(a_change_order()) == psa.apply_change_order(a_change_order())


def test_each_version_of_an_engagement_is_its_own_change_order(engine):
    psa = SandboxPsa(SandboxRecords(engine, "psa"))
    ids = {
        psa.apply_change_order(a_change_order(1)),
        psa.apply_change_order(a_change_order(2)),
        psa.apply_change_order(a_change_order(1, engagement_id="eng-2")),
    }
    assert len(ids) == 3


def test_the_change_order_shows_the_project_what_changed_and_from_when(engine):
    psa, records = SandboxPsa(SandboxRecords(engine, "psa")), SandboxRecords(engine, "psa")
    retried = attrs.evolve(a_change_order(2), summary="NA rollout: cap raised to 90000.00 USD")
    psa.apply_change_order(a_change_order(2))
    change_order_id = psa.apply_change_order(retried)
    assert records.payload("change_order", change_order_id) == {
        "project_id": "PRJ-NA",
        "engagement_id": "eng-1",
        "version": 2,
        "effective_on": "2027-01-01",
        "summary": "NA rollout: cap raised to 90000.00 USD",
    }


def test_a_change_order_sent_by_many_callers_at_once_is_one_change_order(engine):
    psa = SandboxPsa(SandboxRecords(engine, "psa"))
    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = set(pool.map(lambda _: psa.apply_change_order(a_change_order()), range(6)))
    assert len(ids) == 1
