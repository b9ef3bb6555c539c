"""`make demo`, ERPs: a mid-month cutover (issue 8) against the ERPs the server simulates.

US01 posts to NetSuite, GB01 to the legacy ERP, DE01 runs a dual-write pilot (Dynamics 365
primary, the legacy ERP as shadow). Time is invoiced and each invoice posted where its legal
entity's route says; an admin then cuts GB01 over to NetSuite from 15 December, carrying its open
invoice over and reconciling it. A credit note issued after the cutover still posts to the legacy
ERP, where its invoice is, and the DE01 pilot is reconciled.

A second run against the same server keeps the routes and the cutover the first run set (setting
them again would overlap them), and says so."""

from __future__ import annotations

import datetime as dt
import time

import grpc
from google.type import date_pb2

from entrypoints.demo_invoices import amount, day
from entrypoints.demo_requests import CallerMetadata, billed_by, december, terms, time_worked
from entrypoints.erp_simulators import DYNAMICS365_COMPANIES, LEGACY_ORG_IDS, NETSUITE_SUBSIDIARIES
from o2c.v1 import (
    billing_pb2,
    billing_pb2_grpc,
    common_pb2,
    engagement_pb2_grpc,
    erp_routing_pb2,
    erp_routing_pb2_grpc,
    invoicing_pb2,
)

NETSUITE, DYNAMICS365, LEGACY = (
    erp_routing_pb2.ERP_NETSUITE,
    erp_routing_pb2.ERP_DYNAMICS365,
    erp_routing_pb2.ERP_LEGACY,
)
POSTED = invoicing_pb2.POSTING_STATUS_POSTED
CUTOVER_DAY = december(15)
# The legal entity's invoice date: numbers follow the days of issue, so each run issues on the
# same days. US01's is the billing part's 31 December; GB01's falls before the cutover.
ISSUED_ON = {"US01": december(31), "GB01": december(14), "DE01": december(14)}
POSTING_WAIT_SECONDS = 20.0


def netsuite(code: str) -> erp_routing_pb2.ErpTarget:
    return erp_routing_pb2.ErpTarget(erp=NETSUITE, erp_legal_entity=NETSUITE_SUBSIDIARIES[code])


def dynamics365(code: str) -> erp_routing_pb2.ErpTarget:
    return erp_routing_pb2.ErpTarget(erp=DYNAMICS365, erp_legal_entity=DYNAMICS365_COMPANIES[code])


def legacy(code: str) -> erp_routing_pb2.ErpTarget:
    return erp_routing_pb2.ErpTarget(erp=LEGACY, erp_legal_entity=LEGACY_ORG_IDS[code])


# Legal entity → (primary, shadow or None).
ROUTES: dict[str, tuple[erp_routing_pb2.ErpTarget, erp_routing_pb2.ErpTarget | None]] = {
    "US01": (netsuite("US01"), None),
    "GB01": (legacy("GB01"), None),
    "DE01": (dynamics365("DE01"), legacy("DE01")),
}


class ErpCalls:
    """The demo's stubs for the cutover, each call signed as the system that makes it."""

    def __init__(self, channel: grpc.Channel, run: str, calling_as: CallerMetadata) -> None:
        self.engagements = engagement_pb2_grpc.EngagementServiceStub(channel)
        self.billing = billing_pb2_grpc.BillingServiceStub(channel)
        self.routing = erp_routing_pb2_grpc.ErpRoutingServiceStub(channel)
        self.run = run
        self.calling_as = calling_as

    def routes_of(self, code: str) -> list[erp_routing_pb2.ErpRoute]:
        request = erp_routing_pb2.ListErpRoutesRequest(legal_entity_code=code)
        reply = self.routing.ListErpRoutes(request, metadata=self.calling_as("operations"))
        return [route for entity in reply.legal_entities for route in entity.routes]

    def status(self, invoice_id: str) -> billing_pb2.GetInvoiceStatusResponse:
        request = billing_pb2.GetInvoiceStatusRequest(invoice_id=invoice_id)
        return self.billing.GetInvoiceStatus(request, metadata=self.calling_as("billing"))

    def postings(self, invoice_id: str, number: str) -> list[invoicing_pb2.ErpPosting]:
        request = billing_pb2.GetInvoiceRequest(invoice_id=invoice_id)
        invoice = self.billing.GetInvoice(request, metadata=self.calling_as("billing")).invoice
        return [p for p in invoice.postings if p.document_number == number]


