"""`make demo`, billing: one engagement per billing method, the README's worked figures,
through to the finalised invoices of one December cycle; a credit note and a payment.

Each call is signed as its system of record: the CRM creates and amends engagements, the PSA
approves time, expenses and milestones and decides held work, the billing platform meters usage,
runs the cycle and credits, the ERP records payments."""

from __future__ import annotations

import grpc

from entrypoints.demo_invoices import amount, show_invoice, show_staged, words
from entrypoints.demo_requests import (
    CallerMetadata,
    billed_as_overage,
    billed_by,
    cap_raised,
    credit_on_line,
    december_cycle,
    expense_incurred,
    milestone_completed,
    money,
    payment_of,
    terms,
    time_worked,
    usage_metered,
)
from o2c.v1 import billing_pb2, billing_pb2_grpc, engagement_pb2, engagement_pb2_grpc, invoicing_pb2


class Calls:
    """The demo's stubs, each call signed as the system that makes it."""

    def __init__(self, channel: grpc.Channel, run: str, calling_as: CallerMetadata) -> None:
        self.engagements = engagement_pb2_grpc.EngagementServiceStub(channel)
        self.billing = billing_pb2_grpc.BillingServiceStub(channel)
        self.run = run
        self.calling_as = calling_as
        self.methods: dict[str, str] = {}  # engagement id → how it is billed
        self.sources: dict[str, str] = {}  # billable event id → the source id approved

    def engage(self, request: engagement_pb2.CreateServiceEngagementRequest, method: str) -> str:
        created = self.engagements.CreateServiceEngagement(request, metadata=self.calling_as("crm"))
        engagement = created.engagement
        status = engagement_pb2.EngagementStatus.Name(engagement.status)
        print(f"  {engagement.opportunity_id} ({engagement.legal_entity_code}) -> {status}")
        self.methods[engagement.engagement_id] = method
        return engagement.engagement_id

    def approve(self, request: billing_pb2.ApproveBillableEventRequest) -> billing_pb2.StagedLine:
        reply = self.billing.ApproveBillableEvent(request, metadata=self.calling_as("psa"))
        return self.staged(reply.staged_line)

    def meter(self, request: billing_pb2.ApproveBillableEventsRequest) -> None:
        reply = self.billing.ApproveBillableEvents(request, metadata=self.calling_as("billing"))
        for result in reply.results:
            self.staged(result.staged_line)

    def bill_as_overage(self, held: billing_pb2.StagedLine) -> None:
        request = billed_as_overage(self.run, held.billable_event_id)
        decided = self.billing.DecideHeldWork(request, metadata=self.calling_as("psa"))
        self.staged(decided.staged_line, "billed as overage")

    def staged(self, line: billing_pb2.StagedLine, verdict: str = "") -> billing_pb2.StagedLine:
        self.sources[line.billable_event_id] = line.source_id
        show_staged(line, verdict)
        return line

    def amend(self, request: engagement_pb2.AmendServiceEngagementRequest) -> None:
        reply = self.engagements.AmendServiceEngagement(request, metadata=self.calling_as("crm"))
        [package] = reply.engagement.billing_terms
        print(
            f"  change order {reply.engagement.amendment_version}: cap now "
            f"{package.cap.amount} {package.cap.currency_code}"
        )

    def invoice(self, invoice_id: str) -> invoicing_pb2.Invoice:
        request = billing_pb2.GetInvoiceRequest(invoice_id=invoice_id)
        return self.billing.GetInvoice(request, metadata=self.calling_as("billing")).invoice


def bill_each_method(channel: grpc.Channel, run: str, calling_as: CallerMetadata) -> None:
    calls = Calls(channel, run, calling_as)
    print(f"\n== billing: one engagement per method, the README's figures (run {run})")
    capped = time_and_materials_over_cap(calls)
    for story in (change_order, fixed_fee, retainer, subscription, usage_in_yen, expenses_in_dinar):
        story(calls)
    invoices = december_invoices(calls)
    credit_and_payment(calls, invoices[capped])
    print("\n== the invoices")
    for invoice_id in invoices.values():
        show_invoice(calls.invoice(invoice_id), calls.methods, calls.sources)


def time_and_materials_over_cap(calls: Calls) -> str:
    print("\n-- time and materials at 150.00 USD/h, not to exceed 1000.00 USD")
    cap = terms("TIME_AND_MATERIALS", cap=money("1000.00"))
    engagement = calls.engage(billed_by(calls.run, "TM", cap), "time and materials, capped")
    calls.approve(time_worked(calls.run, engagement, "TM-1", 2, "5"))
    split = calls.approve(time_worked(calls.run, engagement, "TM-2", 3, "3"))
    calls.bill_as_overage(split)
    return engagement


def change_order(calls: Calls) -> None:
    print("\n-- the same terms, the cap raised to 1500.00 USD by a change order")
    cap = terms("TIME_AND_MATERIALS", cap=money("1000.00"))
    engagement = calls.engage(billed_by(calls.run, "CO", cap), "time and materials, cap raised")
    calls.approve(time_worked(calls.run, engagement, "CO-1", 2, "8"))
    calls.amend(cap_raised(calls.run, engagement, 1, money("1500.00")))


