"""A billing cycle worked through by hand: two engagements, two legal entities, USD and JPY.

November: ENG-B's TC-11 (JPY 45,005) and TC-12 (JPY 30,000) are invoiced by Tokyo, credited in
full, and only TC-11 is re-approved.

December, as of the 31st:
- ENG-A, New York, USD, 5% tax per line, net 30:
    FEE-1  1 Dec  period fee  1,000.00   tax 50.00
    TC-2   1 Dec  time          750.00   tax 37.50
    TC-1   2 Dec  time        1,234.50   tax 61.73  (61.725, half up)
    net 2,984.50 + tax 149.23 = 3,133.73, due 30 Jan 2027, number US01-2026-000007.
  Not billed: TC-3's 250.00 held over the cap, and FEE-2, due on 1 January.
- ENG-B, Tokyo, JPY, 10% tax per line, net 15:
    TC-11 20 Nov  time       45,005   tax  4,501  (4,500.5, half up; re-approved)
    TC-10  3 Dec  time      120,000   tax 12,000
    EX-1   4 Dec  expense     8,000   tax    800
    net 173,005 + tax 17,301 = 190,306, due 15 Jan 2027, number JP01-2026-000002.
  Not billed: TC-12, credited and not re-approved.
"""

import datetime as dt

import pytest
from support.billing_cycle import (
    END_OF_DECEMBER,
    NOW,
    TOKYO_KK,
    credit_notes_of,
    december,
    sequences,
    staged,
    the_setup,
)

from domain.billing.charges import ChargeKind
from domain.invoicing.billed_work import BilledWorkStatus
from domain.invoicing.cycle import finalise_all, run_billing_cycle
from domain.invoicing.staging import CycleScope
from domain.money import Money

NOVEMBER_30 = dt.date(2026, 11, 30)
TC_11 = staged(
    "45005", "JPY", "TC-11", on=dt.date(2026, 11, 20), engagement="ENG-B", entity=TOKYO_KK
)
TC_12 = staged(
    "30000", "JPY", "TC-12", on=dt.date(2026, 11, 21), engagement="ENG-B", entity=TOKYO_KK
)
DECEMBER_WORK = [
    staged("1234.50", "USD", "TC-1", on=december(2)),
    staged("750.00", "USD", "TC-2", on=december(1)),
    staged("250.00", "USD", "TC-3", on=december(2), kind=ChargeKind.HELD_OVER_CAP),
    staged("1000.00", "USD", "FEE-1", on=december(1), kind=ChargeKind.PERIOD_FEE),
    staged("1000.00", "USD", "FEE-2", on=dt.date(2027, 1, 1), kind=ChargeKind.PERIOD_FEE),
    staged("120000", "JPY", "TC-10", on=december(3), engagement="ENG-B", entity=TOKYO_KK),
    staged(
        "8000",
        "JPY",
        "EX-1",
        on=december(4),
        engagement="ENG-B",
        entity=TOKYO_KK,
        kind=ChargeKind.EXPENSE,
        service_type="expenses",
    ),
    TC_11,
    TC_12,
]


def usd(amount):
    return Money.of(amount, "USD")


def jpy(amount):
    return Money.of(amount, "JPY")


def november_credited_and_tc11_re_approved():
    """JP01-2026-000001: 75,005 + 7,501 = 82,506, then credited in full."""
    records = {}
    numbers = sequences(US01=7)
    cycle = run_billing_cycle(
        the_setup(),
        cycle_id="2026-11",
        as_of=NOVEMBER_30,
        scope=CycleScope(),
        staged=[TC_11, TC_12],
        billed=records,
    )
    finalise_all(cycle.invoices, numbers, NOVEMBER_30, NOW)
    (november,) = cycle.invoices
    note = november.issue_credit_note(
        credit_note_id="CN-1",
        sequence=credit_notes_of(TOKYO_KK),
        issued_on=december(5),
        now=NOW,
        reason="wrong purchase order",
    )
    for record in cycle.billed:
        record.release(note)
        records[record.key] = record
    records[("TC-11", ChargeKind.TIME)].reapprove()
    return november, records, numbers


def december_cycle():
    november, records, numbers = november_credited_and_tc11_re_approved()
    cycle = run_billing_cycle(
        the_setup(),
        cycle_id="2026-12",
        as_of=END_OF_DECEMBER,
        scope=CycleScope(),
        staged=DECEMBER_WORK,
        billed=records,
    )
    for record in cycle.billed:
        records[record.key] = record
    return november, cycle, records, numbers


def lines_of(invoice):
    return [(ln.charges[0].source_id, ln.net, ln.tax) for ln in invoice.lines]


