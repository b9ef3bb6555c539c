"""Billing through its use cases, one worked example per billing method, figures checked by
hand, with in-memory storage."""

from __future__ import annotations

import pytest
from attrs import evolve
from support.billing_api import (
    ReferenceData,
    change_order,
    credit,
    cycle,
    expense,
    fixed_fee,
    in_currency,
    milestone,
    opportunity,
    payment,
    retainer,
    subscription,
    time,
    time_and_materials,
    usage,
    used,
)
from support.builders import integration

from application.amend_engagement import amend_service_engagement
from application.approve_work import approve_many, approve_work
from application.billing_cycle import run_cycle
from application.billing_ports import BillingPorts, ChangeOrder
from application.commands import DecideHeldWork, RateChangeLine, TermsChangeLine
from application.create_engagement import create_service_engagement, saga_runner
from application.held_work import decide_held_work
from application.invoices import (
    get_invoice,
    issue_credit_note,
    list_invoices,
    preview_invoice,
    record_payment,
)
from application.ports import InvoiceFilter, LegalEntity
from application.queries import get_billable_event
from domain.billable_event import BillableEventStatus
from domain.errors import (
    AmendmentRewritesInvoiced,
    ConcurrentUpdate,
    CreditExceedsInvoice,
    CurrencyMismatch,
    InvalidField,
    MilestoneNotOnTerms,
    RoleNotOnRateCard,
)
from domain.invoicing.invoice import InvoiceStatus
from domain.money import Money
from domain.ownership import OwnershipMatrix
from unit.fakes import FakeErp, FakeUnitOfWork, SequentialIds

FINANCE = integration("billing")


class ChangeOrders:
    def __init__(self) -> None:
        self.orders: dict[str, ChangeOrder] = {}

    def apply_change_order(self, order: ChangeOrder) -> str:
        self.orders[order.external_id] = order
        return f"CO-{len(self.orders)}"


@pytest.fixture
def erp() -> FakeErp:
    entities = [("US01", "USMF"), ("JP01", "JPMF"), ("KW01", "KWMF")]
    return FakeErp({code: LegalEntity(code, erp, f"{code}-TAX") for code, erp in entities})


@pytest.fixture
def change_orders() -> ChangeOrders:
    return ChangeOrders()


@pytest.fixture
def ports(store, clock, psa, change_orders, provisioning) -> BillingPorts:
    return BillingPorts(
        sagas=saga_runner(evolve(provisioning, change_orders=change_orders)),
        uow_factory=lambda: FakeUnitOfWork(store),
        clock=clock,
        ids=SequentialIds("b"),
        ownership=OwnershipMatrix.default(),
        reference=ReferenceData(),
        psa=psa,
        change_orders=change_orders,
    )


@pytest.fixture
def engage(provisioning):
    def engage(cmd) -> str:
        return create_service_engagement(cmd, provisioning)

    return engage


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def finalised_invoice(ports, engagement_id: str, as_of: str = "2026-12-31", request_id=""):
    request = cycle(as_of, engagement_id)
    [invoice] = run_cycle(
        evolve(request, request_id=request_id or request.request_id), ports
    ).invoices
    return invoice


def test_time_beyond_a_cap_is_held_until_someone_bills_it_as_overage(engage, ports):
    engagement_id = engage(opportunity(time_and_materials(cap="1000.00")))
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "5"), ports)  # 750.00
    split = approve_work(time(engagement_id, "TE-2", "2026-12-03", "3"), ports).event  # 450.00

    assert split.amount == usd("250.00") and split.status is BillableEventStatus.STAGED
    held = [c for c in split.charges if c.kind.value == "held_over_cap"]
    assert [c.amount for c in held] == [usd("200.00")]

    decided = decide_held_work(
        DecideHeldWork("decide-1", split.id, "bill", "Customer agreed the overrun", FINANCE),
        ports,
    )
    assert decided.amount == usd("450.00")
    invoice = finalised_invoice(ports, engagement_id)
    assert invoice.net == usd("1200.00") and invoice.tax == usd("0.00")
    assert str(invoice.number) == "US01-2026-000001"
    assert split.id in invoice.source_ids


def test_written_off_work_never_reaches_an_invoice(engage, ports):
    engagement_id = engage(opportunity(time_and_materials(cap="100.00")))
    event = approve_work(time(engagement_id, "TE-1", "2026-12-02", "2"), ports).event  # 300.00
    decide_held_work(DecideHeldWork("d-1", event.id, "write_off", "Goodwill", FINANCE), ports)

    invoice = finalised_invoice(ports, engagement_id)
    assert invoice.net == usd("100.00")


