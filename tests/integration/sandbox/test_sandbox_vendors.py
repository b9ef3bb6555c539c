from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

from adapters.vendors.sandbox.crm import SandboxCrm
from adapters.vendors.sandbox.erp import SandboxErp, parse_legal_entities
from adapters.vendors.sandbox.psa import SandboxPsa
from adapters.vendors.sandbox.records import SandboxRecords
from application.ports import CustomerRequest, EngagementLink, LegalEntity, ProjectRequest


def a_project(code: str = "NA") -> ProjectRequest:
    return ProjectRequest(
        external_id=f"eng-1:{code}",
        engagement_id="eng-1",
        opportunity_id="006-ACME-1",
        account_id="001-ACME",
        name=f"Acme Corp - {code} rollout",
        region=code,
        start_date=dt.date(2026, 12, 1),
        end_date=dt.date(2027, 5, 31),
    )


def a_customer(legal_entity: str = "USMF") -> CustomerRequest:
    return CustomerRequest("001-ACME", "Acme Corp", legal_entity, "US-EIN-12-3456789", "USD")


@pytest.fixture
def psa(engine) -> SandboxPsa:
    return SandboxPsa(SandboxRecords(engine, "psa"))


@pytest.fixture
def erp(engine) -> SandboxErp:
    return SandboxErp(SandboxRecords(engine, "erp"), parse_legal_entities("US01=USMF:US-1"))


def test_a_project_sent_twice_with_one_external_id_is_one_project(psa, engine):
    first = psa.create_project(a_project())
    assert psa.create_project(a_project()) == first
    assert psa.create_project(a_project("EU")) != first
    assert SandboxRecords(engine, "psa").payload("project", first)["region"] == "NA"


def test_a_project_created_by_many_callers_at_once_is_one_project(psa):
    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = set(pool.map(lambda _: psa.create_project(a_project()), range(6)))
    assert len(ids) == 1


def test_a_removed_project_is_gone_and_comes_back_under_a_new_id(psa, engine):
    first = psa.create_project(a_project())
    psa.remove_project(first)

    assert SandboxRecords(engine, "psa").payload("project", first) is None
    assert psa.create_project(a_project()) != first


def test_a_customer_is_found_by_account_within_its_legal_entity(erp):
    number = erp.upsert_customer(a_customer())

    assert erp.find_customer("001-ACME", "USMF") == number
    assert erp.find_customer("001-ACME", "GBSI") is None
    assert erp.upsert_customer(a_customer()) == number


def test_a_removed_customer_is_no_longer_found(erp):
    erp.remove_customer(erp.upsert_customer(a_customer()))
    assert erp.find_customer("001-ACME", "USMF") is None


def test_the_crm_opportunity_shows_the_latest_engagement_status(engine):
    crm, records = SandboxCrm(SandboxRecords(engine, "crm")), SandboxRecords(engine, "crm")
    record = crm.record_engagement(EngagementLink("006-ACME-1", "eng-1", "pending_data", "x-1"))
    crm.record_engagement(EngagementLink("006-ACME-1", "eng-1", "active", None))

    assert records.payload("opportunity", record)["engagement_status"] == "active"


def test_legal_entity_mappings_are_read_from_configuration():
    assert parse_legal_entities("US01=USMF:US-1, GB01=GBSI:") == {
        "US01": LegalEntity("US01", "USMF", "US-1"),
        "GB01": LegalEntity("GB01", "GBSI", None),
    }
    with pytest.raises(ValueError, match="CODE=ERP_ENTITY:TAX_ID"):
        parse_legal_entities("US01")
