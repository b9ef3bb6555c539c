"""Which engine bills a legal entity is reference data: o2c's own unless the entity's row names
an external billing platform, and a name o2c does not know stops the file loading."""

from __future__ import annotations

import pytest

from adapters.reference.billing_reference import (
    BillingReferenceError,
    load_billing_reference,
    parse_billing_reference,
)

TWO_ENTITIES = """
[legal_entities.US01]
country = "US"

[legal_entities.GB01]
country = "GB"
{gb_engine}
"""


def a_file(gb_engine: str = "") -> str:
    return TWO_ENTITIES.format(gb_engine=gb_engine)


def test_an_entity_that_names_zuora_is_billed_by_zuora():
    reference = parse_billing_reference(a_file('billing_platform = "zuora"'))

    assert reference.billing_platform("GB01") == "zuora"


def test_an_entity_that_names_no_platform_is_billed_by_o2c():
    reference = parse_billing_reference(a_file('billing_platform = "zuora"'))

    assert reference.billing_platform("US01") == "o2c"


def test_an_entity_may_name_o2c_itself():
    assert parse_billing_reference(a_file('billing_platform = "o2c"')).billing_platform("GB01") == (
        "o2c"
    )


@pytest.mark.parametrize("value", ['"netsuite"', '"Zuora"', "true", '""'])
def test_an_unknown_platform_stops_loading_naming_the_row_and_key(value):
    with pytest.raises(BillingReferenceError, match=r"legal_entities\.GB01\.billing_platform"):
        parse_billing_reference(a_file(f"billing_platform = {value}"))


def test_the_packaged_file_bills_every_entity_with_o2c():
    reference = load_billing_reference("")

    assert {reference.billing_platform(code) for code in reference.legal_entities} == {"o2c"}
