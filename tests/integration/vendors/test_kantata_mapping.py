"""Which Kantata field holds each of o2c's words is the firm's configuration: another firm's
file changes what is read without a line of code, and a file o2c cannot use is refused at start
by its row and field."""

from __future__ import annotations

import datetime as dt

import pytest
from contracts.vendor_worlds import time_approved
from support.kantata import a_kantata_world

from adapters.vendors.kantata.mapping import KantataMappingError, load_mapping, parse_mapping

DAY = dt.date(2026, 12, 10)
A_FIRMS_MAPPING = """
[time_entries]
resource = "user.email_address"
role = "user.headline"

[time_entries.extensions]
practice = "workspace.title"

[expenses]
resource = "user.full_name"
category = "category"
currency = "currency"
"""


def test_a_firm_keeping_the_role_in_another_field_needs_no_code():
    world = a_kantata_world(mapping=parse_mapping(A_FIRMS_MAPPING))
    try:
        world.account.describe_user(
            "Ada Lovelace", email_address="ada@example.com", headline="architect"
        )
        world.approve(time_approved("TC-1", role="consultant"), DAY)

        (item,) = world.psa.approved_work(DAY, "", 10).items

        assert (item.resource, item.role) == ("ada@example.com", "architect")
        assert item.extensions == {"practice": "Delivery"}
    finally:
        world.close()


def test_the_packaged_mapping_reads_kantatas_own_user_and_role():
    mapping = load_mapping()

    assert mapping.time_entries.associations() == ["role", "user"]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (A_FIRMS_MAPPING.replace('"user.headline"', '"resource.headline"'), "time_entries.role"),
        (A_FIRMS_MAPPING.replace('currency = "currency"', ""), "expenses.currency"),
        (A_FIRMS_MAPPING.replace('"category"', "7"), "expenses.category"),
        (A_FIRMS_MAPPING + "\n[milestones]\n", "'milestones'"),
        (A_FIRMS_MAPPING.replace("practice =", "practice.x ="), "time_entries.extensions"),
    ],
)
def test_a_mapping_o2c_cannot_use_is_refused_by_its_row_and_field(text, named):
    with pytest.raises(KantataMappingError, match=named):
        parse_mapping(text)


def test_a_mapping_file_that_is_not_there_is_refused_by_its_path(tmp_path):
    missing = tmp_path / "kantata.toml"

    with pytest.raises(KantataMappingError, match=r"kantata\.toml"):
        load_mapping(str(missing))
