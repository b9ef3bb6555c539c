"""A mid-month cutover end to end, on each database, through the public API alone, with the
server simulating NetSuite, Dynamics 365 and the legacy ERP itself (issue 8's "Must show").

US01 posts to NetSuite, GB01 to the legacy ERP, DE01 runs a dual-write pilot (Dynamics 365
primary, the legacy ERP as shadow). Early-December time is invoiced on 14 December and posted.
An admin then cuts GB01 over to NetSuite from 15 December: its open invoice is carried over
and reconciled, and the route switches (audited). A credit note on that invoice, issued after
the cutover, still goes to the legacy ERP, where the invoice is; GB01's next invoice goes to
NetSuite. The DE01 pilot reconciles, and its report is printed (`pytest -s` shows it)."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from google.type import date_pb2
from support.auth import as_rightful_callers, call_metadata
from support.billing_requests import billing_cycle, closed_won_with_terms, time_and_materials
from support.databases import BACKENDS
from support.erp_routes import cutover_request, route_request
from support.requests import date, time_entry
from support.simulated_erps import (
    DYNAMICS365,
    LEGACY,
    NETSUITE,
    dynamics365,
    legacy,
    netsuite,
    service_with_erp_simulators,
)
from support.waiting import eventually

from entrypoints.runtime import Runtime
from o2c.v1 import (
    billing_pb2,
    billing_pb2_grpc,
    common_pb2,
    engagement_pb2_grpc,
    erp_routing_pb2,
    erp_routing_pb2_grpc,
    invoicing_pb2,
)

CONTROLLER = call_metadata("admin", subject="controller@firm.example")
OPERATIONS = call_metadata("operations", subject="ops@firm.example")
BILLING = call_metadata("billing", subject="billing@firm.example")
POSTED = invoicing_pb2.POSTING_STATUS_POSTED
PRIMARY, SHADOW = invoicing_pb2.POSTING_ROLE_PRIMARY, invoicing_pb2.POSTING_ROLE_SHADOW
INVOICE, CREDIT_NOTE, OPENING = (
    invoicing_pb2.ERP_DOCUMENT_KIND_INVOICE,
    invoicing_pb2.ERP_DOCUMENT_KIND_CREDIT_NOTE,
    invoicing_pb2.ERP_DOCUMENT_KIND_OPENING_RECEIVABLE,
)
EARLY_DECEMBER, DECEMBER_14, CUTOVER_DAY = date(2026, 12, 2), date(2026, 12, 14), "2026-12-15"
DECEMBER_16, DECEMBER_20, DECEMBER_31 = date(2026, 12, 16), date(2026, 12, 20), date(2026, 12, 31)
ROUTES = {
    "US01": (netsuite("US01"), None),
    "GB01": (legacy("GB01"), None),
    "DE01": (dynamics365("DE01"), legacy("DE01")),
}


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, nats_url: str
) -> Iterator[Runtime]:
    yield from service_with_erp_simulators(request.param, tmp_path_factory.mktemp("o2c"), nats_url)


@pytest.fixture
def channel(server: Runtime) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        yield as_rightful_callers(channel)


class Firm:
    """The firm's systems, each calling o2c as itself."""

    def __init__(self, channel: grpc.Channel, key: str) -> None:
        self.key = key
        self.engagements = engagement_pb2_grpc.EngagementServiceStub(channel)
        self.billing = billing_pb2_grpc.BillingServiceStub(channel)
        self.routing = erp_routing_pb2_grpc.ErpRoutingServiceStub(channel)

    def route(self, code: str) -> None:
        primary, shadow = ROUTES[code]
        request = route_request(f"route-{self.key}-{code}", code, "2020-01-01", primary, shadow)
        self.routing.SetErpRoute(request, metadata=CONTROLLER)

    def engagement(self, code: str) -> str:
        request = closed_won_with_terms(f"{self.key}-{code}", [time_and_materials("NA")], code)
        return self.engagements.CreateServiceEngagement(request).engagement.engagement_id

    def invoice_time(
        self, engagement_id: str, worked_on: date_pb2.Date, as_of: date_pb2.Date, source: str
    ) -> invoicing_pb2.InvoiceSummary:
        """7.5 approved hours, worked on `worked_on`, and the cycle that invoices them."""
        key = f"{self.key}-{engagement_id}"
        self.billing.ApproveBillableEvent(
            time_entry(key, engagement_id, source_id=source, work_date=worked_on)
        )
        cycle = billing_cycle(key, engagement_id, as_of=as_of)
        [invoice] = self.billing.RunBillingCycle(cycle).invoices
        assert invoice.issued_on == as_of and invoice.number
        return invoice

    def invoice(self, invoice_id: str) -> invoicing_pb2.Invoice:
        request = billing_pb2.GetInvoiceRequest(invoice_id=invoice_id)
        return self.billing.GetInvoice(request).invoice

    def status(self, invoice_id: str) -> billing_pb2.GetInvoiceStatusResponse:
        request = billing_pb2.GetInvoiceStatusRequest(invoice_id=invoice_id)
        return self.billing.GetInvoiceStatus(request)

    def postings(self, invoice_id: str, number: str) -> set[tuple[int, int, str, int]]:
        """Where the invoice's document `number` is: (kind, ERP, the ERP's entity, role)."""
        return {
            (p.kind, p.erp, p.erp_legal_entity, p.role)
            for p in self.invoice(invoice_id).postings
            if p.document_number == number
        }

    def wait_until_posted(
        self, invoice: invoicing_pb2.InvoiceSummary, erp: int, *also: tuple[int, int, str, int]
    ) -> billing_pb2.GetInvoiceStatusResponse:
        """Until the invoice is POSTED with `erp` holding it, and `also` postings are there."""

        def posted() -> bool:
            status = self.status(invoice.invoice_id)
            return (status.posting_status, status.erp) == (POSTED, erp) and set(also) <= (
                self.postings(invoice.invoice_id, invoice.number)
            )

        assert eventually(posted), (
            f"{invoice.number} is not posted to {erp_name(erp)}: {self.status(invoice.invoice_id)}"
            f" {self.invoice(invoice.invoice_id).postings}"
        )
        return self.status(invoice.invoice_id)

    def routes_of(self, code: str) -> list[erp_routing_pb2.ErpRoute]:
        request = erp_routing_pb2.ListErpRoutesRequest(legal_entity_code=code)
        [entity] = self.routing.ListErpRoutes(request, metadata=OPERATIONS).legal_entities
        return list(entity.routes)

    def route_changes(self, code: str) -> list[erp_routing_pb2.ErpRouteChange]:
        request = erp_routing_pb2.ListErpRouteChangesRequest(legal_entity_code=code)
        return list(self.routing.ListErpRouteChanges(request, metadata=OPERATIONS).changes)


