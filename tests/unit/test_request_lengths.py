"""Every string and list a caller can send has a declared maximum, checked before any handler
runs; no string may carry control characters."""

from __future__ import annotations

import pytest
from support.requests import closed_won, time_entry

from adapters.declared_lengths import unbounded_repeated_fields, undeclared_string_fields
from domain.errors import (
    ControlCharacters,
    FieldTooLong,
    LookAlikeIdentifier,
    TooManyItems,
    UnknownValue,
)
from entrypoints.grpc.limits import check_request
from o2c.v1 import (
    billing_pb2,
    controls_pb2,
    customers_pb2,
    engagement_pb2,
    erp_routing_pb2,
    exceptions_pb2,
    lineage_pb2,
    operations_pb2,
    reference_data_pb2,
)

SERVICES = (
    engagement_pb2.DESCRIPTOR.services_by_name["EngagementService"],
    billing_pb2.DESCRIPTOR.services_by_name["BillingService"],
    erp_routing_pb2.DESCRIPTOR.services_by_name["ErpRoutingService"],
    customers_pb2.DESCRIPTOR.services_by_name["CustomerService"],
    reference_data_pb2.DESCRIPTOR.services_by_name["ReferenceDataService"],
    lineage_pb2.DESCRIPTOR.services_by_name["LineageService"],
    controls_pb2.DESCRIPTOR.services_by_name["ControlService"],
    exceptions_pb2.DESCRIPTOR.services_by_name["ExceptionService"],
    operations_pb2.DESCRIPTOR.services_by_name["OperationsService"],
)
REQUESTS = [method.input_type for service in SERVICES for method in service.methods]


@pytest.mark.parametrize("request_type", REQUESTS, ids=lambda request: request.name)
def test_every_string_a_caller_can_send_declares_its_maximum_length(request_type):
    assert undeclared_string_fields(request_type) == []


@pytest.mark.parametrize("request_type", REQUESTS, ids=lambda request: request.name)
def test_every_list_a_caller_can_send_declares_its_most_items(request_type):
    assert unbounded_repeated_fields(request_type) == []


def test_a_string_at_its_maximum_is_accepted():
    request = closed_won("K1")
    request.opportunity.work_packages[1].name = "n" * 255
    check_request(request)


def test_an_over_long_string_deep_in_a_repeated_message_is_named_as_the_caller_wrote_it():
    request = closed_won("K1")
    request.opportunity.work_packages[1].name = "n" * 10_000
    with pytest.raises(FieldTooLong) as refused:
        check_request(request)
    assert refused.value.field == "opportunity.work_packages[1].name"
    assert "10000" not in refused.value.message and "nnnn" not in refused.value.message


@pytest.mark.parametrize("name", ["resource", "source_id"])
def test_over_long_time_entry_fields_are_refused_by_name(name):
    request = time_entry("K1", "eng-1")
    setattr(request.time_entry, name, "x" * 10_000)
    with pytest.raises(FieldTooLong) as refused:
        check_request(request)
    assert refused.value.field == f"time_entry.{name}"


def test_an_engagement_id_one_past_its_maximum_is_refused():
    with pytest.raises(FieldTooLong) as refused:
        check_request(time_entry("K1", "e" * 65))
    assert refused.value.field == "time_entry.engagement_id"


def test_more_work_packages_than_declared_are_refused_before_any_work():
    request = closed_won("K1")
    request.opportunity.work_packages.extend(
        engagement_pb2.WorkPackage(code=f"W{n}", name="Rollout", region="NA") for n in range(49)
    )
    with pytest.raises(TooManyItems) as refused:
        check_request(request)
    assert refused.value.field == "opportunity.work_packages"


@pytest.mark.parametrize(
    "text", ["a\x00b", "red \x1b[31m", "\x7f", "\u202eevil", "a\u2066b"], ids=repr
)
def test_control_characters_in_any_string_are_refused_by_field(text):
    request = closed_won("K1")
    request.opportunity.account_name = text
    with pytest.raises(ControlCharacters) as refused:
        check_request(request)
    assert refused.value.field == "opportunity.account_name"
    assert text not in refused.value.message


@pytest.mark.parametrize("text", ["Zürich AG", "株式会社", "Line one\nline two\ttabbed", "🚀"])
def test_letters_of_any_script_line_breaks_and_emoji_are_accepted(text):
    request = closed_won("K1")
    request.opportunity.account_name = text
    check_request(request)


def test_an_enum_number_its_enum_does_not_define_is_refused_by_field():
    request = closed_won("K1")
    request.opportunity.billing_method = 99
    with pytest.raises(UnknownValue) as refused:
        check_request(request)
    assert refused.value.field == "opportunity.billing_method"


@pytest.mark.parametrize(
    "look_alike",
    ["opp-e\u0301-X", "opp-é-X\u200b", "\ufeffopp-é-X", "\uff4f\uff50\uff50-é-X", "opp\u200d-X"],
    ids=["decomposed", "zero-width-space", "byte-order-mark", "full-width", "zero-width-joiner"],
)
def test_an_identifier_that_only_looks_like_another_is_refused_by_field(look_alike):
    request = closed_won("K1")
    request.opportunity.opportunity_id = look_alike
    with pytest.raises(LookAlikeIdentifier) as refused:
        check_request(request)
    assert refused.value.field == "opportunity.opportunity_id"


def test_an_identifier_in_another_script_in_normal_form_is_accepted():
    request = closed_won("K1")
    request.opportunity.opportunity_id = "opp-é-株式-X"
    check_request(request)


def test_a_name_may_hold_what_an_identifier_may_not():
    request = closed_won("K1")
    half_width_kana, devanagari_with_a_joiner = "\uff71\uff78\uff92", "\u0915\u094d\u200d\u0937"
    request.opportunity.account_name = f"{half_width_kana} {devanagari_with_a_joiner}"
    check_request(request)