def show_erp_cutover(channel: grpc.Channel, run: str, calling_as: CallerMetadata) -> None:
    calls = ErpCalls(channel, run, calling_as)
    print(f"\n== ERPs: routes per legal entity and a mid-month cutover (run {run})")
    for code in ROUTES:
        route_once(calls, code)
    print("\n-- an engagement per legal entity, time approved and invoiced")
    invoices = {code: invoice_time(calls, code) for code in ROUTES}
    print("\n-- each invoice posts to the ERP its legal entity's route names")
    for code, invoice in invoices.items():
        wait_until_posted(calls, code, invoice)
    print("\n== GB01 cuts over from the legacy ERP to NetSuite from 2026-12-15")
    cut_over_once(calls)
    credit_after_cutover(calls, invoices["GB01"])
    print("\n== the DE01 pilot: Dynamics 365 primary against the legacy shadow, on 2026-12-31")
    request = erp_routing_pb2.ReconcileDualWriteRequest(legal_entity_code="DE01", on=december(31))
    reply = calls.routing.ReconcileDualWrite(request, metadata=calling_as("operations"))
    show_reconciliation(reply.reconciliation)


def route_once(calls: ErpCalls, code: str) -> None:
    """Routes `code` from today, unless it has a route already: another would overlap it."""
    existing = calls.routes_of(code)
    if not existing:
        primary, shadow = ROUTES[code]
        today = dt.datetime.now(dt.UTC).date()
        route = erp_routing_pb2.ErpRoute(
            legal_entity_code=code,
            effective_from=date_pb2.Date(year=today.year, month=today.month, day=today.day),
            primary=primary,
        )
        if shadow is not None:
            route.shadow.CopyFrom(shadow)
        request = erp_routing_pb2.SetErpRouteRequest(
            request_id=f"demo-{calls.run}-route-{code}", route=route
        )
        calls.routing.SetErpRoute(request, metadata=calls.calling_as("admin"))
        existing = calls.routes_of(code)
        verdict = "set by admin"
    else:
        verdict = "already routed, kept"
    print(f"  {code}: {'; '.join(describe_route(route) for route in existing)} ({verdict})")


def describe_route(route: erp_routing_pb2.ErpRoute) -> str:
    text = f"from {day(route.effective_from)} -> {target(route.primary)}"
    if route.HasField("shadow"):
        text += f", shadow {target(route.shadow)} (dual-write)"
    return text


def target(erp: erp_routing_pb2.ErpTarget) -> str:
    return f"{erp_name(erp.erp)} {erp.erp_legal_entity}"


def erp_name(erp: int) -> str:
    return erp_routing_pb2.Erp.Name(erp).removeprefix("ERP_").lower()


def invoice_time(calls: ErpCalls, code: str) -> invoicing_pb2.InvoiceSummary:
    """7.5 approved hours on 2 December, and the cycle that invoices them on ISSUED_ON[code]."""
    key = f"ERP-{code}"
    request = billed_by(calls.run, key, terms("TIME_AND_MATERIALS"), legal_entity=code)
    engagement = calls.engagements.CreateServiceEngagement(
        request, metadata=calls.calling_as("crm")
    ).engagement.engagement_id
    worked = time_worked(calls.run, engagement, f"{key}-TC-1", 2, "7.5")
    calls.billing.ApproveBillableEvent(worked, metadata=calls.calling_as("psa"))
    cycle = billing_pb2.RunBillingCycleRequest(
        request_id=f"demo-{calls.run}-{key}-cycle",
        as_of=ISSUED_ON[code],
        engagement_ids=[engagement],
        finalise=True,
    )
    reply = calls.billing.RunBillingCycle(cycle, metadata=calls.calling_as("billing"))
    [invoice] = reply.invoices
    print(
        f"  {code}: engagement {engagement}, 7.5 h approved -> invoice {invoice.number} "
        f"issued {day(invoice.issued_on)}, {amount(invoice.total)}"
    )
    return invoice


