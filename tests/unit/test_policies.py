"""Default deny: every RPC of o2c declares who may call it, beside it in the proto."""

import pytest
from support.rpcs import every_rpc

from domain.principal import CallingSystem
from entrypoints.grpc.policies import (
    NOBODY,
    declared_policy,
    method_path,
    o2c_services,
    policies,
    policy_for,
    scopes_granted_to,
)
from entrypoints.grpc.server import SERVICE_NAMES


@pytest.mark.parametrize("method", every_rpc(), ids=lambda method: method.full_name)
def test_every_o2c_rpc_declares_a_policy_naming_a_calling_system(method):
    policy = declared_policy(method)

    assert policy is not None, f"{method.full_name} declares no (o2c.v1.policy): add one"
    assert policy.systems, f"{method.full_name} names no calling system"


def test_every_service_the_server_offers_is_walked_for_policies():
    assert set(SERVICE_NAMES) <= {service.full_name for service in o2c_services()}


def test_an_o2c_rpc_unknown_to_the_table_is_refused_to_everyone():
    assert policy_for("/o2c.v1.InvoiceService/PostInvoice", policies()) is NOBODY


def test_health_and_reflection_stay_open():
    assert policy_for("/grpc.health.v1.Health/Check", policies()) is None
    info = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
    assert policy_for(info, policies()) is None


def test_only_the_systems_of_record_may_approve_work_and_only_the_crm_may_create_engagements():
    by_name = {method.name: policies()[method_path(method)] for method in every_rpc()}

    assert by_name["ApproveBillableEvent"].systems == {CallingSystem.PSA, CallingSystem.BILLING}
    assert by_name["ApproveBillableEvents"].systems == {CallingSystem.PSA, CallingSystem.BILLING}
    assert by_name["CreateServiceEngagement"].systems == {CallingSystem.CRM}
    assert by_name["GetServiceEngagement"].systems == set(CallingSystem)


def test_a_development_token_carries_the_scopes_its_system_needs():
    assert scopes_granted_to("psa") >= {"billable-events:write", "engagements:read"}
    assert "engagements:write" not in scopes_granted_to("psa")


@pytest.mark.parametrize(
    "name",
    [
        "GetServiceEngagement",
        "GetInvoice",
        "ListInvoices",
        "PreviewInvoice",
        "GetInvoiceStatus",
        "ListErpRoutes",
        "ListErpRouteChanges",
    ],
)
def test_read_only_rpcs_declare_no_side_effects(name):
    [get] = [method for method in every_rpc() if method.name == name]

    assert get.GetOptions().idempotency_level == get.GetOptions().NO_SIDE_EFFECTS


def test_money_moves_only_for_the_systems_that_own_it():
    by_name = {method.name: policies()[method_path(method)] for method in every_rpc()}

    assert by_name["RecordPayment"].systems == {CallingSystem.ERP}
    assert by_name["IssueCreditNote"].systems == {CallingSystem.BILLING}
    assert by_name["RunBillingCycle"].systems == {CallingSystem.BILLING, CallingSystem.OPERATIONS}
    assert by_name["AmendServiceEngagement"].systems == {CallingSystem.CRM}
    assert scopes_granted_to("erp") >= {"payments:write", "invoices:read"}
    assert "invoices:write" not in scopes_granted_to("erp")


def test_only_an_admin_sets_erp_routes_and_operations_may_read_them():
    by_name = {method.name: policies()[method_path(method)] for method in every_rpc()}

    assert by_name["SetErpRoute"].systems == {CallingSystem.ADMIN}
    assert by_name["SetErpRoute"].scopes == {"erp-routes:write"}
    for read in ("ListErpRoutes", "ListErpRouteChanges"):
        assert by_name[read].systems == {CallingSystem.ADMIN, CallingSystem.OPERATIONS}
        assert by_name[read].scopes == {"erp-routes:read"}
    assert "erp-routes:write" not in scopes_granted_to("operations")
