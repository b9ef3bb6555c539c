"""A finalised invoice read over the API with where it is posted: the saga worker posts it to
the default sandbox ledger when no route is set, and GetInvoice and GetInvoiceStatus then name
that ERP and its document id, on each database."""

from __future__ import annotations

import pytest
from support.billing_requests import billing_cycle, closed_won_with_terms, time_and_materials
from support.posting import posted, posting_status_of
from support.requests import time_entry

from o2c.v1 import (
    billing_pb2,
    billing_pb2_grpc,
    engagement_pb2_grpc,
    erp_routing_pb2,
    invoicing_pb2,
)


@pytest.fixture
def engagements(channel_on_each_database):
    return engagement_pb2_grpc.EngagementServiceStub(channel_on_each_database)


@pytest.fixture
def billing(channel_on_each_database):
    return billing_pb2_grpc.BillingServiceStub(channel_on_each_database)


@pytest.fixture
def engagement_id(engagements, run_key):
    request = closed_won_with_terms(run_key, [time_and_materials("NA")])
    return engagements.CreateServiceEngagement(request).engagement.engagement_id


def test_a_draft_has_no_postings_and_no_posting_status(billing, engagement_id, run_key):
    billing.ApproveBillableEvent(time_entry(run_key, engagement_id))
    cycle = billing_cycle(run_key, engagement_id, finalise=False)
    [draft] = billing.RunBillingCycle(cycle).invoices

    invoice = billing.GetInvoice(billing_pb2.GetInvoiceRequest(invoice_id=draft.invoice_id)).invoice
    assert list(invoice.postings) == []
    assert invoice.posting_status == invoicing_pb2.POSTING_STATUS_UNSPECIFIED
    assert posting_status_of(billing, draft.invoice_id) == invoicing_pb2.POSTING_STATUS_UNSPECIFIED


def test_a_finalised_invoice_shows_posted_to_the_sandbox_with_its_document_id(
    billing, engagement_id, run_key
):
    billing.ApproveBillableEvent(time_entry(run_key, engagement_id))
    [summary] = billing.RunBillingCycle(billing_cycle(run_key, engagement_id)).invoices
    assert posted(billing, summary.invoice_id)

    invoice = billing.GetInvoice(
        billing_pb2.GetInvoiceRequest(invoice_number=summary.number)
    ).invoice
    [posting] = invoice.postings
    assert invoice.posting_status == invoicing_pb2.POSTING_STATUS_POSTED
    assert (posting.document_number, posting.kind, posting.erp, posting.role) == (
        summary.number,
        invoicing_pb2.ERP_DOCUMENT_KIND_INVOICE,
        erp_routing_pb2.ERP_SANDBOX,
        invoicing_pb2.POSTING_ROLE_PRIMARY,
    )
    assert posting.erp_document_id and posting.HasField("posted_at")

    status = billing.GetInvoiceStatus(
        billing_pb2.GetInvoiceStatusRequest(invoice_number=summary.number)
    )
    assert (status.posting_status, status.erp, status.erp_document_id) == (
        invoicing_pb2.POSTING_STATUS_POSTED,
        erp_routing_pb2.ERP_SANDBOX,
        posting.erp_document_id,
    )
