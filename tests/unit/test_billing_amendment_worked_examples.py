"""Change orders worked by hand: a raised cap, a rate change mid-month, a milestone re-price."""

import datetime as dt
from decimal import Decimal

from support.amendments import (
    AMENDED_AT,
    an_agreement,
    change_order,
    milestone,
    new_rate,
    terms_of_package,
)
from support.billing import (
    a_rate,
    a_rate_card,
    amounts,
    capped_december,
    capped_december_terms,
    milestone_completed,
    money,
    rate_in_turn,
    terms_for,
    time_worked,
)

from domain.billing.agreement import EngagementAmended
from domain.billing.amendments import Invoiced, TermsChange
from domain.billing.charges import ChargeKind
from domain.billing.methods import FixedFee, TimeAndMaterials
from domain.billing.rating import rate
from domain.billing.releasing import release_held

DECEMBER_10 = dt.date(2026, 12, 10)
DECEMBER_15 = dt.date(2026, 12, 15)
DECEMBER_16 = dt.date(2026, 12, 16)
DECEMBER_20 = dt.date(2026, 12, 20)


def amend(terms, *changes, state=None, invoiced=None, **order):
    agreement = an_agreement(terms)
    states = {terms.work_package_code: state} if state else {}
    amended = agreement.amend(
        change_order(*changes, **order),
        states=states,
        invoiced={terms.work_package_code: invoiced or Invoiced()},
        occurred_at=AMENDED_AT,
    )
    return agreement, amended[terms.work_package_code]


def test_a_raised_cap_releases_held_work_on_the_next_rating_decision():
    """December as in the time-and-materials example: cap 3,000.00 used up, TC-3's 388.50 held.

    Change order 1 raises the cap to 3,500.00: room 500.00 >= 388.50, so `release_held`
    bills TC-3's hold whole, as cap overage: used 3,000.00 + 388.50 = 3,388.50.
    TC-4 20 Dec consultant 1 h: 165.00 x 1 x 0.9 = 148.50, room 3,500.00 - 3,388.50 = 111.50:
    billed 111.50, held 37.00; hours 10,000 x 111.50 / 148.50 = 7,508.42 -> 0.7508 h billed,
    10,000 x 37.00 / 148.50 = 2,491.58 -> 0.2492 h held (the spare unit to the larger remainder).
    """
    (_, state) = capped_december()
    terms = capped_december_terms()
    _, raised = amend(terms, TermsChange("NA", cap=money("3500.00")), state=state)

    released = release_held(raised, state)
    tc4 = rate(raised, released.state, time_worked("1", on=DECEMBER_20, source_id="TC-4"))

    assert released.billed() == released.charges
    assert amounts(released.charges, ChargeKind.CAP_OVERAGE) == [money("388.50")]
    assert released.state.cap_used == money("3388.50") and released.state.held == ()
    assert amounts(tc4.charges, ChargeKind.TIME) == [money("111.50")]
    assert amounts(tc4.charges, ChargeKind.HELD_OVER_CAP) == [money("37.00")]
    assert [c.quantity for c in tc4.charges] == [Decimal("0.7508"), Decimal("0.2492")]


def test_a_cap_raised_too_little_for_the_first_hold_releases_nothing():
    """3,300.00 leaves room 300.00, under TC-3's 388.50: it stays held for a decision."""
    (_, state) = capped_december()
    _, raised = amend(capped_december_terms(), TermsChange("NA", cap=money("3300.00")))

    released = release_held(raised, state)

    assert released.charges == () and released.state == state


