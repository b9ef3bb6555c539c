"""Which field of Certinia's objects holds what is the firm's mapping file: another firm's
fields need no code, extensions are carried, and a file o2c cannot use is refused on loading
with its table and key named."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest
from contracts.builders import a_project
from contracts.vendor_worlds import time_approved
from support.certinia import a_certinia_world

from adapters.vendors.certinia.mapping import (
    PACKAGED_FILE,
    CertiniaMappingError,
    load_mapping,
    parse_mapping,
)
from simulators.certinia import certinia_schemas
from simulators.salesforce_schema import Field

PACKAGED = resources.files("adapters.vendors.certinia").joinpath(PACKAGED_FILE).read_text()
DAY = dt.date(2026, 12, 10)


def firms_mapping(*replacements: tuple[str, str]) -> str:
    text = PACKAGED
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new, 1)
    return text


def test_the_packaged_mapping_reads_the_role_from_the_timecards_assignment():
    mapping = load_mapping()

    assert mapping.timecards["role"] == "pse__Timecard_Header__r.pse__Assignment__r.pse__Role__c"
    assert mapping.project.fixed == {"pse__Project_Type__c": "Customer Project"}


def test_a_firm_keying_projects_and_roles_in_its_own_fields_needs_no_code():
    schemas = certinia_schemas()
    schemas.add_fields("pse__Proj__c", Field("Acme_Key__c", external_id=True, unique=True))
    schemas.add_fields("Contact", Field("Acme_Practice_Role__c"))
    mapping = parse_mapping(
        firms_mapping(
            ('external_id = "o2c_External_Id__c"', 'external_id = "Acme_Key__c"'),
            ('role = "pse__Timecard_Header__r.pse__Assignment__r.pse__Role__c"',
             'role = "pse__Timecard_Header__r.pse__Assignment__r.pse__Resource__r.'
             'Acme_Practice_Role__c"'),
            ('billed = "pse__Billed__c" }',
             'billed = "pse__Billed__c", region = "pse__Timecard_Header__r.pse__Project__r.'
             'o2c_Region__c" }'),
        )
    )  # fmt: skip
    world = a_certinia_world(mapping=mapping, schemas=schemas)
    try:
        project_id = world.psa.create_project(a_project("EU"))
        world.desk.resource("Ada Lovelace", Acme_Practice_Role__c="architect")
        world.approve(time_approved("TC-1", project_id=project_id, role="consultant"), DAY)
        (item,) = world.psa.approved_work(DAY, "", 10).items
        project = world.org.record("pse__Proj__c", project_id)
    finally:
        world.close()

    assert project is not None and project["Acme_Key__c"] == "eng-1:EU"
    assert (item.role, item.extensions["region"]) == ("architect", "EU")


@pytest.mark.parametrize(
    ("replacement", "named"),
    [
        (('external_id = "o2c_External_Id__c"\nname', "name"), "project: external_id is missing"),
        (('hours = "pse__Total_Hours__c"', 'hours = "Total Hours"'), r"timecards\.hours"),
        (('object = "o2c_Change_Order__c"', 'objekt = "x"'), "change_orders: unknown key 'objekt'"),
        (('extensions = { billable = "pse__Billable__c" }', "extensions = 3"),
         r"expenses\.extensions"),
        (('amount = "pse__Milestone_Amount__c"', 'amount = "pse__Proj__r.pse__Amount__c"'),
         r"milestones\.amount"),
        (('role = "pse__Timecard_Header__r.pse__Assignment__r.pse__Role__c"',
          'role = "pse__Timecard_Header__c.pse__Role__c"'), r"timecards\.role"),
        (('approved_when = { pse__Status__c = "Approved" }\napproved_on = "LastModifiedDate"\n'
          'project = "pse__Project__c"', 'project = "pse__Project__c"'),
         "expenses: approved_on, approved_when is missing"),
    ],
)  # fmt: skip
def test_a_mapping_that_cannot_be_used_is_refused_naming_its_table_and_key(
    tmp_path, replacement, named
):
    path = tmp_path / "certinia.toml"
    path.write_text(firms_mapping(replacement))

    with pytest.raises(CertiniaMappingError, match=named):
        load_mapping(str(path))
