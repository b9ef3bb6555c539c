"""One worked example per billing method, each figure checked by hand in the docstring."""

import datetime as dt
from decimal import Decimal

from support.billing import (
    a_rate,
    a_rate_card,
    amounts,
    capped_december,
    expense,
    milestone_completed,
    money,
    period_began,
    price,
    rate_in_turn,
    terms_for,
    time_worked,
    usage,
)

from domain.billing.charges import ChargeKind, total
from domain.billing.methods import (
    FixedFee,
    Milestone,
    Retainer,
    SubscriptionPlusServices,
    Tier,
    TimeAndMaterials,
    UnusedBalance,
    Usage,
)
from domain.billing.rate_card import BillingRateCard
from domain.billing.rating import approve_overage, write_off
from domain.billing.terms import ExpensePolicy


def test_time_and_materials_rates_each_entry_by_its_own_date_and_holds_work_beyond_the_cap():
    """USD, 10 % off, cap 3,000.00; the consultant's rate goes from 150.00 to 165.00 on 15 Dec.

    TC-1 10 Dec consultant 7.5 h: 150.00 x 7.5 = 1,125.00, x 0.9 = 1,012.50 (used 1,012.50)
    TC-2 15 Dec consultant 8 h:   165.00 x 8   = 1,320.00, x 0.9 = 1,188.00 (used 2,200.50)
    TC-3 16 Dec architect 6 h:    220.00 x 6   = 1,320.00, x 0.9 = 1,188.00, room 799.50:
         billed 799.50, held 1,188.00 - 799.50 = 388.50;
         hours 60,000 ten-thousandths x 799.50 / 1,188 = 40,378.79 -> 4.0379 h billed,
         x 388.50 / 1,188 = 19,621.21 -> 1.9621 h held (the spare unit to the larger remainder).
    """
    results, state = capped_december()
    tc3 = results[2].charges

    assert [r.charges[0].amount for r in results[:2]] == [money("1012.50"), money("1188.00")]
    assert amounts(tc3, ChargeKind.TIME) == [money("799.50")]
    assert amounts(tc3, ChargeKind.HELD_OVER_CAP) == [money("388.50")]
    assert [c.quantity for c in tc3] == [Decimal("4.0379"), Decimal("1.9621")]
    assert state.cap_used == money("3000.00")
    assert [hold.amount for hold in state.held] == [money("388.50")]


def test_work_held_over_the_cap_is_billed_only_once_approved_as_overage():
    """Billed: 1,012.50 + 1,188.00 + 799.50 + 388.50 overage = 3,388.50."""
    results, state = capped_december()

    decided = approve_overage(state, "TC-3")

    billed = [c for r in [*results, decided] for c in r.billed()]
    assert total(billed, "USD") == money("3388.50")
    assert decided.state.held == ()


def test_work_held_over_the_cap_that_is_written_off_is_kept_but_never_billed():
    """Billed stays at the cap: 1,012.50 + 1,188.00 + 799.50 = 3,000.00; 388.50 written off."""
    results, state = capped_december()

    decided = write_off(state, "TC-3")

    assert amounts(decided.charges, ChargeKind.WRITTEN_OFF) == [money("388.50")]
    assert decided.billed() == ()
    billed = [c for r in results for c in r.billed()]
    assert total(billed, "USD") == money("3000.00")


def test_a_blended_rate_bills_every_role_alike_rounded_once_on_the_product():
    """187.3333 x 7.5 = 1,404.99975 -> 1,405.00; the architect at the same rate."""
    card = BillingRateCard.blended(price("187.3333"), dt.date(2026, 12, 1))
    terms = terms_for(TimeAndMaterials(), rate_card=card, staffed_roles=("consultant", "architect"))

    results, _ = rate_in_turn(
        terms, [time_worked("7.5"), time_worked("7.5", role="architect", source_id="TC-2")]
    )

    assert [r.charges[0].amount for r in results] == [money("1405.00")] * 2


