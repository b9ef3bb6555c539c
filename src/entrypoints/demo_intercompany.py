"""The demo's intercompany scene: GB01's people deliver the UK work package of a US01
engagement. The invoice to the customer makes GB01's charge to US01 at their agreed share;
GB01 books it as a receivable in its ERP and US01 as a payable in its own, and the two sides
reconcile."""

from __future__ import annotations

import time

import grpc

from entrypoints.demo_invoices import amount
from entrypoints.demo_requests import CallerMetadata, billed_by, december, terms, time_worked
from o2c.v1 import (
    billing_pb2,
    billing_pb2_grpc,
    engagement_pb2,
    engagement_pb2_grpc,
    erp_routing_pb2,
    erp_routing_pb2_grpc,
)

WAIT_SECONDS = 20.0


def show_intercompany(channel: grpc.Channel, run: str, calling_as: CallerMetadata) -> None:
    engagements = engagement_pb2_grpc.EngagementServiceStub(channel)
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    routing = erp_routing_pb2_grpc.ErpRoutingServiceStub(channel)
    print("\n== Intercompany: GB01 delivers the UK work package of a US01 engagement")
    request = billed_by(run, "IC", terms("TIME_AND_MATERIALS"))
    request.opportunity.work_packages.append(
        engagement_pb2.WorkPackage(
            code="UK", name="UK rollout", region="EMEA", delivering_legal_entity_code="GB01"
        )
    )
    uk_terms = terms("TIME_AND_MATERIALS")
    uk_terms.work_package_code = "UK"
    request.opportunity.billing_terms.append(uk_terms)
    engagement = engagements.CreateServiceEngagement(
        request, metadata=calling_as("crm")
    ).engagement.engagement_id
    for source, package, hours in (("IC-NA", "NA", "8"), ("IC-UK", "UK", "4")):
        worked = time_worked(run, engagement, source, 3, hours)
        worked.time_entry.work_package_code = package
        billing.ApproveBillableEvent(worked, metadata=calling_as("psa"))
    cycle = billing_pb2.RunBillingCycleRequest(
        request_id=f"demo-{run}-IC-cycle",
        as_of=december(31),
        engagement_ids=[engagement],
        finalise=True,
    )
    [invoice] = billing.RunBillingCycle(cycle, metadata=calling_as("billing")).invoices
    total = amount(invoice.total)
    print(f"  8 h by US01's people, 4 h by GB01's -> invoice {invoice.number}, {total}")
    charge = posted_charge(routing, invoice.invoice_id, calling_as)
    if charge is None:
        print(
            f"  {invoice.number}: its intercompany charge is not posted after {WAIT_SECONDS:.0f} s"
        )
        return
    print(
        f"  charge {charge.number}: {charge.delivering_legal_entity_code} -> "
        f"{charge.contracting_legal_entity_code}, {amount(charge.total)} "
        f"({float(charge.share):.0%} of {amount(charge.lines[0].revenue)} revenue)"
    )
    for posting in sorted(charge.postings, key=lambda p: p.kind, reverse=True):
        erp = erp_routing_pb2.Erp.Name(posting.erp).removeprefix("ERP_").lower()
        print(
            f"    {posting.kind.replace('_', ' ')} in {erp} ({posting.erp_legal_entity}) "
            f"as {posting.erp_document_id}"
        )
    report = routing.ReconcileIntercompany(
        erp_routing_pb2.ReconcileIntercompanyRequest(legal_entity_code="GB01"),
        metadata=calling_as("operations"),
    )
    reconciliation = report.reconciliation
    print(
        f"  reconciliation: {reconciliation.left} against {reconciliation.right}: matched "
        f"{reconciliation.matched}, variances {len(reconciliation.variances)}, balanced: "
        f"{'yes' if reconciliation.balanced else 'NO'}"
    )


def posted_charge(
    routing: erp_routing_pb2_grpc.ErpRoutingServiceStub,
    invoice_id: str,
    calling_as: CallerMetadata,
) -> erp_routing_pb2.IntercompanyCharge | None:
    """The invoice's charge once both its sides are posted, waiting for the saga worker."""
    request = erp_routing_pb2.ListIntercompanyChargesRequest(invoice_id=invoice_id)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        reply = routing.ListIntercompanyCharges(request, metadata=calling_as("operations"))
        if reply.charges and len(reply.charges[0].postings) >= 2:
            return reply.charges[0]
        time.sleep(0.2)
    return None
