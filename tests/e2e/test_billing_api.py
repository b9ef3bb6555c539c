"""The billing API end to end: work of every kind staged with its charges, batches answered
item by item, held work decided, invoices built, read, previewed, credited and paid, and
engagements amended; each refusal names its field and changes nothing."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import code_pb2, error_details_pb2
from support.auth import call_metadata
from support.billing_requests import (
    amendment,
    batch_of,
    billing_cycle,
    closed_won_with_terms,
    credit_note,
    expense,
    fixed_fee,
    milestone_completed,
    payment,
    raised_cap,
    time_and_materials,
    usage_priced,
    usage_recorded,
)
from support.posting import posted
from support.requests import date, time_entry, usd
from support.statuses import refusal_of

from o2c.v1 import billing_pb2, engagement_pb2, invoicing_pb2

PSA = call_metadata("psa")


def on_package(request: billing_pb2.ApproveBillableEventRequest, code: str):
    getattr(request, request.WhichOneof("event")).work_package_code = code
    return request


@pytest.fixture
def engagement(engagements, run_key):
    """Time and materials on NA (expenses marked up 10 %, alcohol never billed), a fixed fee
    on EU, usage on API."""
    terms = [time_and_materials("NA"), fixed_fee("EU"), usage_priced("API")]
    return engagements.CreateServiceEngagement(closed_won_with_terms(run_key, terms)).engagement


@pytest.fixture
def capped(engagements, run_key):
    request = closed_won_with_terms(run_key, [time_and_materials("NA", cap="1000.00")])
    return engagements.CreateServiceEngagement(request).engagement


@pytest.fixture
def invoiced(billing, capped, run_key):
    """A finalised invoice for 7.5 hours: 1000.00 under the cap, 50.00 held beyond it."""
    staged = billing.ApproveBillableEvent(time_entry(run_key, capped.engagement_id)).staged_line
    [summary] = billing.RunBillingCycle(billing_cycle(run_key, capped.engagement_id)).invoices
    return staged, summary


def test_an_engagement_keeps_the_terms_of_each_work_package(engagement):
    by_code = {terms.work_package_code: terms for terms in engagement.billing_terms}
    assert by_code["EU"].method == engagement_pb2.BILLING_METHOD_FIXED_FEE
    assert [m.code for m in by_code["EU"].milestones] == ["DESIGN", "GO-LIVE"]
    assert by_code["NA"].rates[0].price == "140"
    assert by_code["API"].tiers[1].up_to == ""
    assert engagement.amendment_version == 0
    assert engagement.payment_terms_days == 30


def test_time_an_expense_a_milestone_and_usage_are_staged_with_their_charges(
    billing, engagement, run_key
):
    eid = engagement.engagement_id
    time = billing.ApproveBillableEvent(on_package(time_entry(run_key, eid), "NA")).staged_line
    spent = billing.ApproveBillableEvent(on_package(expense(run_key, eid), "NA")).staged_line
    done = billing.ApproveBillableEvent(
        milestone_completed(run_key, eid, "DESIGN", work_package_code="EU")
    )
    [used] = billing.ApproveBillableEvents(
        batch_of(run_key, on_package(usage_recorded(run_key, eid, "1500"), "API")),
        metadata=call_metadata("billing"),
    ).results

    assert (time.kind, time.unit_price, time.amount) == (
        billing_pb2.BILLABLE_EVENT_KIND_TIME,
        "140",
        usd("1050.00"),
    )
    assert [(c.kind, c.quantity) for c in time.charges] == [(billing_pb2.CHARGE_KIND_TIME, "7.5")]
    assert (spent.kind, spent.amount) == (billing_pb2.BILLABLE_EVENT_KIND_EXPENSE, usd("220.00"))
    assert done.staged_line.amount == usd("4000.00")
    assert used.staged_line.amount == usd("25.00")
    assert {line.status for line in (time, spent, done.staged_line, used.staged_line)} == {
        billing_pb2.BILLABLE_EVENT_STATUS_STAGED
    }


def test_an_expense_of_a_category_never_billed_is_kept_but_not_billed(billing, engagement, run_key):
    request = on_package(expense(run_key, engagement.engagement_id, category="alcohol"), "NA")
    line = billing.ApproveBillableEvent(request).staged_line
    assert line.status == billing_pb2.BILLABLE_EVENT_STATUS_NOT_BILLED


def test_time_on_a_work_package_the_engagement_lacks_is_refused_naming_it(
    billing, engagement, run_key
):
    request = on_package(time_entry(run_key, engagement.engagement_id), "APAC")
    refusal = refusal_of(lambda: billing.ApproveBillableEvent(request))
    assert refusal.code == grpc.StatusCode.NOT_FOUND
    assert refusal.detail(error_details_pb2.ErrorInfo).metadata["field"] == (
        "time_entry.work_package_code"
    )
    request.time_entry.work_package_code = "NA"
    assert not billing.ApproveBillableEvent(request).already_staged


def test_time_beyond_the_cap_is_held_until_someone_bills_it_as_overage(billing, capped, run_key):
    held = billing.ApproveBillableEvent(time_entry(run_key, capped.engagement_id)).staged_line
    assert held.amount == usd("1000.00")
    assert billing_pb2.CHARGE_KIND_HELD_OVER_CAP in [c.kind for c in held.charges]

    decided = billing.DecideHeldWork(
        billing_pb2.DecideHeldWorkRequest(
            request_id=f"decide-{run_key}",
            billable_event_id=held.billable_event_id,
            decision=billing_pb2.HELD_WORK_DECISION_BILL_AS_OVERAGE,
            reason="The client agreed to the overrun",
        )
    ).staged_line
    assert decided.amount == usd("1050.00")
    assert billing_pb2.CHARGE_KIND_CAP_OVERAGE in [c.kind for c in decided.charges]


def test_a_decision_without_a_decision_is_refused_naming_it(billing, capped, run_key):
    held = billing.ApproveBillableEvent(time_entry(run_key, capped.engagement_id)).staged_line
    request = billing_pb2.DecideHeldWorkRequest(
        request_id=f"decide-{run_key}", billable_event_id=held.billable_event_id, reason="?"
    )
    refusal = refusal_of(lambda: billing.DecideHeldWork(request))
    assert (refusal.code, refusal.field) == (grpc.StatusCode.INVALID_ARGUMENT, "decision")


def test_a_batch_answers_each_item_and_one_bad_item_sinks_no_other(billing, capped, run_key):
    eid = capped.engagement_id
    batch = batch_of(
        run_key,
        time_entry(run_key, eid, "TC-1", hours="2"),
        time_entry(run_key, eid, "TC-2", hours="25"),
        expense(run_key, eid),
        time_entry(run_key, eid, "TC-3", work_date=date(2026, 2, 30)),
    )
    results = billing.ApproveBillableEvents(batch, metadata=PSA).results

    assert [r.index for r in results] == [0, 1, 2, 3]
    assert [r.WhichOneof("outcome") for r in results] == [
        "staged_line",
        "error",
        "staged_line",
        "error",
    ]
    assert results[2].staged_line.amount == usd("220.00")
    assert (results[1].error.code, field_of(results[1].error)) == (
        code_pb2.INVALID_ARGUMENT,
        "items[1].time_entry.hours",
    )
    assert field_of(results[3].error) == "items[3].time_entry.work_date"
    again = billing.ApproveBillableEvents(batch, metadata=PSA).results
    assert (again[0], again[2]) == (results[0], results[2]), "a retry gets the first answers"


def test_a_batch_item_for_another_system_is_refused_alone(billing, capped, run_key):
    eid = capped.engagement_id
    batch = batch_of(run_key, time_entry(run_key, eid, "TC-1"), expense(run_key, eid))
    results = billing.ApproveBillableEvents(batch, metadata=call_metadata("billing")).results
    assert [r.error.code for r in results] == [code_pb2.PERMISSION_DENIED] * 2
    assert reason_of(results[0].error) == "SOURCE_SYSTEM_MISMATCH"


def test_a_batch_item_without_an_event_refuses_the_whole_batch_naming_the_item(
    billing, capped, run_key
):
    batch = batch_of(run_key, time_entry(run_key, capped.engagement_id))
    batch.items.add(request_id="empty", source_system=batch.items[0].source_system)
    refusal = refusal_of(lambda: billing.ApproveBillableEvents(batch, metadata=PSA))
    assert (refusal.code, refusal.field) == (grpc.StatusCode.INVALID_ARGUMENT, "items[1].event")
    assert not billing.ApproveBillableEvent(
        time_entry(run_key, capped.engagement_id)
    ).already_staged


def test_a_billing_cycle_issues_a_numbered_invoice_that_names_the_events_it_bills(
    billing, invoiced
):
    staged, summary = invoiced
    assert summary.status == invoicing_pb2.INVOICE_STATUS_FINALISED
    assert summary.number.startswith("US01-2026-")
    assert posted(billing, summary.invoice_id)  # else the two reads may see it posting, then posted
    invoice = billing.GetInvoice(billing_pb2.GetInvoiceRequest(invoice_id=summary.invoice_id))
    by_number = billing.GetInvoice(billing_pb2.GetInvoiceRequest(invoice_number=summary.number))
    assert invoice == by_number
    assert invoice.invoice.total == usd("1000.00") == invoice.invoice.balance
    assert invoice.invoice.due_on == date(2027, 1, 30)
    assert [ln.billable_event_ids for ln in invoice.invoice.lines] == [[staged.billable_event_id]]


def test_a_draft_previews_as_it_would_read_without_a_number(billing, capped, run_key):
    billing.ApproveBillableEvent(time_entry(run_key, capped.engagement_id))
    cycle = billing_cycle(run_key, capped.engagement_id, finalise=False)
    [draft] = billing.RunBillingCycle(cycle).invoices
    assert (draft.status, draft.number) == (invoicing_pb2.INVOICE_STATUS_DRAFT, "")

    preview = billing.PreviewInvoice(
        billing_pb2.PreviewInvoiceRequest(invoice_id=draft.invoice_id)
    ).invoice
    assert preview.number == "" and preview.HasField("issued_on")
    assert preview.total == usd("1000.00")
    assert preview.notes == ["Not subject to US sales tax"]


def test_a_business_customer_abroad_is_invoiced_under_reverse_charge(engagements, billing, run_key):
    request = closed_won_with_terms(
        run_key,
        [time_and_materials("NA")],
        "GB01",
        customer_country="DE",
        customer_vat_number="DE123456789",
    )
    created = engagements.CreateServiceEngagement(request).engagement
    assert created.customer_country == "DE"
    billing.ApproveBillableEvent(time_entry(run_key, created.engagement_id))
    [summary] = billing.RunBillingCycle(billing_cycle(run_key, created.engagement_id)).invoices
    invoice = billing.GetInvoice(billing_pb2.GetInvoiceRequest(invoice_id=summary.invoice_id))
    [line] = invoice.invoice.lines
    assert line.tax_treatment == invoicing_pb2.TAX_TREATMENT_REVERSE_CHARGE
    assert invoice.invoice.tax == usd("0.00")
    assert any(note.startswith("Reverse charge") for note in invoice.invoice.notes)


def test_a_credit_note_credits_part_of_a_line_and_the_invoice_shows_it(billing, invoiced, run_key):
    _, summary = invoiced
    part = billing_pb2.CreditLineRequest(line_number=1, net=usd("100.00"))
    answer = billing.IssueCreditNote(credit_note(run_key, summary.invoice_id, part))
    assert answer.credit_note.number.startswith("US01-CN-2027-")
    assert answer.credit_note.total == usd("100.00")
    assert answer.invoice.credited == usd("100.00")
    assert answer.invoice.balance == usd("900.00")
    status = billing.GetInvoiceStatus(
        billing_pb2.GetInvoiceStatusRequest(invoice_id=summary.invoice_id)
    )
    assert (status.credited, status.balance) == (usd("100.00"), usd("900.00"))


def test_crediting_more_than_a_line_is_refused_and_credits_nothing(billing, invoiced, run_key):
    _, summary = invoiced
    too_much = billing_pb2.CreditLineRequest(line_number=1, net=usd("5000.00"))
    refusal = refusal_of(
        lambda: billing.IssueCreditNote(credit_note(run_key, summary.invoice_id, too_much))
    )
    assert (refusal.code, refusal.reason) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "CREDIT_EXCEEDS_INVOICE",
    )
    status = billing.GetInvoiceStatus(
        billing_pb2.GetInvoiceStatusRequest(invoice_id=summary.invoice_id)
    )
    assert status.credited == usd("0.00")


def test_a_payment_settles_the_invoice_and_an_overpayment_is_kept_as_credit(
    billing, invoiced, run_key
):
    _, summary = invoiced
    paid = billing.RecordPayment(payment(run_key, summary.invoice_id, "1200.00"))
    assert (paid.applied, paid.unapplied, paid.balance) == (
        usd("1000.00"),
        usd("200.00"),
        usd("0.00"),
    )
    assert paid.status == invoicing_pb2.INVOICE_STATUS_PAID
    status = billing.GetInvoiceStatus(
        billing_pb2.GetInvoiceStatusRequest(invoice_number=summary.number)
    )
    assert (status.status, status.unapplied) == (invoicing_pb2.INVOICE_STATUS_PAID, usd("200.00"))


def test_a_payment_in_another_currency_is_refused_naming_it(billing, invoiced, run_key):
    _, summary = invoiced
    request = payment(run_key, summary.invoice_id, "10.00")
    request.amount.currency_code = "EUR"
    refusal = refusal_of(lambda: billing.RecordPayment(request))
    assert refusal.code == grpc.StatusCode.INVALID_ARGUMENT
    assert refusal.field.endswith("currency_code")
    status = billing.GetInvoiceStatus(
        billing_pb2.GetInvoiceStatusRequest(invoice_id=summary.invoice_id)
    )
    assert (status.paid, status.status) == (usd("0.00"), invoicing_pb2.INVOICE_STATUS_FINALISED)


def test_invoices_are_listed_a_page_at_a_time(engagements, billing, run_key):
    """In a legal entity of its own: its invoices are numbered in the order of their days."""
    request = closed_won_with_terms(run_key, [time_and_materials("NA")], "DE01")
    eid = engagements.CreateServiceEngagement(request).engagement.engagement_id
    for day in (2, 9, 16):
        billing.ApproveBillableEvent(
            time_entry(run_key, eid, f"TC-{day}", hours="1", work_date=date(2026, 12, day))
        )
        billing.RunBillingCycle(billing_cycle(run_key, eid, as_of=date(2026, 12, day + 1)))

    first = billing.ListInvoices(billing_pb2.ListInvoicesRequest(engagement_id=eid, page_size=2))
    rest = billing.ListInvoices(
        billing_pb2.ListInvoicesRequest(
            engagement_id=eid, page_size=2, page_token=first.next_page_token
        )
    )

    assert len(first.invoices) == 2 and first.next_page_token
    assert len(rest.invoices) == 1 and not rest.next_page_token
    numbers = {invoice.number for invoice in (*first.invoices, *rest.invoices)}
    assert len(numbers) == 3


def test_a_page_token_of_other_filters_is_refused_naming_it(billing, invoiced):
    _, summary = invoiced
    listed = billing.ListInvoices(
        billing_pb2.ListInvoicesRequest(legal_entity_code="US01", page_size=1)
    )
    other = billing_pb2.ListInvoicesRequest(
        engagement_id=summary.engagement_id, page_token=listed.next_page_token
    )
    refusal = refusal_of(lambda: billing.ListInvoices(other))
    assert (refusal.code, refusal.field) == (grpc.StatusCode.INVALID_ARGUMENT, "page_token")


def test_an_unknown_invoice_is_not_found(billing):
    refusal = refusal_of(
        lambda: billing.GetInvoice(billing_pb2.GetInvoiceRequest(invoice_number="US01-1999-9"))
    )
    assert refusal.code == grpc.StatusCode.NOT_FOUND


def test_a_cycle_on_an_impossible_day_is_refused_naming_it(billing, capped, run_key):
    cycle = billing_cycle(run_key, capped.engagement_id, as_of=date(2026, 2, 30))
    refusal = refusal_of(lambda: billing.RunBillingCycle(cycle))
    assert (refusal.code, refusal.field) == (grpc.StatusCode.INVALID_ARGUMENT, "as_of")
    listed = billing.ListInvoices(
        billing_pb2.ListInvoicesRequest(engagement_id=capped.engagement_id)
    )
    assert list(listed.invoices) == []


def test_an_amendment_raises_the_cap_and_numbers_the_version(engagements, capped, run_key):
    amended = engagements.AmendServiceEngagement(
        amendment(capped.engagement_id, 1, raised_cap("NA", "5000.00"), key=run_key)
    ).engagement
    assert amended.amendment_version == 1
    [terms] = amended.billing_terms
    assert terms.cap == usd("5000.00")


def test_an_amendment_out_of_turn_is_refused_and_changes_nothing(engagements, capped, run_key):
    stale = amendment(capped.engagement_id, 2, raised_cap("NA", "5000.00"), key=run_key)
    refusal = refusal_of(lambda: engagements.AmendServiceEngagement(stale))
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.ABORTED, "CONCURRENT_UPDATE")
    fetched = engagements.GetServiceEngagement(
        engagement_pb2.GetServiceEngagementRequest(engagement_id=capped.engagement_id)
    ).engagement
    assert fetched.amendment_version == 0
    assert fetched.billing_terms[0].cap == usd("1000.00")


def test_terms_whose_milestones_miss_the_fee_are_refused_naming_them(engagements, run_key):
    terms = fixed_fee("EU")
    terms.milestones[1].amount.amount = "5000"
    request = closed_won_with_terms(run_key, [terms])
    refusal = refusal_of(lambda: engagements.CreateServiceEngagement(request))
    assert refusal.code == grpc.StatusCode.INVALID_ARGUMENT
    assert refusal.field.startswith("opportunity.billing_terms[0].milestones")


@pytest.mark.parametrize(
    ("rpc", "request_of", "system"),
    [
        ("RecordPayment", lambda: payment("K", "inv-1", "1.00"), "billing"),
        ("IssueCreditNote", lambda: credit_note("K", "inv-1"), "erp"),
        ("RunBillingCycle", lambda: billing_cycle("K", "eng-1"), "psa"),
        ("DecideHeldWork", lambda: billing_pb2.DecideHeldWorkRequest(request_id="r"), "crm"),
    ],
)
def test_each_billing_rpc_refuses_callers_its_policy_does_not_name(
    billing, rpc, request_of, system
):
    call = getattr(billing, rpc)
    refusal = refusal_of(lambda: call(request_of(), metadata=call_metadata(system)))
    assert (refusal.code, refusal.reason) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "CALLER_NOT_ALLOWED",
    )


def test_reading_invoices_needs_the_invoices_read_scope(billing):
    metadata = call_metadata("erp", scopes=("payments:write",))
    request = billing_pb2.GetInvoiceRequest(invoice_id="inv-1")
    refusal = refusal_of(lambda: billing.GetInvoice(request, metadata=metadata))
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.PERMISSION_DENIED, "SCOPE_MISSING")


def test_the_psa_may_not_amend_an_engagement(engagements, capped, run_key):
    request = amendment(capped.engagement_id, 1, raised_cap("NA", "5000.00"), key=run_key)
    refusal = refusal_of(
        lambda: engagements.AmendServiceEngagement(request, metadata=call_metadata("psa"))
    )
    assert refusal.reason == "CALLER_NOT_ALLOWED"


def field_of(status) -> str:
    for packed in status.details:
        if packed.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            packed.Unpack(bad)
            return bad.field_violations[0].field
    return ""


def reason_of(status) -> str:
    for packed in status.details:
        if packed.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            packed.Unpack(info)
            return info.reason
    return ""