def test_a_fixed_fee_bills_each_milestone_once_it_is_completed(engage, ports):
    terms = fixed_fee("30000.00", ("DESIGN", "10000.00"), ("BUILD", "20000.00"))
    engagement_id = engage(opportunity(terms))
    done = approve_work(milestone(engagement_id, "MS-1", "2026-12-10", "DESIGN"), ports)
    effort = approve_work(time(engagement_id, "TE-1", "2026-12-02", "8"), ports)

    assert done.event.amount == usd("10000.00")
    assert effort.event.status is BillableEventStatus.NOT_BILLED
    with pytest.raises(MilestoneNotOnTerms) as refused:
        approve_work(milestone(engagement_id, "MS-2", "2026-12-11", "TESTING"), ports)
    assert refused.value.field == "milestone.milestone_code"
    assert finalised_invoice(ports, engagement_id).net == usd("10000.00")


def test_a_retainer_fee_is_drawn_down_and_work_beyond_it_is_overage(engage, ports):
    engagement_id = engage(opportunity(retainer("5000.00")))
    first = approve_work(time(engagement_id, "TE-1", "2026-12-02", "20"), ports)  # 3,000 drawn
    second = approve_work(time(engagement_id, "TE-2", "2026-12-03", "20"), ports)  # 3,000
    third = approve_work(time(engagement_id, "TE-3", "2026-12-04", "10"), ports)  # 1,500

    assert first.event.amount == usd("0.00")  # covered by the fee
    assert second.event.amount == usd("1000.00")  # 2,000 drawn, 1,000 overage
    assert third.event.amount == usd("1500.00")  # all overage
    invoice = finalised_invoice(ports, engagement_id)
    assert invoice.net == usd("7500.00")  # December's fee and the overage


def test_a_subscription_bills_its_fee_and_services_at_the_rate_card(engage, ports):
    engagement_id = engage(opportunity(subscription("1000.00")))
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "10"), ports)  # 1,500.00

    assert finalised_invoice(ports, engagement_id).net == usd("2500.00")


def test_usage_in_yen_is_billed_beyond_the_included_quantity_with_tax(engage, ports):
    terms = usage("1000", ("10000", "0.5"), ("", "0.25"), currency="JPY")
    engagement_id = engage(in_currency("JPY", "JP01", "20000", terms=(terms,)))
    approve_work(used(engagement_id, "U-1", "2026-12-05", "5000"), ports)  # 4,000 x 0.5
    later = approve_work(used(engagement_id, "U-2", "2026-12-20", "7001"), ports)

    # 5,000 more at 0.5 up to 10,000, then 2,001 at 0.25: 3,000.25, rounded once to 3,000
    assert later.event.amount == Money.of("3000", "JPY")
    invoice = finalised_invoice(ports, engagement_id)
    assert invoice.net == Money.of("5000", "JPY")
    assert invoice.tax == Money.of("500", "JPY") and invoice.total == Money.of("5500", "JPY")


def test_expenses_in_dinar_carry_the_markup_and_skip_non_billable_categories(engage, ports):
    terms = time_and_materials(expense_markup_percent="10", non_billable_categories=("meals",))
    engagement_id = engage(in_currency("KWD", "KW01", "50.000", terms=(terms,)))
    travel = approve_work(
        expense(engagement_id, "EX-1", "2026-12-04", "12.345", "KWD", "travel"), ports
    )
    meals = approve_work(
        expense(engagement_id, "EX-2", "2026-12-04", "8.000", "KWD", "meals"), ports
    )
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "1.5"), ports)  # 75.000

    assert travel.event.amount == Money.of("13.580", "KWD")  # 13.5795 rounded half up
    assert meals.event.status is BillableEventStatus.NOT_BILLED
    invoice = finalised_invoice(ports, engagement_id)
    assert invoice.total == Money.of("88.580", "KWD")


def test_an_expense_in_another_currency_is_refused_naming_the_field(engage, ports):
    engagement_id = engage(opportunity())
    with pytest.raises(CurrencyMismatch) as refused:
        approve_work(expense(engagement_id, "EX-1", "2026-12-04", "10.00", "EUR", "travel"), ports)
    assert refused.value.field == "expense.cost.currency_code"