def yen_fixed_fee():
    milestones = (
        Milestone("design", money("4500000", "JPY")),
        Milestone("build", money("7500000", "JPY")),
        Milestone("go-live", money("3000000", "JPY")),
    )
    return terms_for(FixedFee(money("15000000", "JPY"), milestones), currency="JPY")


def test_a_fixed_fee_in_yen_bills_a_milestone_when_it_is_completed():
    """4,500,000 + 7,500,000 + 3,000,000 = 15,000,000 JPY; completing build bills 7,500,000."""
    results, state = rate_in_turn(yen_fixed_fee(), [milestone_completed("build")])

    assert amounts(results[0].charges, ChargeKind.MILESTONE) == [money("7500000", "JPY")]
    assert state.completed_milestones == {"build"}


def test_time_on_a_fixed_fee_is_effort_not_a_charge():
    results, _ = rate_in_turn(yen_fixed_fee(), [time_worked("8")])

    assert results[0].charges == ()


def dinar_retainer(policy):
    card = a_rate_card(a_rate("consultant", "62.375", "KWD"))
    return terms_for(Retainer(money("1500.000", "KWD"), policy), currency="KWD", rate_card=card)


def test_a_retainer_in_dinars_draws_time_down_then_bills_overage_at_the_rate_card():
    """Fee 1,500.000 KWD for December; the consultant at 62.375 KWD an hour.

    20 h:  62.375 x 20  = 1,247.500 drawn, balance 252.500
    7.3 h: 62.375 x 7.3 = 455.3375 -> 455.338 (half up); drawn 252.500, overage 202.838;
           hours 73,000 x 252.500 / 455.338 = 40,480.92 -> 4.0481 h drawn, 3.2519 h overage.
    """
    results, state = rate_in_turn(
        dinar_retainer(UnusedBalance.EXPIRES),
        [
            period_began(dt.date(2026, 12, 1)),
            time_worked("20", on=dt.date(2026, 12, 3), source_id="TC-1"),
            time_worked("7.3", on=dt.date(2026, 12, 4), source_id="TC-2"),
        ],
    )
    fee, first, second = (r.charges for r in results)

    assert amounts(fee, ChargeKind.PERIOD_FEE) == [money("1500.000", "KWD")]
    assert amounts(first, ChargeKind.RETAINER_DRAWDOWN) == [money("1247.500", "KWD")]
    assert amounts(second, ChargeKind.RETAINER_DRAWDOWN) == [money("252.500", "KWD")]
    assert amounts(second, ChargeKind.RETAINER_OVERAGE) == [money("202.838", "KWD")]
    assert [c.quantity for c in second] == [Decimal("4.0481"), Decimal("3.2519")]
    assert [c.kind for c in second if c.is_billed] == [ChargeKind.RETAINER_OVERAGE]
    assert state.retainer_balance == money("0.000", "KWD")


def test_an_unused_retainer_balance_expires_or_rolls_over_as_the_terms_say():
    """December: 1,500.000 - 1,247.500 = 252.500 unused. January's fee brings 1,500.000:
    expiring, 252.500 is recorded as expired and the balance is 1,500.000; rolling over,
    the balance is 252.500 + 1,500.000 = 1,752.500."""
    work = [
        period_began(dt.date(2026, 12, 1)),
        time_worked("20", on=dt.date(2026, 12, 3)),
        period_began(dt.date(2027, 1, 1)),
    ]

    expiring, expired_state = rate_in_turn(dinar_retainer(UnusedBalance.EXPIRES), work)
    rolling, rolled_state = rate_in_turn(dinar_retainer(UnusedBalance.ROLLS_OVER), work)

    assert amounts(expiring[2].charges, ChargeKind.RETAINER_EXPIRED) == [money("252.500", "KWD")]
    assert expired_state.retainer_balance == money("1500.000", "KWD")
    assert amounts(rolling[2].charges, ChargeKind.RETAINER_EXPIRED) == []
    assert rolled_state.retainer_balance == money("1752.500", "KWD")