def fixed_fee(calls: Calls) -> None:
    print("\n-- fixed fee 30000.00 USD: DESIGN 10000.00, BUILD 20000.00")
    milestones = [
        engagement_pb2.Milestone(code="DESIGN", name="Design signed off", amount=money("10000")),
        engagement_pb2.Milestone(code="BUILD", name="Built", amount=money("20000")),
    ]
    fee = terms("FIXED_FEE", fee=money("30000.00"), milestones=milestones)
    engagement = calls.engage(billed_by(calls.run, "FF", fee), "fixed fee")
    calls.approve(milestone_completed(calls.run, engagement, "FF-DESIGN", "DESIGN"))
    calls.approve(time_worked(calls.run, engagement, "FF-1", 2, "8"))


def retainer(calls: Calls) -> None:
    print("\n-- retainer 5000.00 USD a month, drawn down by time at 150.00 USD/h, unused expires")
    monthly = terms(
        "RETAINER",
        fee=money("5000.00"),
        unused_balance=engagement_pb2.UNUSED_BALANCE_EXPIRES,
    )
    engagement = calls.engage(billed_by(calls.run, "RT", monthly), "retainer")
    for number, (day, hours) in enumerate(((2, "20"), (3, "20"), (4, "10")), start=1):
        calls.approve(time_worked(calls.run, engagement, f"RT-{number}", day, hours))


def subscription(calls: Calls) -> None:
    print("\n-- subscription 1000.00 USD a month, services at 150.00 USD/h")
    monthly = terms("SUBSCRIPTION_PLUS_SERVICES", fee=money("1000.00"))
    engagement = calls.engage(billed_by(calls.run, "SUB", monthly), "subscription plus services")
    calls.approve(time_worked(calls.run, engagement, "SUB-1", 2, "10"))


def usage_in_yen(calls: Calls) -> None:
    print("\n-- usage in JPY (no minor unit): 1000 included, 0.5 up to 10000, then 0.25")
    tiers = [
        engagement_pb2.UsageTier(up_to="10000", price="0.5", currency_code="JPY"),
        engagement_pb2.UsageTier(price="0.25", currency_code="JPY"),
    ]
    metered = terms("USAGE", included_quantity="1000", tiers=tiers)
    deal = {"legal_entity": "JP01", "currency": "JPY", "rate": "20000"}
    engagement = calls.engage(billed_by(calls.run, "USE", metered, **deal), "usage")
    calls.meter(usage_metered(calls.run, engagement, ("USE-1", 5, "5000"), ("USE-2", 20, "7001")))


def expenses_in_dinar(calls: Calls) -> None:
    print("\n-- time and expenses in KWD (3 minor digits): 50.000 KWD/h, expenses +10 %, no meals")
    marked_up = terms(
        "TIME_AND_MATERIALS", expense_markup_percent="10", non_billable_categories=["meals"]
    )
    deal = {"legal_entity": "KW01", "currency": "KWD", "rate": "50.000"}
    engagement = calls.engage(billed_by(calls.run, "EXP", marked_up, **deal), "time and expenses")
    calls.approve(time_worked(calls.run, engagement, "EXP-1", 2, "1.5"))
    travel, meals = money("12.345", "KWD"), money("8.000", "KWD")
    calls.approve(expense_incurred(calls.run, engagement, "EXP-2", travel, "travel"))
    calls.approve(expense_incurred(calls.run, engagement, "EXP-3", meals, "meals"))


def december_invoices(calls: Calls) -> dict[str, str]:
    """Engagement id → its finalised invoice's id."""
    print(
        "\n== the billing platform runs the December cycle for these engagements, as of 2026-12-31"
    )
    request = december_cycle(calls.run, list(calls.methods))
    cycle = calls.billing.RunBillingCycle(request, metadata=calls.calling_as("billing"))
    by_engagement = {summary.engagement_id: summary.invoice_id for summary in cycle.invoices}
    print(f"  {len(cycle.invoices)} invoices finalised, numbered per legal entity")
    return {engagement: by_engagement[engagement] for engagement in calls.methods}


def credit_and_payment(calls: Calls, invoice_id: str) -> None:
    print(
        "\n== the capped invoice: half its overage credited by billing, the rest paid via the ERP"
    )
    [overage] = [line for line in calls.invoice(invoice_id).lines if is_overage(line)]
    credit = credit_on_line(calls.run, invoice_id, overage.number, money("100.00"))
    note = calls.billing.IssueCreditNote(credit, metadata=calls.calling_as("billing")).credit_note
    print(f"  credit note {note.number}: {amount(note.total)}")
    paid = calls.billing.RecordPayment(
        payment_of(calls.run, invoice_id, money("1100.00")), metadata=calls.calling_as("erp")
    )
    status = words(invoicing_pb2.InvoiceStatus.Name(paid.status), "INVOICE_STATUS_")
    print(f"  payment {amount(paid.applied)} applied, balance {amount(paid.balance)} -> {status}")


def is_overage(line: invoicing_pb2.InvoiceLine) -> bool:
    return line.description.startswith("Time over the cap")
