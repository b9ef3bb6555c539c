"""A change order that would rewrite invoiced work is refused by field and changes nothing."""

import datetime as dt

import pytest
from support.amendments import (
    AMENDED_AT,
    an_agreement,
    change_order,
    milestone,
    new_rate,
    terms_of_package,
)
from support.billing import a_rate, a_rate_card, money, price, terms_for

from domain.billing.amendments import Invoiced, RateChange, TermsChange
from domain.billing.methods import FixedFee, TimeAndMaterials
from domain.billing.state import TermsState
from domain.errors import (
    AmendmentRewritesInvoiced,
    ConcurrentUpdate,
    CurrencyMismatch,
    DomainError,
    InvalidField,
    MilestonesNotFee,
    NotFound,
)

DECEMBER_12 = dt.date(2026, 12, 12)
DECEMBER_15 = dt.date(2026, 12, 15)
JAN_1 = dt.date(2027, 1, 1)


def capped():
    card = a_rate_card(a_rate("consultant", "150.00"))
    return terms_for(TimeAndMaterials(cap=money("3000.00")), rate_card=card)


def fixed_fee():
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


INVOICED = Invoiced(through=DECEMBER_15, milestones={"DISCOVERY"})
BILLED_2000 = TermsState(cap_used=money("2000.00"), retainer_balance=money("0.00"))


def refused(terms, *changes, version=1, error=DomainError):
    agreement = an_agreement(terms)
    before = dict(agreement.terms)
    with pytest.raises(error) as refusal:
        agreement.amend(
            change_order(*changes, version=version),
            states={"NA": BILLED_2000},
            invoiced={"NA": INVOICED},
            occurred_at=AMENDED_AT,
        )
    assert (agreement.terms, agreement.version, agreement.events) == (before, 0, [])
    return refusal.value


def test_a_rate_change_effective_on_or_before_invoiced_work_is_refused():
    change = TermsChange("NA", rate_changes=[new_rate("consultant", "180.00", DECEMBER_12)])

    error = refused(capped(), change, error=AmendmentRewritesInvoiced)

    assert error.field == "rate_changes[0].effective_from"
    assert error.keys["invoiced_through"] == "2026-12-15"


def test_a_cap_lowered_below_what_is_already_billed_is_refused():
    error = refused(
        capped(), TermsChange("NA", cap=money("1999.99")), error=AmendmentRewritesInvoiced
    )

    assert error.field == "cap.amount"
    assert error.keys == {"cap": "1999.99", "billed": "2000.00"}


def test_re_pricing_an_invoiced_milestone_is_refused():
    change = TermsChange(
        "NA",
        fee=money("31000.00"),
        milestones=[
            milestone("DISCOVERY", "7000.00"),
            milestone("BUILD", "18000.00"),
            milestone("GO-LIVE", "6000.00"),
        ],
    )

    error = refused(fixed_fee(), change, error=AmendmentRewritesInvoiced)

    assert error.field == "milestones[0].amount"
    assert error.keys == {"milestone": "DISCOVERY"}


def test_removing_an_invoiced_milestone_is_refused():
    change = TermsChange(
        "NA", milestones=[milestone("BUILD", "24000.00"), milestone("GO-LIVE", "6000.00")]
    )

    error = refused(fixed_fee(), change, error=AmendmentRewritesInvoiced)

    assert error.field == "milestones"


def test_milestones_that_do_not_sum_to_the_new_fee_are_refused():
    change = TermsChange(
        "NA",
        fee=money("34000.00"),
        milestones=[
            milestone("DISCOVERY", "6000.00"),
            milestone("BUILD", "20000.00"),
            milestone("GO-LIVE", "6000.00"),
            milestone("HYPERCARE", "1000.00"),
        ],
    )

    error = refused(fixed_fee(), change, error=MilestonesNotFee)

    assert error.field == "milestones"
    assert error.keys == {"milestones_total": "33000.00", "fee": "34000.00"}


def test_a_cap_on_a_fixed_fee_is_refused():
    error = refused(fixed_fee(), TermsChange("NA", cap=money("1.00")), error=InvalidField)

    assert error.field == "cap"


def test_an_amendment_out_of_turn_is_refused():
    error = refused(capped(), TermsChange("NA", cap=money("4000.00")), version=2)

    assert isinstance(error, ConcurrentUpdate) and error.field == "version"


def test_an_amendment_of_terms_not_agreed_is_refused():
    error = refused(capped(), TermsChange("NZ", cap=money("4000.00")), error=NotFound)

    assert error.field == "changes.work_package_code"


def test_one_bad_change_sinks_the_whole_amendment():
    """NA's cap is raised, NB's rate would change before its invoiced work: neither is applied."""
    card = a_rate_card(a_rate("consultant", "150.00"))
    second = terms_of_package("NB", TimeAndMaterials(), rate_card=card)
    agreement = an_agreement(capped(), second)
    before = dict(agreement.terms)
    order = change_order(
        TermsChange("NA", cap=money("4000.00")),
        TermsChange("NB", rate_changes=[new_rate("consultant", "180.00", DECEMBER_12)]),
    )

    with pytest.raises(AmendmentRewritesInvoiced):
        agreement.amend(order, states={}, invoiced={"NB": INVOICED}, occurred_at=AMENDED_AT)

    assert (agreement.terms, agreement.version, agreement.events) == (before, 0, [])


def test_a_rate_change_in_another_currency_is_refused():
    change = TermsChange("NA", rate_changes=[RateChange("consultant", price("180", "EUR"), JAN_1)])

    error = refused(capped(), change, error=CurrencyMismatch)

    assert error.field == "rate_changes[0].price.currency_code"


def test_an_amendment_that_changes_nothing_is_refused():
    assert refused(capped(), error=InvalidField).field == "changes"


def test_a_work_package_amended_twice_in_one_amendment_is_refused():
    twice = [TermsChange("NA", cap=money("4000.00")), TermsChange("NA", cap=money("5000.00"))]

    error = refused(capped(), *twice, error=InvalidField)

    assert error.field == "changes.work_package_code"