def test_november_invoice_is_credited_in_full_before_december():
    november, records, _ = november_credited_and_tc11_re_approved()

    assert str(november.number) == "JP01-2026-000001"
    assert (november.net, november.tax, november.total) == (jpy(75005), jpy(7501), jpy(82506))
    assert november.credited == jpy(82506)
    assert records[("TC-11", ChargeKind.TIME)].status is BilledWorkStatus.REAPPROVED
    assert records[("TC-12", ChargeKind.TIME)].status is BilledWorkStatus.RELEASED


def test_the_cycle_builds_one_draft_per_engagement_legal_entity_and_currency():
    _, cycle, _, _ = december_cycle()

    assert [(i.engagement_id, i.legal_entity.code, i.currency) for i in cycle.invoices] == [
        ("ENG-A", "US01", "USD"),
        ("ENG-B", "JP01", "JPY"),
    ]


def test_dollar_lines_follow_the_work_dates_then_source_ids_and_skip_the_held_over_cap_entry():
    _, cycle, _, _ = december_cycle()
    dollars = cycle.invoices[0]

    assert lines_of(dollars) == [
        ("FEE-1", usd("1000.00"), usd("50.00")),
        ("TC-2", usd("750.00"), usd("37.50")),
        ("TC-1", usd("1234.50"), usd("61.73")),
    ]
    assert (dollars.net, dollars.tax, dollars.total) == (
        usd("2984.50"),
        usd("149.23"),
        usd("3133.73"),
    )


def test_yen_lines_bill_the_re_approved_entry_once_and_skip_the_credited_one():
    _, cycle, records, _ = december_cycle()
    yen = cycle.invoices[1]

    assert lines_of(yen) == [
        ("TC-11", jpy(45005), jpy(4501)),
        ("TC-10", jpy(120000), jpy(12000)),
        ("EX-1", jpy(8000), jpy(800)),
    ]
    assert (yen.net, yen.tax, yen.total) == (jpy(173005), jpy(17301), jpy(190306))
    tc11 = records[("TC-11", ChargeKind.TIME)]
    assert (tc11.invoice_id, tc11.times_invoiced) == (yen.id, 2)
    assert records[("TC-12", ChargeKind.TIME)].status is BilledWorkStatus.RELEASED


def test_the_cycle_returns_a_record_for_each_charge_it_billed_and_no_other():
    _, cycle, _, _ = december_cycle()

    assert [(r.source_id, r.invoice_id) for r in cycle.billed] == [
        ("FEE-1", "2026-12/ENG-A/US01/USD"),
        ("TC-2", "2026-12/ENG-A/US01/USD"),
        ("TC-1", "2026-12/ENG-A/US01/USD"),
        ("TC-11", "2026-12/ENG-B/JP01/JPY"),
        ("TC-10", "2026-12/ENG-B/JP01/JPY"),
        ("EX-1", "2026-12/ENG-B/JP01/JPY"),
    ]


def test_finalising_numbers_each_legal_entity_on_from_its_last_invoice():
    _, cycle, _, numbers = december_cycle()

    finalise_all(cycle.invoices, numbers, END_OF_DECEMBER, NOW)

    dollars, yen = cycle.invoices
    assert (str(dollars.number), dollars.due_on) == ("US01-2026-000007", dt.date(2027, 1, 30))
    assert (str(yen.number), yen.due_on) == ("JP01-2026-000002", dt.date(2027, 1, 15))


def test_running_the_same_cycle_again_bills_nothing_more():
    _, _, records, _ = december_cycle()

    again = run_billing_cycle(
        the_setup(),
        cycle_id="2026-12-again",
        as_of=END_OF_DECEMBER,
        scope=CycleScope(),
        staged=DECEMBER_WORK,
        billed=records,
    )

    assert (again.invoices, again.billed) == ((), ())


def test_a_scope_of_one_legal_entity_bills_only_its_engagements():
    cycle = run_billing_cycle(
        the_setup(),
        cycle_id="2026-12",
        as_of=END_OF_DECEMBER,
        scope=CycleScope(legal_entity_codes=frozenset({"JP01"})),
        staged=DECEMBER_WORK,
        billed={},
    )

    assert [i.legal_entity.code for i in cycle.invoices] == ["JP01"]
    assert [ln.charges[0].source_id for ln in cycle.invoices[0].lines] == [
        "TC-11",
        "TC-12",
        "TC-10",
        "EX-1",
    ]


@pytest.mark.parametrize("as_of", [december(1), december(2)])
def test_work_dated_after_as_of_waits_for_a_later_cycle(as_of):
    cycle = run_billing_cycle(
        the_setup(),
        cycle_id="early",
        as_of=as_of,
        scope=CycleScope(engagement_ids=frozenset({"ENG-A"})),
        staged=DECEMBER_WORK,
        billed={},
    )

    billed = [ln.charges[0].source_id for ln in cycle.invoices[0].lines]
    assert billed == (["FEE-1", "TC-2"] if as_of == december(1) else ["FEE-1", "TC-2", "TC-1"])
