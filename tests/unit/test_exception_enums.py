"""Parked exceptions on the wire: every owner role, workflow and reason code has its enum."""

from __future__ import annotations

import pytest

from adapters.proto_values import owner_role_number, reason_code_number, workflow_number
from domain.exception_case import OwnerRole, ReasonCode, Workflow
from o2c.v1 import exceptions_pb2


@pytest.mark.parametrize(
    ("domain_values", "to_number"),
    [(OwnerRole, owner_role_number), (Workflow, workflow_number), (ReasonCode, reason_code_number)],
    ids=["owner roles", "workflows", "reason codes"],
)
def test_every_domain_value_has_a_wire_enum_of_its_own(domain_values, to_number):
    numbers = [to_number(value) for value in domain_values]
    assert 0 not in numbers
    assert len(set(numbers)) == len(numbers)


def test_values_map_by_name_whether_enum_or_string():
    assert owner_role_number(OwnerRole.INTEGRATION_SUPPORT) == (
        exceptions_pb2.OWNER_ROLE_INTEGRATION_SUPPORT
    )
    assert owner_role_number("sales-ops") == exceptions_pb2.OWNER_ROLE_SALES_OPS
    assert reason_code_number("LEGAL_ENTITY_NOT_MAPPED") == (
        exceptions_pb2.REASON_CODE_LEGAL_ENTITY_NOT_MAPPED
    )
    assert workflow_number("closed_won_to_engagement") == (
        exceptions_pb2.WORKFLOW_CLOSED_WON_TO_ENGAGEMENT
    )


def test_a_value_the_api_does_not_know_yet_is_unspecified():
    assert reason_code_number("SOMETHING_NEW") == exceptions_pb2.REASON_CODE_UNSPECIFIED