def test_a_rate_change_mid_month_rates_later_work_at_the_new_rate_and_leaves_invoiced_work():
    """Consultant 150.00 from 1 Dec; work to 15 Dec is invoiced. Change order 1: 180.00 from
    16 Dec. TC-1 10 Dec 8 h: 150.00 x 8 = 1,200.00 before and after the amendment.
    TC-2 20 Dec 8 h: 150.00 x 8 = 1,200.00 before, 180.00 x 8 = 1,440.00 after.
    """
    terms = terms_for(TimeAndMaterials(), rate_card=a_rate_card(a_rate("consultant", "150.00")))
    work = [
        time_worked("8", on=DECEMBER_10, source_id="TC-1"),
        time_worked("8", on=DECEMBER_20, source_id="TC-2"),
    ]
    change = TermsChange("NA", rate_changes=[new_rate("consultant", "180.00", DECEMBER_16)])

    agreement, amended = amend(terms, change, invoiced=Invoiced(through=DECEMBER_15))
    before, _ = rate_in_turn(terms, work)
    after, _ = rate_in_turn(amended, work)

    assert [r.charges[0].amount for r in before] == [money("1200.00"), money("1200.00")]
    assert [r.charges[0].amount for r in after] == [money("1200.00"), money("1440.00")]
    assert agreement.version == 1


def test_a_rate_change_keeps_earlier_steps_of_the_rate_card():
    """150.00 from 1 Dec, 165.00 from 15 Dec, now 180.00 from 20 Dec: 19 Dec still 165.00."""
    _, amended = amend(
        capped_december_terms(),
        TermsChange("NA", rate_changes=[new_rate("consultant", "180.00", DECEMBER_20)]),
    )
    card = amended.rate_card

    assert card is not None
    assert [
        card.rate_for("consultant", "USD", day).amount
        for day in (DECEMBER_10, dt.date(2026, 12, 19), DECEMBER_20)
    ] == [Decimal("150.00"), Decimal("165.00"), Decimal("180.00")]


def fixed_fee_terms():
    return terms_for(
        FixedFee(
            money("30000.00"),
            [
                milestone("DISCOVERY", "6000.00"),
                milestone("BUILD", "18000.00"),
                milestone("GO-LIVE", "6000.00"),
            ],
        )
    )


def test_a_milestone_re_price_changes_what_its_completion_bills():
    """Fee 30,000.00 = 6,000.00 + 18,000.00 + 6,000.00, DISCOVERY completed and invoiced.
    Change order 1: fee 34,000.00; BUILD re-priced to 20,000.00, HYPERCARE 2,000.00 added:
    6,000.00 + 20,000.00 + 6,000.00 + 2,000.00 = 34,000.00. BUILD's completion bills 20,000.00.
    """
    change = TermsChange(
        "NA",
        fee=money("34000.00"),
        milestones=[
            milestone("DISCOVERY", "6000.00"),
            milestone("BUILD", "20000.00"),
            milestone("GO-LIVE", "6000.00"),
            milestone("HYPERCARE", "2000.00"),
        ],
    )
    _, amended = amend(fixed_fee_terms(), change, invoiced=Invoiced(milestones={"DISCOVERY"}))

    results, _ = rate_in_turn(
        amended, [milestone_completed("BUILD"), milestone_completed("HYPERCARE")]
    )

    assert [r.charges[0].amount for r in results] == [money("20000.00"), money("2000.00")]


def test_an_amendment_is_recorded_as_a_numbered_version_with_its_reason():
    card = a_rate_card(a_rate("consultant", "150.00"))
    terms = terms_for(TimeAndMaterials(cap=money("1000.00")), rate_card=card)
    agreement = an_agreement(terms)
    extra = terms_of_package("NB", FixedFee(money("500.00"), [milestone("ONE", "500.00")]))

    for version, order in enumerate(
        [
            change_order(TermsChange("NA", cap=money("2000.00")), reason="phase 2 budget"),
            change_order(version=2, new_terms=[extra], reason="training package"),
        ],
        start=1,
    ):
        agreement.amend(order, states={}, invoiced={}, occurred_at=AMENDED_AT)
        assert agreement.version == version

    assert sorted(agreement.terms) == ["NA", "NB"]
    assert [(e.version, e.reason, e.work_package_codes) for e in agreement.events] == [
        (1, "phase 2 budget", ("NA",)),
        (2, "training package", ("NB",)),
    ]
    assert all(isinstance(e, EngagementAmended) for e in agreement.events)
    assert str(agreement.events[0].key) == "engagement:ENG-1"
