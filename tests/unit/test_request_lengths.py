"""Every string a caller can send has a declared maximum, checked before any handler runs."""

from __future__ import annotations

import pytest
from support.requests import closed_won, time_entry

from adapters.declared_lengths import undeclared_string_fields
from domain.errors import FieldTooLong
from entrypoints.grpc.limits import check_lengths
from o2c.v1 import billing_pb2, engagement_pb2

SERVICES = (
    engagement_pb2.DESCRIPTOR.services_by_name["EngagementService"],
    billing_pb2.DESCRIPTOR.services_by_name["BillingService"],
)
REQUESTS = [method.input_type for service in SERVICES for method in service.methods]


@pytest.mark.parametrize("request_type", REQUESTS, ids=lambda request: request.name)
def test_every_string_a_caller_can_send_declares_its_maximum_length(request_type):
    assert undeclared_string_fields(request_type) == []


def test_a_string_at_its_maximum_is_accepted():
    request = closed_won("K1")
    request.opportunity.work_packages[1].name = "n" * 255
    check_lengths(request)


def test_an_over_long_string_deep_in_a_repeated_message_is_named_as_the_caller_wrote_it():
    request = closed_won("K1")
    request.opportunity.work_packages[1].name = "n" * 10_000
    with pytest.raises(FieldTooLong) as refused:
        check_lengths(request)
    assert refused.value.field == "opportunity.work_packages[1].name"
    assert "10000" not in refused.value.message and "nnnn" not in refused.value.message


@pytest.mark.parametrize("name", ["resource", "source_id"])
def test_over_long_time_entry_fields_are_refused_by_name(name):
    request = time_entry("K1", "eng-1")
    setattr(request.time_entry, name, "x" * 10_000)
    with pytest.raises(FieldTooLong) as refused:
        check_lengths(request)
    assert refused.value.field == f"time_entry.{name}"


def test_an_engagement_id_one_past_its_maximum_is_refused():
    with pytest.raises(FieldTooLong) as refused:
        check_lengths(time_entry("K1", "e" * 65))
    assert refused.value.field == "time_entry.engagement_id"
