"""What the sandbox vendors keep beyond their ports' contracts (tests/contracts): the records'
details, as a vendor's user would see them."""

from __future__ import annotations

import pytest
from contracts.builders import a_link, a_project

from adapters.vendors.sandbox.crm import SandboxCrm
from adapters.vendors.sandbox.erp import parse_legal_entities
from adapters.vendors.sandbox.psa import SandboxPsa
from adapters.vendors.sandbox.records import SandboxRecords
from application.ports import LegalEntity


def test_a_project_keeps_the_details_it_was_last_sent_with(engine):
    psa, records = SandboxPsa(SandboxRecords(engine, "psa")), SandboxRecords(engine, "psa")
    project_id = psa.create_project(a_project("NA"))
    assert records.payload("project", project_id)["region"] == "NA"
    assert records.payload("project", project_id)["start_date"] == "2026-12-01"


def test_a_removed_project_has_no_record_left_to_read(engine):
    psa, records = SandboxPsa(SandboxRecords(engine, "psa")), SandboxRecords(engine, "psa")
    project_id = psa.create_project(a_project())
    psa.remove_project(project_id)
    assert records.payload("project", project_id) is None


def test_the_crm_opportunity_shows_the_latest_engagement_status(engine):
    crm, records = SandboxCrm(SandboxRecords(engine, "crm")), SandboxRecords(engine, "crm")
    record = crm.record_engagement(a_link(status="pending_data"))
    crm.record_engagement(a_link(status="active"))
    assert records.payload("opportunity", record)["engagement_status"] == "active"


def test_legal_entity_mappings_are_read_from_configuration():
    assert parse_legal_entities("US01=USMF:US-1, GB01=GBSI:") == {
        "US01": LegalEntity("US01", "USMF", "US-1"),
        "GB01": LegalEntity("GB01", "GBSI", None),
    }
    with pytest.raises(ValueError, match="CODE=ERP_ENTITY:TAX_ID"):
        parse_legal_entities("US01")
