"""Waiting, over the API, for the saga worker to post an invoice to its ERP."""

from __future__ import annotations

from o2c.v1 import billing_pb2, billing_pb2_grpc, invoicing_pb2
from support.waiting import eventually


def posting_status_of(billing: billing_pb2_grpc.BillingServiceStub, invoice_id: str) -> int:
    request = billing_pb2.GetInvoiceStatusRequest(invoice_id=invoice_id)
    return billing.GetInvoiceStatus(request).posting_status


def posted(billing: billing_pb2_grpc.BillingServiceStub, invoice_id: str) -> bool:
    """True once its ERP holds the invoice; False if it still does not after the wait."""
    done = invoicing_pb2.POSTING_STATUS_POSTED
    return eventually(lambda: posting_status_of(billing, invoice_id) == done)