def test_a_batch_answers_each_item_and_one_bad_item_sinks_nothing(engage, ports):
    engagement_id = engage(opportunity())
    items = [
        time(engagement_id, "TE-1", "2026-12-02", "2"),
        evolve(
            time(engagement_id, "TE-2", "2026-12-02", "2", role="astronaut"),
            field_prefix="items[1].",
        ),
        time(engagement_id, "TE-3", "2026-12-03", "1"),
    ]
    first = approve_many(items, ports)
    replayed = approve_many(items, ports)
    again = approve_many([evolve(i, request_id=i.request_id + "-again") for i in items], ports)

    assert [o.error is None for o in first] == [True, False, True]
    assert isinstance(first[1].error, RoleNotOnRateCard)
    assert first[1].error.field == "items[1].time_entry.role"
    assert [o.approval.already_staged for o in again if o.approval] == [True, True]
    assert [o.approval.already_staged for o in replayed if o.approval] == [False, False]
    assert first[2].approval and first[2].approval.event.amount == usd("150.00")


def test_a_raised_cap_releases_held_work_and_reaches_the_psa(engage, ports, change_orders):
    engagement_id = engage(opportunity(time_and_materials(cap="1000.00")))
    held = approve_work(time(engagement_id, "TE-1", "2026-12-02", "8"), ports).event  # 1,200

    amended = amend_service_engagement(
        change_order(engagement_id, 1, TermsChangeLine("NA", cap="1500.00")), ports
    )
    assert amended.agreement.version == 1
    released = get_billable_event(held.id, ports.uow_factory)
    assert (held.amount, released.amount) == (usd("1000.00"), usd("1200.00"))
    [order] = change_orders.orders.values()
    assert order.version == 1 and "cap 1500.00 USD" in order.summary
    assert finalised_invoice(ports, engagement_id).net == usd("1200.00")
    assert held.id


def test_an_amendment_is_numbered_and_never_rewrites_invoiced_work(engage, ports):
    engagement_id = engage(opportunity(time_and_materials(cap="1000.00")))
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "4"), ports)  # 600
    finalised_invoice(ports, engagement_id)
    amend_service_engagement(
        change_order(engagement_id, 1, TermsChangeLine("NA", cap="2000.00")), ports
    )

    with pytest.raises(ConcurrentUpdate):
        amend_service_engagement(
            change_order(engagement_id, 1, TermsChangeLine("NA", cap="3000.00"), request_id="x"),
            ports,
        )
    with pytest.raises(AmendmentRewritesInvoiced) as refused:
        amend_service_engagement(
            change_order(engagement_id, 2, TermsChangeLine("NA", cap="500.00")), ports
        )
    assert refused.value.field == "changes[0].cap.amount"


def test_a_full_credit_note_releases_work_that_is_billed_again_only_once_reapproved(engage, ports):
    engagement_id = engage(opportunity())
    entry = time(engagement_id, "TE-1", "2026-12-02", "4")  # 600.00
    approve_work(entry, ports)
    invoice = finalised_invoice(ports, engagement_id)
    credited, note = issue_credit_note(credit(invoice.id, issued_on="2027-01-05"), ports)

    assert note.total == invoice.total and credited.status is InvoiceStatus.CREDITED
    assert run_cycle(cycle("2027-01-31", engagement_id), ports).invoices == ()
    again = approve_work(evolve(entry, request_id="reapprove-TE-1"), ports)
    assert again.reapproved
    rebilled = finalised_invoice(ports, engagement_id, "2027-01-31", request_id="rebill")
    assert rebilled.total == invoice.total and str(rebilled.number) == "US01-2027-000002"


def test_a_credit_larger_than_the_line_is_refused_and_changes_nothing(engage, ports):
    engagement_id = engage(opportunity())
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "4"), ports)
    invoice = finalised_invoice(ports, engagement_id)

    with pytest.raises(CreditExceedsInvoice):
        issue_credit_note(credit(invoice.id, (1, "600.01"), issued_on="2027-01-05"), ports)
    assert get_invoice(invoice.id, "", ports, FINANCE).credit_notes == ()


def test_payments_settle_the_balance_and_keep_an_overpayment_as_credit(engage, ports):
    engagement_id = engage(opportunity())
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "4"), ports)  # 600.00
    invoice = finalised_invoice(ports, engagement_id)

    part, _ = record_payment(payment(invoice.id, "PAY-1", "100.00", "USD"), ports)
    assert part.status is InvoiceStatus.PARTIALLY_PAID and part.balance == usd("500.00")
    with pytest.raises(CurrencyMismatch) as refused:
        record_payment(payment(invoice.id, "PAY-2", "500.00", "EUR"), ports)
    assert refused.value.field == "amount.currency_code"
    paid, application = record_payment(payment(invoice.id, "PAY-3", "650.00", "USD"), ports)
    assert paid.status is InvoiceStatus.PAID and application.unapplied == usd("150.00")


