"""Properties of repeated billing cycles, with credits and re-approvals between them."""

import datetime as dt
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from support.billing_cycle import (
    DECEMBER,
    NEW_YORK_INC,
    NOW,
    TOKYO_KK,
    credit_notes_of,
    sequences,
    the_setup,
)

from domain.billing.charges import Charge, ChargeKind
from domain.invoicing.billed_work import BilledWorkStatus
from domain.invoicing.cycle import finalise_all, run_billing_cycle
from domain.invoicing.invoice import InvoiceStatus
from domain.invoicing.lines import key_of
from domain.invoicing.staging import CycleScope, StagedCharge
from domain.money import Money

PARTIES = [("ENG-A", NEW_YORK_INC, "USD"), ("ENG-B", TOKYO_KK, "JPY")]
LAST_DAY = DECEMBER + dt.timedelta(days=400)


@st.composite
def staged_work(draw):
    """1-20 charges of any kind, dated from December 2026 into 2028, on either engagement."""
    items = []
    for index in range(draw(st.integers(1, 20))):
        engagement, entity, currency = draw(st.sampled_from(PARTIES))
        kind = draw(st.sampled_from(list(ChargeKind)))
        amount = Money.from_minor_units(currency, draw(st.integers(1, 10**7)))
        on = DECEMBER + dt.timedelta(days=draw(st.integers(0, 400)))
        charge = Charge(kind, f"S-{index:02d}", amount)
        items.append(StagedCharge(charge, engagement, entity.code, "consulting", on))
    return items


@st.composite
def runs(draw):
    """The work, the cycles' days (the last after all the work), and which invoices of each
    cycle are credited in full, with which of their charges re-approved."""
    work = draw(staged_work())
    days = sorted(draw(st.sets(st.integers(0, 399), max_size=3)))
    as_ofs = [DECEMBER + dt.timedelta(days=d) for d in days] + [LAST_DAY]
    credits = draw(st.lists(st.booleans(), min_size=len(as_ofs), max_size=len(as_ofs)))
    re_approvals = draw(st.lists(st.booleans(), min_size=len(work), max_size=len(work)))
    return work, as_ofs, credits, re_approvals


def run_all(work, as_ofs, credits, re_approvals):
    records, numbers, invoices = {}, sequences(), []
    notes = {e.code: credit_notes_of(e) for _, e, _ in PARTIES}
    reapproving = {
        item.charge.source_id for item, yes in zip(work, re_approvals, strict=True) if yes
    }
    for index, as_of in enumerate(as_ofs):
        cycle = run_billing_cycle(
            the_setup(),
            cycle_id=f"C{index}",
            as_of=as_of,
            scope=CycleScope(),
            staged=work,
            billed=records,
        )
        finalise_all(cycle.invoices, numbers, as_of, NOW)
        records.update((r.key, r) for r in cycle.billed)
        invoices += cycle.invoices
        if credits[index] and cycle.invoices and as_of != LAST_DAY:
            credit_first(cycle.invoices[0], records, notes, reapproving, as_of)
    return invoices, records


def credit_first(invoice, records, notes, reapproving, on):
    note = invoice.issue_credit_note(
        credit_note_id=f"CN-{invoice.id}",
        sequence=notes[invoice.legal_entity.code],
        issued_on=on,
        now=NOW,
        reason="disputed",
    )
    for line in invoice.lines:
        record = records[key_of(line.charges[0])]
        record.release(note)
        if record.source_id in reapproving:
            record.reapprove()


def billed_keys(invoices, *, live_only=False):
    return Counter(
        key_of(charge)
        for invoice in invoices
        if not (live_only and invoice.status is InvoiceStatus.CREDITED)
        for line in invoice.lines
        for charge in line.charges
    )


@settings(deadline=None, max_examples=150)
@given(runs())
def test_no_billable_event_is_on_two_live_invoices_across_repeated_cycles(run):
    invoices, records = run_all(*run)

    assert all(n == 1 for n in billed_keys(invoices, live_only=True).values())
    assert billed_keys(invoices) == {k: r.times_invoiced for k, r in records.items()}


@settings(deadline=None, max_examples=150)
@given(runs())
def test_every_eligible_charge_is_billed_by_some_cycle_unless_credited_and_not_re_approved(run):
    work = run[0]
    invoices, records = run_all(*run)

    live = billed_keys(invoices, live_only=True)
    for item in work:
        key = key_of(item.charge)
        released = key in records and records[key].status is BilledWorkStatus.RELEASED
        assert live[key] == (1 if item.charge.is_billed and not released else 0)


@settings(deadline=None, max_examples=150)
@given(runs())
def test_invoice_totals_are_the_sum_of_their_charges_plus_the_tax_of_each_line(run):
    invoices, _ = run_all(*run)

    for invoice in invoices:
        zero = Money.of(0, invoice.currency)
        charges = sum((c.amount for ln in invoice.lines for c in ln.charges), zero)
        taxes = sum((ln.tax_rate.tax_on(ln.net) for ln in invoice.lines), zero)
        assert (invoice.net, invoice.total) == (charges, charges + taxes)


@settings(deadline=None, max_examples=150)
@given(runs())
def test_invoice_numbers_per_legal_entity_are_gapless_across_cycles_and_years(run):
    invoices, _ = run_all(*run)

    for _, entity, _ in PARTIES:
        numbers = [i.number for i in invoices if i.legal_entity == entity]
        assert [n.sequence for n in numbers] == list(range(1, len(numbers) + 1))
        issued = [i for i in invoices if i.legal_entity == entity]
        assert [n.year for n in numbers] == [i.issued_on.year for i in issued]