def wait_until_posted(calls: ErpCalls, code: str, invoice: invoicing_pb2.InvoiceSummary) -> None:
    """Polls the invoice's status, at most POSTING_WAIT_SECONDS, until its saga has posted it
    (and its shadow copy too, in a dual-write pilot)."""
    deadline = time.monotonic() + POSTING_WAIT_SECONDS
    shadowed = ROUTES[code][1] is not None
    while True:
        status = calls.status(invoice.invoice_id)
        shadows = [
            posting
            for posting in calls.postings(invoice.invoice_id, invoice.number)
            if posting.role == invoicing_pb2.POSTING_ROLE_SHADOW
        ]
        done = status.posting_status == POSTED and (shadows or not shadowed)
        if done or time.monotonic() >= deadline:
            break
        time.sleep(0.25)
    if status.posting_status != POSTED:
        posting = invoicing_pb2.PostingStatus.Name(status.posting_status)
        print(f"  {invoice.number}: not posted after {POSTING_WAIT_SECONDS:.0f} s ({posting})")
        return
    print(f"  {invoice.number}: posted to {erp_name(status.erp)} as {status.erp_document_id}")
    for shadow in shadows:
        print(
            f"    shadow copy in {erp_name(shadow.erp)} {shadow.erp_legal_entity} "
            f"as {shadow.erp_document_id}"
        )
    if shadowed and not shadows:
        print(f"    no shadow copy after {POSTING_WAIT_SECONDS:.0f} s")


def cut_over_once(calls: ErpCalls) -> None:
    """Cuts GB01 over to NetSuite, unless an earlier run did: its route is NetSuite already."""
    routes = calls.routes_of("GB01")
    if any(route.primary.erp == NETSUITE for route in routes):
        print("  skipped: GB01 is already routed to NetSuite by an earlier run")
        for route in routes:
            print(f"  GB01 {describe_route(route)}")
        return
    request = erp_routing_pb2.CutOverLegalEntityRequest(
        request_id=f"demo-{calls.run}-cutover-GB01",
        legal_entity_code="GB01",
        effective_from=CUTOVER_DAY,
        target=netsuite("GB01"),
    )
    reply = calls.routing.CutOverLegalEntity(request, metadata=calls.calling_as("admin"))
    print(f"  {reply.carried_over} open invoice(s) carried over to NetSuite as opening receivables")
    show_reconciliation(reply.reconciliation)
    for route in reply.routes.routes:
        print(f"  GB01 {describe_route(route)}")


def credit_after_cutover(calls: ErpCalls, invoice: invoicing_pb2.InvoiceSummary) -> None:
    print(f"\n-- a credit note on {invoice.number}, issued 2026-12-20, after the cutover")
    request = billing_pb2.IssueCreditNoteRequest(
        request_id=f"demo-{calls.run}-credit-GB01",
        invoice_id=invoice.invoice_id,
        reason="Hours billed twice",
        issued_on=december(20),
    )
    note = calls.billing.IssueCreditNote(request, metadata=calls.calling_as("billing")).credit_note
    deadline = time.monotonic() + POSTING_WAIT_SECONDS
    postings = calls.postings(invoice.invoice_id, note.number)
    while not postings and time.monotonic() < deadline:
        time.sleep(0.25)
        postings = calls.postings(invoice.invoice_id, note.number)
    if not postings:
        print(f"  credit note {note.number}: {amount(note.total)}, not posted yet")
    for posting in postings:
        print(
            f"  credit note {note.number}: {amount(note.total)} posted to "
            f"{erp_name(posting.erp)} {posting.erp_legal_entity} as {posting.erp_document_id}, "
            "where its invoice is"
        )


def show_reconciliation(reconciliation: erp_routing_pb2.LedgerReconciliation) -> None:
    kinds = erp_routing_pb2.LedgerVarianceKind
    print(f"  reconciliation: {reconciliation.left} against {reconciliation.right}")
    print(f"    matched {reconciliation.matched}, variances {len(reconciliation.variances)}")
    for variance in reconciliation.variances:
        kind = kinds.Name(variance.kind).removeprefix("LEDGER_VARIANCE_KIND_").lower()
        print(
            f"      {variance.number}: {kind.replace('_', ' ')}, "
            f"left {money(variance.left)}, right {money(variance.right)}"
        )
    print(f"    left totals  {', '.join(map(money, reconciliation.left_totals)) or '-'}")
    print(f"    right totals {', '.join(map(money, reconciliation.right_totals)) or '-'}")
    print(f"    balanced: {'yes' if reconciliation.balanced else 'NO'}")


def money(value: common_pb2.Money) -> str:
    return amount(value) if value.currency_code else "-"