def erp_name(erp: int) -> str:
    return erp_routing_pb2.Erp.Name(erp)


def money(amount: common_pb2.Money) -> str:
    return f"{amount.amount} {amount.currency_code}" if amount.currency_code else "-"


def report(title: str, reconciliation: erp_routing_pb2.LedgerReconciliation) -> str:
    kinds = erp_routing_pb2.LedgerVarianceKind
    lines = [
        f"=== {title} ===",
        f"left:     {reconciliation.left}",
        f"right:    {reconciliation.right}",
        f"matched:  {reconciliation.matched}",
        f"variances: {len(reconciliation.variances)}",
        *(
            f"  {v.number}: {kinds.Name(v.kind)} left {money(v.left)} right {money(v.right)}"
            for v in reconciliation.variances
        ),
        f"left totals:  {', '.join(money(m) for m in reconciliation.left_totals) or '-'}",
        f"right totals: {', '.join(money(m) for m in reconciliation.right_totals) or '-'}",
        f"balanced: {reconciliation.balanced}",
    ]
    return "\n".join(lines)


def test_a_mid_month_cutover_moves_gb01_to_netsuite_while_its_credit_note_follows_the_invoice(
    server, channel, run_key
):
    firm = Firm(channel, run_key)
    ledgers = server.container.ledgers()  # o2c's adapters, reading the simulated ERPs
    for code in ROUTES:
        firm.route(code)
    engagements = {code: firm.engagement(code) for code in ROUTES}

    # Early-December time, invoiced on 14 December: each invoice posts where its route says.
    first = {
        code: firm.invoice_time(engagement, EARLY_DECEMBER, DECEMBER_14, "TC-1")
        for code, engagement in engagements.items()
    }
    us = firm.wait_until_posted(first["US01"], NETSUITE, (INVOICE, *netsuite("US01"), PRIMARY))
    gb = firm.wait_until_posted(first["GB01"], LEGACY, (INVOICE, *legacy("GB01"), PRIMARY))
    de = firm.wait_until_posted(
        first["DE01"],
        DYNAMICS365,
        (INVOICE, *dynamics365("DE01"), PRIMARY),
        (INVOICE, *legacy("DE01"), SHADOW),
    )
    assert all(status.erp_document_id for status in (us, gb, de))

    # GB01 moves to NetSuite from 15 December: its open invoice is carried over and reconciled.
    gb_invoice = first["GB01"]
    cutover = firm.routing.CutOverLegalEntity(
        cutover_request(f"cutover-{run_key}-GB01", "GB01", CUTOVER_DAY, netsuite("GB01")),
        metadata=CONTROLLER,
    )
    print("\n" + report("GB01 cutover to NetSuite", cutover.reconciliation))

    assert cutover.carried_over == 1
    assert cutover.reconciliation.balanced and not cutover.reconciliation.variances
    assert cutover.reconciliation.matched == 1
    assert [(m.amount, m.currency_code) for m in cutover.reconciliation.right_totals] == [
        (gb_invoice.balance.amount, gb_invoice.balance.currency_code)
    ]
    before, after = cutover.routes.routes
    assert (before.primary.erp, after.primary.erp) == (LEGACY, NETSUITE)
    assert after.effective_from == date(2026, 12, 15)
    assert firm.routes_of("GB01") == list(cutover.routes.routes)
    assert (OPENING, *netsuite("GB01"), PRIMARY) in firm.postings(
        gb_invoice.invoice_id, gb_invoice.number
    )

    [change, *_] = firm.route_changes("GB01")
    assert change.set_by == "controller@firm.example"
    assert change.previous == before and change.route == after

    # A credit note issued after the cutover goes where the invoice is: the legacy ERP.
    credit = firm.billing.IssueCreditNote(
        billing_pb2.IssueCreditNoteRequest(
            request_id=f"credit-{run_key}-GB01",
            invoice_id=gb_invoice.invoice_id,
            reason="Hours billed twice",
            issued_on=DECEMBER_20,
        ),
        metadata=BILLING,
    ).credit_note
    note = credit.number

    def credit_note_posted() -> bool:
        return (CREDIT_NOTE, *legacy("GB01"), PRIMARY) in firm.postings(gb_invoice.invoice_id, note)

    assert eventually(credit_note_posted), firm.invoice(gb_invoice.invoice_id).postings
    assert {erp for _, erp, _, _ in firm.postings(gb_invoice.invoice_id, note)} == {LEGACY}
    assert firm.status(gb_invoice.invoice_id).erp == LEGACY  # the financial record stays there
    assert ledgers["legacy"].find(note) is not None and ledgers["netsuite"].find(note) is None

    # Time worked after the cutover: GB01's next invoice posts to NetSuite.
    later = firm.invoice_time(engagements["GB01"], DECEMBER_16, DECEMBER_31, "TC-2")
    assert later.number != gb_invoice.number
    firm.wait_until_posted(later, NETSUITE, (INVOICE, *netsuite("GB01"), PRIMARY))
    assert {erp for _, erp, _, _ in firm.postings(later.invoice_id, later.number)} == {NETSUITE}

    # The DE01 pilot: Dynamics 365 and the legacy ERP hold the same documents.
    reconciliation = firm.routing.ReconcileDualWrite(
        erp_routing_pb2.ReconcileDualWriteRequest(legal_entity_code="DE01", on=DECEMBER_31),
        metadata=OPERATIONS,
    ).reconciliation
    print(report("DE01 dual-write: Dynamics 365 primary vs legacy shadow", reconciliation))

    assert reconciliation.balanced and not reconciliation.variances
    assert reconciliation.matched == 1  # DE01's one invoice
    assert list(reconciliation.left_totals) == list(reconciliation.right_totals)
    assert [(m.amount, m.currency_code) for m in reconciliation.left_totals] == [
        (first["DE01"].total.amount, first["DE01"].total.currency_code)
    ]
