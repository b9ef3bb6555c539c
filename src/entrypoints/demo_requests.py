"""The billing demo's requests in the business's words: an opportunity billed by one method,
approved work, a change order, the December cycle, a credit note and a payment.

Every id carries the run's key, so that repeated demos against one server never collide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from google.type import date_pb2

from o2c.v1 import billing_pb2, common_pb2, engagement_pb2

Metadata = tuple[tuple[str, str], ...]
CallerMetadata = Callable[[str], Metadata]
PSA, BILLING = common_pb2.SOURCE_SYSTEM_PSA, common_pb2.SOURCE_SYSTEM_BILLING
METHODS = engagement_pb2.BillingMethod


def money(amount: str, currency: str = "USD") -> common_pb2.Money:
    return common_pb2.Money(currency_code=currency, amount=amount)


def december(day: int) -> date_pb2.Date:
    return date_pb2.Date(year=2026, month=12, day=day)


def received_today() -> date_pb2.Date:
    """A payment is received by now: o2c refuses one dated in the future."""
    today = dt.datetime.now(dt.UTC).date()
    return date_pb2.Date(year=today.year, month=today.month, day=today.day)


def january(day: int) -> date_pb2.Date:
    return date_pb2.Date(year=2027, month=1, day=day)


def billed_by(
    run: str, key: str, terms: engagement_pb2.WorkPackageBillingTerms, **deal: str
) -> engagement_pb2.CreateServiceEngagementRequest:
    """A closed-won opportunity with one work package, NA, billed by `terms`; `deal` may name
    its legal_entity, currency and the consultant's hourly rate."""
    currency, rate = deal.get("currency", "USD"), deal.get("rate", "150.00")
    opportunity = engagement_pb2.ClosedWonOpportunity(
        opportunity_id=f"006-DEMO-{run}-{key}",
        account_id=f"001-DEMO-{run}-{key}",
        account_name=f"Globex {key} ({run})",
        legal_entity_code=deal.get("legal_entity", "US01"),
        currency_code=currency,
        billing_method=terms.method,
        start_date=december(1),
        end_date=date_pb2.Date(year=2027, month=6, day=30),
        contract_value=money("100000", currency),
        rate_card=[
            engagement_pb2.RateCardLine(role="consultant", hourly_rate=money(rate, currency))
        ],
        work_packages=[engagement_pb2.WorkPackage(code="NA", name="Rollout", region="NA")],
        billing_terms=[terms],
    )
    return engagement_pb2.CreateServiceEngagementRequest(
        request_id=f"demo-{run}-{key}", opportunity=opportunity
    )


def terms(method: str, **fields: Any) -> engagement_pb2.WorkPackageBillingTerms:
    return engagement_pb2.WorkPackageBillingTerms(
        work_package_code="NA", method=METHODS.Value(f"BILLING_METHOD_{method}"), **fields
    )


def time_worked(
    run: str, engagement_id: str, source_id: str, day: int, hours: str
) -> billing_pb2.ApproveBillableEventRequest:
    entry = billing_pb2.TimeEntry(
        source_id=f"{source_id}-{run}",
        engagement_id=engagement_id,
        resource="Grace Hopper",
        role="consultant",
        work_date=december(day),
        hours=hours,
    )
    return billing_pb2.ApproveBillableEventRequest(
        request_id=f"demo-{run}-{source_id}", source_system=PSA, time_entry=entry
    )


def expense_incurred(
    run: str, engagement_id: str, source_id: str, cost: common_pb2.Money, category: str
) -> billing_pb2.ApproveBillableEventRequest:
    entry = billing_pb2.ExpenseEntry(
        source_id=f"{source_id}-{run}",
        engagement_id=engagement_id,
        resource="Grace Hopper",
        category=category,
        incurred_on=december(4),
        cost=cost,
    )
    return billing_pb2.ApproveBillableEventRequest(
        request_id=f"demo-{run}-{source_id}", source_system=PSA, expense=entry
    )


def milestone_completed(
    run: str, engagement_id: str, source_id: str, code: str
) -> billing_pb2.ApproveBillableEventRequest:
    completion = billing_pb2.MilestoneCompletion(
        source_id=f"{source_id}-{run}",
        engagement_id=engagement_id,
        milestone_code=code,
        completed_on=december(10),
    )
    return billing_pb2.ApproveBillableEventRequest(
        request_id=f"demo-{run}-{source_id}", source_system=PSA, milestone=completion
    )


def usage_metered(
    run: str, engagement_id: str, *readings: tuple[str, int, str]
) -> billing_pb2.ApproveBillableEventsRequest:
    """(source id, day, quantity) readings from the billing platform, sent as one batch."""
    items = [
        billing_pb2.BillableEventItem(
            request_id=f"demo-{run}-{source_id}",
            source_system=BILLING,
            usage=billing_pb2.UsageRecord(
                source_id=f"{source_id}-{run}",
                engagement_id=engagement_id,
                used_on=december(day),
                quantity=quantity,
            ),
        )
        for source_id, day, quantity in readings
    ]
    return billing_pb2.ApproveBillableEventsRequest(request_id=f"demo-{run}-usage", items=items)


def billed_as_overage(run: str, event_id: str) -> billing_pb2.DecideHeldWorkRequest:
    return billing_pb2.DecideHeldWorkRequest(
        request_id=f"demo-{run}-overage-{event_id}",
        billable_event_id=event_id,
        decision=billing_pb2.HELD_WORK_DECISION_BILL_AS_OVERAGE,
        reason="The customer agreed to the overrun",
    )


def cap_raised(
    run: str, engagement_id: str, version: int, cap: common_pb2.Money
) -> engagement_pb2.AmendServiceEngagementRequest:
    return engagement_pb2.AmendServiceEngagementRequest(
        request_id=f"demo-{run}-amend-{version}",
        engagement_id=engagement_id,
        version=version,
        effective_on=december(15),
        reason=f"Change order {version}: budget raised",
        changes=[engagement_pb2.TermsChange(work_package_code="NA", cap=cap)],
    )


def december_cycle(run: str, engagement_ids: list[str]) -> billing_pb2.RunBillingCycleRequest:
    """Always as of 31 December 2026: numbers follow the days of issue, so a later run of the
    demo may reuse the day but never go back before it."""
    return billing_pb2.RunBillingCycleRequest(
        request_id=f"demo-{run}-cycle",
        as_of=december(31),
        engagement_ids=engagement_ids,
        finalise=True,
    )


def credit_on_line(
    run: str, invoice_id: str, line_number: int, net: common_pb2.Money
) -> billing_pb2.IssueCreditNoteRequest:
    return billing_pb2.IssueCreditNoteRequest(
        request_id=f"demo-{run}-credit",
        invoice_id=invoice_id,
        reason="Overage disputed: agreed to credit half of it",
        issued_on=january(5),
        credit_lines=[billing_pb2.CreditLineRequest(line_number=line_number, net=net)],
    )


def payment_of(
    run: str, invoice_id: str, amount: common_pb2.Money
) -> billing_pb2.RecordPaymentRequest:
    return billing_pb2.RecordPaymentRequest(
        request_id=f"demo-{run}-payment",
        invoice_id=invoice_id,
        payment_id=f"PAY-{run}",
        amount=amount,
        received_on=received_today(),
    )