def test_a_draft_is_previewed_without_a_number_and_rebuilt_until_finalised(engage, ports):
    engagement_id = engage(opportunity())
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "4"), ports)
    [draft] = run_cycle(cycle("2026-12-31", engagement_id, finalise=False), ports).invoices
    approve_work(time(engagement_id, "TE-2", "2026-12-03", "2"), ports)
    [redrafted] = run_cycle(
        cycle("2026-12-31", engagement_id, finalise=False, request_id="again"), ports
    ).invoices

    assert preview_invoice(redrafted.id, ports, FINANCE).number == ""
    assert redrafted.net == usd("900.00") and draft.net == usd("600.00")
    drafts = list_invoices(InvoiceFilter(engagement_id=engagement_id), "", 10, ports, FINANCE)
    assert [i.id for i in drafts] == [redrafted.id]
    final = finalised_invoice(ports, engagement_id)
    assert final.net == usd("900.00") and final.status is InvoiceStatus.FINALISED


def test_usage_within_the_included_quantity_and_a_free_expense_bill_nothing(engage, ports):
    terms = usage("1000", ("", "0.5"), currency="JPY")
    engagement_id = engage(in_currency("JPY", "JP01", "20000", terms=(terms,)))
    within = approve_work(used(engagement_id, "U-1", "2026-12-05", "10"), ports)
    beyond = approve_work(used(engagement_id, "U-2", "2026-12-06", "1000"), ports)

    assert within.event.status is BillableEventStatus.NOT_BILLED
    assert beyond.event.amount == Money.of("5", "JPY")  # 10 of the 1,000 beyond the allowance
    assert finalised_invoice(ports, engagement_id).net == Money.of("5", "JPY")


def test_lines_of_one_day_follow_the_customers_references_and_read_as_work(engage, ports):
    engagement_id = engage(opportunity())
    approve_work(time(engagement_id, "TE-2", "2026-12-02", "2"), ports)
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "1.5"), ports)

    invoice = finalised_invoice(ports, engagement_id)
    assert [line.description for line in invoice.lines] == [
        "Time: 1.5 h consultant, TE-1",
        "Time: 2 h consultant, TE-2",
    ]


def test_a_document_dated_years_ahead_is_refused_so_numbering_is_never_held_there(engage, ports):
    engagement_id = engage(opportunity())
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "4"), ports)
    invoice = finalised_invoice(ports, engagement_id)

    with pytest.raises(InvalidField) as cycle_refused:
        run_cycle(cycle("9999-12-31", engagement_id), ports)
    with pytest.raises(InvalidField) as credit_refused:
        issue_credit_note(credit(invoice.id, issued_on="9999-12-31"), ports)

    assert (cycle_refused.value.field, credit_refused.value.field) == ("as_of", "issued_on")
    _, note = issue_credit_note(credit(invoice.id, issued_on="2027-01-05"), ports)
    assert str(note.number) == "US01-CN-2027-000001"


def test_a_payment_received_in_the_future_or_too_large_to_hold_is_refused(engage, ports):
    engagement_id = engage(opportunity())
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "4"), ports)
    invoice = finalised_invoice(ports, engagement_id)
    huge = "9999999999999999.99"

    with pytest.raises(InvalidField) as future:
        record_payment(payment(invoice.id, "P-0", "10.00", "USD", received_on="2030-01-01"), ports)
    record_payment(payment(invoice.id, "P-1", huge, "USD"), ports)
    with pytest.raises(InvalidField) as overflow:
        record_payment(payment(invoice.id, "P-2", huge, "USD"), ports)

    assert (future.value.field, overflow.value.field) == ("received_on", "amount.amount")
    assert get_invoice(invoice.id, "", ports, FINANCE).unapplied.amount > 0


def test_a_rate_change_cannot_reprice_work_invoiced_in_part(engage, ports):
    engagement_id = engage(opportunity(time_and_materials(cap="1000.00")))
    approve_work(time(engagement_id, "TE-1", "2026-12-02", "7.5"), ports)  # 1,000 + 125 held
    finalised_invoice(ports, engagement_id)
    repriced = TermsChangeLine(
        "NA", rate_changes=(RateChangeLine("consultant", "160", "USD", "2026-12-01"),)
    )

    with pytest.raises(AmendmentRewritesInvoiced) as refused:
        amend_service_engagement(change_order(engagement_id, 1, repriced), ports)
    assert refused.value.field.startswith("changes[0].rate_changes[0]")


def test_a_change_order_takes_effect_within_the_engagement(engage, ports):
    engagement_id = engage(opportunity(time_and_materials(cap="1000.00")))
    raised = TermsChangeLine("NA", cap="2000.00")

    with pytest.raises(InvalidField) as refused:
        amend_service_engagement(
            change_order(engagement_id, 1, raised, effective_on="0001-01-01"), ports
        )
    assert refused.value.field == "effective_on"
