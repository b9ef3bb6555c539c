"""Outcome events in the business's words, one of each kind."""

from __future__ import annotations

import datetime as dt

from domain import events
from domain.billing.agreement import EngagementAmended
from domain.billing.outcomes import BillableEventHeldOverCap, BillableEventRated, RatedCharge
from domain.erp_routing import Erp, ErpRoute, ErpRouteSet, ErpTarget
from domain.invoicing.events import CreditNoteIssued, InvoiceFinalised, PaymentApplied
from domain.money import Money

CLOSED_WON_AT = dt.datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=dt.UTC)


def an_engagement_activated(number: int = 1) -> events.EngagementActivated:
    return events.EngagementActivated(
        occurred_at=CLOSED_WON_AT,
        engagement_id=f"ENG-{number}",
        opportunity_id=f"006-OPP-{number}",
        erp_legal_entity="US01",
        erp_customer_number=f"C-{number:05d}",
        psa_project_ids=(f"PRJ-{number}-NA", f"PRJ-{number}-EU"),
    )


def a_failed_provisioning() -> events.EngagementProvisioningFailed:
    return events.EngagementProvisioningFailed(
        occurred_at=CLOSED_WON_AT,
        engagement_id="ENG-2",
        opportunity_id="006-OPP-2",
        reason="no ERP route for legal entity BR01",
    )


def a_parked_exception() -> events.ExceptionParked:
    return events.ExceptionParked(
        occurred_at=CLOSED_WON_AT,
        exception_id="EXC-1",
        workflow="closed_won_to_engagement",
        business_key="006-OPP-2",
        reason_code="LEGAL_ENTITY_NOT_MAPPED",
        owner_role="finance",
        detail="legal entity BR01 has no ERP route",
    )


def staged_time(number: int = 1) -> events.BillableEventStaged:
    return events.BillableEventStaged(
        occurred_at=CLOSED_WON_AT,
        billable_event_id=f"BE-{number}",
        engagement_id="ENG-1",
        source_system="psa",
        source_id=f"TC-{number}",
        role="consultant",
        hours="7.5",
        amount=Money.of("1125.00", "USD"),
    )


def a_rated_expense(number: int = 1) -> BillableEventRated:
    """A hotel night on a retainer: the drawdown is kept, the overage is billed."""
    return BillableEventRated(
        occurred_at=CLOSED_WON_AT,
        billable_event_id=f"BE-{number}",
        engagement_id="ENG-1",
        work_package_code="NA-1",
        source_system="psa",
        source_id=f"EXP-{number}",
        kind="expense",
        charges=(
            RatedCharge("retainer_drawdown", "1", Money.of("180.00", "GBP")),
            RatedCharge("retainer_overage", "1", Money.of("45.50", "GBP")),
        ),
        billed=Money.of("45.50", "GBP"),
    )


def time_held_over_the_cap(number: int = 1) -> BillableEventHeldOverCap:
    return BillableEventHeldOverCap(
        occurred_at=CLOSED_WON_AT,
        billable_event_id=f"BE-{number}",
        engagement_id="ENG-1",
        work_package_code="NA-1",
        source_system="psa",
        source_id=f"TC-{number}",
        held=Money.of("450.00", "USD"),
        hours="3",
    )


def an_engagement_amended() -> EngagementAmended:
    return EngagementAmended(
        occurred_at=CLOSED_WON_AT,
        engagement_id="ENG-1",
        version=2,
        effective_on=dt.date(2027, 1, 1),
        reason="senior consultant rate from January",
        work_package_codes=("NA-1", "EU-1"),
    )


def an_invoice_finalised() -> InvoiceFinalised:
    """Invoiced in yen, which has no minor units."""
    return InvoiceFinalised(
        occurred_at=CLOSED_WON_AT,
        invoice_id="INV-ID-1",
        invoice_number="JP01-INV-2026-000001",
        engagement_id="ENG-1",
        legal_entity_code="JP01",
        customer_number="C-00001",
        issued_on=dt.date(2026, 11, 30),
        due_on=dt.date(2026, 12, 30),
        net=Money.of("150000", "JPY"),
        tax=Money.of("15000", "JPY"),
        total=Money.of("165000", "JPY"),
        source_ids=("BE-1", "BE-2"),
    )


def a_credit_note_issued() -> CreditNoteIssued:
    """Credited in dinars, which have three minor digits."""
    return CreditNoteIssued(
        occurred_at=CLOSED_WON_AT,
        invoice_id="INV-ID-2",
        invoice_number="KW01-INV-2026-000007",
        credit_note_id="CN-ID-1",
        credit_note_number="KW01-CN-2026-000001",
        net=Money.of("120.500", "KWD"),
        tax=Money.of("0.000", "KWD"),
        total=Money.of("120.500", "KWD"),
        releases=("BE-7",),
    )


def a_payment_applied() -> PaymentApplied:
    return PaymentApplied(
        occurred_at=CLOSED_WON_AT,
        invoice_id="INV-ID-3",
        invoice_number="GB01-INV-2026-000012",
        payment_id="PAY-1",
        received=Money.of("1000.00", "GBP"),
        applied=Money.of("1000.00", "GBP"),
        unapplied=Money.of("0.00", "GBP"),
        balance=Money.of("200.00", "GBP"),
        status="partially_paid",
    )


ON_LEGACY = ErpRoute("DE01", dt.date(2020, 1, 1), ErpTarget(Erp.LEGACY, "DE-OU-1"))
DUAL_WRITE_PILOT = ErpRoute(
    "DE01",
    dt.date(2026, 12, 15),
    ErpTarget(Erp.DYNAMICS365, "DE01"),
    shadow=ErpTarget(Erp.LEGACY, "DE-OU-1"),
)


def a_first_erp_route_set() -> ErpRouteSet:
    return ErpRouteSet(
        occurred_at=CLOSED_WON_AT,
        legal_entity_code="DE01",
        set_by="alice@firm.example",
        previous=None,
        route=ON_LEGACY,
    )


def a_dual_write_pilot_set() -> ErpRouteSet:
    return ErpRouteSet(
        occurred_at=CLOSED_WON_AT,
        legal_entity_code="DE01",
        set_by="alice@firm.example",
        previous=ON_LEGACY,
        route=DUAL_WRITE_PILOT,
    )


def one_of_each_billing_outcome() -> list[events.Event]:
    return [
        a_rated_expense(),
        time_held_over_the_cap(),
        an_engagement_amended(),
        an_invoice_finalised(),
        a_credit_note_issued(),
        a_payment_applied(),
    ]


def one_of_each_kind() -> list[events.Event]:
    return [an_engagement_activated(), a_failed_provisioning(), a_parked_exception(), staged_time()]
