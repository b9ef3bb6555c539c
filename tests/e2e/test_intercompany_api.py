"""Intercompany and ERP payments over the API, on each database: US01 contracts, GB01 delivers
the UK work package. The finalised invoice makes GB01's charge to US01, both sides posted by the
saga worker to the (default) sandbox ERP and reconciled; cash the ERP applied to the invoice is
read back and applied once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import grpc
import pytest
from support.billing_requests import billing_cycle, closed_won_with_terms, time_and_materials
from support.posting import posted
from support.requests import time_entry
from support.waiting import eventually

from application.erp_ports import LedgerPayment
from domain.money import Money
from o2c.v1 import (
    billing_pb2,
    billing_pb2_grpc,
    engagement_pb2_grpc,
    erp_routing_pb2,
    erp_routing_pb2_grpc,
    invoicing_pb2,
)


@pytest.fixture
def billing(channel_on_each_database):
    return billing_pb2_grpc.BillingServiceStub(channel_on_each_database)


@pytest.fixture
def routing(channel_on_each_database):
    return erp_routing_pb2_grpc.ErpRoutingServiceStub(channel_on_each_database)


@pytest.fixture
def invoice(channel_on_each_database, billing, run_key):
    """8 h by US01's people in NA, 4 h by GB01's in the UK, finalised and posted."""
    engagements = engagement_pb2_grpc.EngagementServiceStub(channel_on_each_database)
    request = closed_won_with_terms(run_key, [time_and_materials("NA"), time_and_materials("UK")])
    request.opportunity.work_packages[1].delivering_legal_entity_code = "GB01"
    engagement_id = engagements.CreateServiceEngagement(request).engagement.engagement_id
    billing.ApproveBillableEvent(time_entry(run_key, engagement_id, "TC-NA", hours="8"))
    billing.ApproveBillableEvent(
        time_entry(run_key, engagement_id, "TC-UK", hours="4", work_package_code="UK")
    )
    [summary] = billing.RunBillingCycle(billing_cycle(run_key, engagement_id)).invoices
    assert posted(billing, summary.invoice_id)
    found = billing.GetInvoice(billing_pb2.GetInvoiceRequest(invoice_id=summary.invoice_id))
    return found.invoice


def charges_of(routing, invoice_id):
    request = erp_routing_pb2.ListIntercompanyChargesRequest(invoice_id=invoice_id, page_size=10)
    return list(routing.ListIntercompanyCharges(request).charges)


def both_sides_posted(routing, invoice_id) -> bool:
    return [len(c.postings) for c in charges_of(routing, invoice_id)] == [2]


def test_the_delivering_entity_charges_its_share_and_both_sides_post_and_reconcile(
    routing, billing, invoice
):
    assert eventually(lambda: both_sides_posted(routing, invoice.invoice_id))
    [charge] = charges_of(routing, invoice.invoice_id)

    assert charge.number == f"{invoice.number}/IC-GB01"
    assert (charge.delivering_legal_entity_code, charge.contracting_legal_entity_code) == (
        "GB01",
        "US01",
    )
    [line] = charge.lines
    uk = next(ln for ln in invoice.lines if ln.number == line.invoice_line)
    assert "TC-UK" in uk.description
    assert Decimal(charge.total.amount) == Decimal(line.revenue.amount) * Decimal(charge.share)
    assert sorted((p.posting_key, p.kind, p.erp) for p in charge.postings) == [
        (charge.number, "intercompany_receivable", erp_routing_pb2.ERP_SANDBOX),
        (f"{charge.number}/AP", "intercompany_payable", erp_routing_pb2.ERP_SANDBOX),
    ]
    report = routing.ReconcileIntercompany(
        erp_routing_pb2.ReconcileIntercompanyRequest(legal_entity_code="GB01")
    )
    assert report.reconciliation.balanced and report.reconciliation.matched >= 1
    assert charge.number not in report.still_posting


def test_the_invoice_shows_both_sides_among_its_postings(routing, billing, invoice):
    assert eventually(lambda: both_sides_posted(routing, invoice.invoice_id))
    shown = billing.GetInvoice(billing_pb2.GetInvoiceRequest(invoice_id=invoice.invoice_id))

    kinds = sorted(p.kind for p in shown.invoice.postings)
    assert kinds == [
        invoicing_pb2.ERP_DOCUMENT_KIND_INVOICE,
        invoicing_pb2.ERP_DOCUMENT_KIND_INTERCOMPANY_RECEIVABLE,
        invoicing_pb2.ERP_DOCUMENT_KIND_INTERCOMPANY_PAYABLE,
    ]
    assert shown.invoice.posting_status == invoicing_pb2.POSTING_STATUS_POSTED


def test_cash_the_erp_applied_is_read_back_once_and_shown_on_the_crm_account(
    service_on_each_database, routing, billing, invoice, run_key
):
    ledger = service_on_each_database.container.ledgers()["sandbox"]
    issued = dt.date(invoice.issued_on.year, invoice.issued_on.month, invoice.issued_on.day)
    payment = LedgerPayment(
        f"PAY-{invoice.number}", invoice.number, Money.of("100.00", "USD"), issued
    )
    ledger.receive_payment(payment, "USMF")

    first = routing.ReadErpPayments(erp_routing_pb2.ReadErpPaymentsRequest())
    again = routing.ReadErpPayments(erp_routing_pb2.ReadErpPaymentsRequest())

    assert first.applied >= 1 and again.applied == 0
    status = billing.GetInvoiceStatus(
        billing_pb2.GetInvoiceStatusRequest(invoice_id=invoice.invoice_id)
    )
    assert status.status == invoicing_pb2.INVOICE_STATUS_PARTIALLY_PAID
    crm = service_on_each_database.container.crm()
    account = f"001-{run_key}"

    def shown():
        return crm.payment_status(account, invoice.number)

    assert eventually(lambda: shown() is not None and shown().status == "partially_paid")
    assert shown().paid == Money.of("100.00", "USD")


def test_a_bad_legal_entity_code_is_refused_naming_the_field(routing):
    with pytest.raises(grpc.RpcError) as refused:
        routing.ListIntercompanyCharges(
            erp_routing_pb2.ListIntercompanyChargesRequest(legal_entity_code="G" * 33)
        )
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "legal_entity_code" in refused.value.details()
