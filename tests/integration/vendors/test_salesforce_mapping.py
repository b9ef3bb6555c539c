"""Which Salesforce field holds what is the firm's mapping file: another firm's field names need
no code, and a file o2c cannot use is refused on loading with its table and key named."""

from __future__ import annotations

from importlib import resources

import pytest
from contracts.vendor_worlds import a_deal
from support.salesforce import a_salesforce_world

from adapters.vendors.salesforce.mapping import (
    PACKAGED_FILE,
    SalesforceMappingError,
    load_mapping,
    parse_mapping,
)
from simulators.salesforce_schema import Field, default_schemas

PACKAGED = resources.files("adapters.vendors.salesforce").joinpath(PACKAGED_FILE).read_text()


def firms_mapping(*replacements: tuple[str, str]) -> str:
    text = PACKAGED
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new, 1)
    return text


def test_the_packaged_mapping_loads_and_carries_the_accounts_industry():
    mapping = load_mapping()

    assert mapping.opportunity["legal_entity_code"] == "o2c_Legal_Entity__c"
    assert mapping.account.extensions == {"Industry": "Industry"}


def test_a_firm_whose_legal_entity_is_in_another_custom_field_needs_no_code():
    schemas = default_schemas()
    schemas.add_fields(
        "Opportunity", Field("Contracting_Entity__c", length=10), Field("Sales_Region__c")
    )
    mapping = parse_mapping(
        firms_mapping(
            ('legal_entity_code = "o2c_Legal_Entity__c"',
             'legal_entity_code = "Contracting_Entity__c"'),
            ("extensions = []", 'extensions = { region = "Sales_Region__c" }'),
        )
    )  # fmt: skip
    world = a_salesforce_world(mapping=mapping, schemas=schemas)
    deal = a_deal(extensions={"Industry": "Manufacturing", "region": "AMER"})
    try:
        world.close_deal(deal)
        read = world.crm.deal("006-ACME-1")
        stored = world.org.record("Opportunity", "006-ACME-1")
    finally:
        world.close()

    assert read == deal
    assert stored is not None and stored["Contracting_Entity__c"] == "US01"


def test_a_firms_picklist_values_are_read_in_o2cs_words():
    mapping = parse_mapping(
        PACKAGED + '\n[values.billing_method]\n"Time & Materials" = "time_and_materials"\n'
    )
    world = a_salesforce_world(mapping=mapping)
    try:
        world.close_deal(a_deal())
        stored = world.org.record("Opportunity", "006-ACME-1")
        read = world.crm.deal("006-ACME-1")
    finally:
        world.close()

    assert stored is not None and stored["o2c_Billing_Method__c"] == "Time & Materials"
    assert read is not None and read.billing_method == "time_and_materials"


@pytest.mark.parametrize(
    ("replacement", "named"),
    [
        (('legal_entity_code = "o2c_Legal_Entity__c"\n', ""), "opportunity: legal_entity_code"),
        (('role = "o2c_Role__c"', 'role = "Role Name"'), r"rate_card\.role"),
        (('object = "o2c_Work_Package__c"', 'objekt = "x"'), "work_packages: unknown key 'objekt'"),
        (('extensions = ["Industry"]', "extensions = 3"), r"account\.extensions"),
        (('as_of = "o2c_As_Of__c"', 'as_of = "x; DROP"'), r"payment_status\.as_of"),
    ],
)
def test_a_mapping_that_cannot_be_used_is_refused_naming_its_table_and_key(
    tmp_path, replacement, named
):
    path = tmp_path / "salesforce.toml"
    path.write_text(firms_mapping(replacement))

    with pytest.raises(SalesforceMappingError, match=named):
        load_mapping(str(path))


def test_an_extension_named_twice_is_refused():
    text = firms_mapping(("extensions = []", 'extensions = ["Industry"]'))

    with pytest.raises(SalesforceMappingError, match=r"account\.extensions"):
        parse_mapping(text)
