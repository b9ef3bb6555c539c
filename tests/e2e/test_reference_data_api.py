"""SyncReferenceData and ListReferenceData over the API, on each database: the sandbox ERP's
legal entities and tax codes kept at start-up, a customer the ERP renamed parked once for sales
operations, and the same answers whichever database o2c runs on."""

from __future__ import annotations

import grpc
import pytest
from support.requests import closed_won

from application.erp_ports import LedgerCustomer
from application.reference_ports import CrmAccount
from o2c.v1 import engagement_pb2_grpc, erp_routing_pb2, reference_data_pb2, reference_data_pb2_grpc

KIND = reference_data_pb2


@pytest.fixture
def reference(channel_on_each_database):
    return reference_data_pb2_grpc.ReferenceDataServiceStub(channel_on_each_database)


def listed(reference, **where) -> list:
    records, token = [], ""
    while True:
        page = reference.ListReferenceData(
            reference_data_pb2.ListReferenceDataRequest(page_size=3, page_token=token, **where)
        )
        records += page.records
        if not (token := page.next_page_token):
            return records


def sandbox_of(report) -> reference_data_pb2.ErpSyncResult:
    return next(r for r in report.erps if r.erp == erp_routing_pb2.ERP_SANDBOX)


def test_the_sandbox_erps_entities_and_tax_codes_are_read_and_listed_page_by_page(reference):
    report = reference.SyncReferenceData(reference_data_pb2.SyncReferenceDataRequest())

    assert sandbox_of(report).synced
    entities = listed(
        reference, erp=erp_routing_pb2.ERP_SANDBOX, kind=KIND.REFERENCE_KIND_LEGAL_ENTITY
    )
    by_id = {e.key: dict(e.fields) for e in entities}
    assert by_id["GBSI"]["country"] == "GB"
    assert by_id["GBSI"]["currency"] == "GBP"
    taxes = listed(reference, erp=erp_routing_pb2.ERP_SANDBOX, erp_legal_entity="GBSI")
    assert {t.kind for t in taxes} == {
        KIND.REFERENCE_KIND_TAX_CODE,
        KIND.REFERENCE_KIND_LEGAL_ENTITY,
    }
    assert "20" in {t.fields["percent"] for t in taxes if t.kind == KIND.REFERENCE_KIND_TAX_CODE}
    again = reference.SyncReferenceData(reference_data_pb2.SyncReferenceDataRequest())
    assert all(c.created == c.updated == c.removed == 0 for c in sandbox_of(again).counts)


def test_a_customer_the_erp_renamed_is_parked_for_sales_operations_once(
    reference, channel_on_each_database, service_on_each_database, run_key
):
    engagements = engagement_pb2_grpc.EngagementServiceStub(channel_on_each_database)
    request = closed_won(run_key)
    engagements.CreateServiceEngagement(request)
    account = request.opportunity.account_id
    container = service_on_each_database.container
    container.crm().keep_account(
        CrmAccount(account, "Acme Corp", "US-EIN-12-3456789", "US", "US01")
    )
    container.ledgers()["sandbox"].upsert_customer(
        LedgerCustomer(account, "Acme Corporation Inc", "USMF", "USD", "US-EIN-12-3456789")
    )

    first = reference.SyncReferenceData(reference_data_pb2.SyncReferenceDataRequest())
    second = reference.SyncReferenceData(reference_data_pb2.SyncReferenceDataRequest())

    assert len(first.parked_exception_ids) == 1
    assert (list(second.parked_exception_ids), second.already_open) == ([], 1)
    [kept] = listed(reference, account_id=account)
    assert (kept.erp_legal_entity, kept.fields["name"]) == ("USMF", "Acme Corporation Inc")


def test_a_filter_value_the_api_does_not_define_is_refused_naming_the_field(reference):
    with pytest.raises(grpc.RpcError) as refused:
        reference.ListReferenceData(reference_data_pb2.ListReferenceDataRequest(kind=42))

    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "kind" in refused.value.details()


def test_a_page_token_of_other_filters_is_refused(reference):
    reference.SyncReferenceData(reference_data_pb2.SyncReferenceDataRequest())
    page = reference.ListReferenceData(reference_data_pb2.ListReferenceDataRequest(page_size=1))

    with pytest.raises(grpc.RpcError) as refused:
        reference.ListReferenceData(
            reference_data_pb2.ListReferenceDataRequest(
                page_size=1, page_token=page.next_page_token, erp_legal_entity="GBSI"
            )
        )

    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "page_token" in refused.value.details()