def test_a_subscription_in_yen_bills_its_fee_each_month_and_services_as_time():
    """Fee 500,000 JPY a month; services at a blended 23,456.5 JPY an hour:
    23,456.5 x 7.5 = 175,923.75 -> 175,924 JPY (whole yen, half up)."""
    card = BillingRateCard.blended(price("23456.5", "JPY"), dt.date(2026, 12, 1))
    terms = terms_for(
        SubscriptionPlusServices(money("500000", "JPY")), currency="JPY", rate_card=card
    )

    results, _ = rate_in_turn(
        terms,
        [period_began(dt.date(2026, 12, 1)), time_worked("7.5"), period_began(dt.date(2027, 1, 1))],
    )

    assert [r.charges[0].amount for r in results] == [
        money("500000", "JPY"),
        money("175924", "JPY"),
        money("500000", "JPY"),
    ]
    assert [r.charges[0].kind for r in results] == [
        ChargeKind.PERIOD_FEE,
        ChargeKind.TIME,
        ChargeKind.PERIOD_FEE,
    ]


def api_calls():
    tiers = (Tier(Decimal(1_000_000), price("0.0004")), Tier(None, price("0.00025")))
    return terms_for(Usage(Decimal(100_000), tiers))


def test_usage_is_free_up_to_the_included_quantity_then_priced_by_tier():
    """100,000 calls a month included; to 1,000,000 at 0.0004; beyond at 0.00025.

    5 Dec  80,000 calls: 0 to 80,000, all included                     = 0.00
    20 Dec 500,000 calls: 80,000 to 580,000, 480,000 x 0.0004         = 192.00
    28 Dec 600,000 calls: 580,000 to 1,180,000:
           420,000 x 0.0004 = 168.00 + 180,000 x 0.00025 = 45.00      = 213.00
    2 Jan  12,345 calls: a new month, all included                    = 0.00
    """
    results, _ = rate_in_turn(
        api_calls(),
        [
            usage(80_000, on=dt.date(2026, 12, 5)),
            usage(500_000, on=dt.date(2026, 12, 20)),
            usage(600_000, on=dt.date(2026, 12, 28)),
            usage(12_345, on=dt.date(2027, 1, 2)),
        ],
    )

    assert [r.charges[0].amount for r in results] == [
        money("0.00"),
        money("192.00"),
        money("213.00"),
        money("0.00"),
    ]


def test_a_usage_charge_rounds_once_on_the_whole_record():
    """Past the included 100,000: 12,345 x 0.0004 = 4.938 -> 4.94."""
    results, _ = rate_in_turn(api_calls(), [usage(100_000), usage(12_345, source_id="US-2")])

    assert results[1].charges[0].amount == money("4.94")


def test_expenses_are_billed_with_the_markup_and_non_billable_categories_never_charged():
    """Hotel 412.35 USD x 1.10 = 453.585 -> 453.59; entertainment is never billed."""
    policy = ExpensePolicy(Decimal(10), frozenset({"entertainment"}))
    terms = terms_for(
        TimeAndMaterials(), rate_card=a_rate_card(a_rate("consultant", "150")), expenses=policy
    )

    results, _ = rate_in_turn(
        terms,
        [
            expense(money("412.35")),
            expense(money("95.00"), category="entertainment", source_id="EX-2"),
        ],
    )

    assert amounts(results[0].charges, ChargeKind.EXPENSE) == [money("453.59")]
    assert results[1].charges == ()


def test_expenses_in_dinars_at_cost_or_with_a_markup_round_to_the_fils():
    """80.125 KWD at cost = 80.125; with 12.5 %: 80.125 x 1.125 = 90.140625 -> 90.141."""
    card = a_rate_card(a_rate("consultant", "62.375", "KWD"))
    at_cost = terms_for(TimeAndMaterials(), currency="KWD", rate_card=card)
    marked_up = terms_for(
        TimeAndMaterials(), currency="KWD", rate_card=card, expenses=ExpensePolicy(Decimal("12.5"))
    )
    hotel = expense(money("80.125", "KWD"))

    assert rate_in_turn(at_cost, [hotel])[0][0].charges[0].amount == money("80.125", "KWD")
    assert rate_in_turn(marked_up, [hotel])[0][0].charges[0].amount == money("90.141", "KWD")
